"""The visit, without Qt: the state machine, the visit's record, error routing, and the services contract.

* `machine`: `VisitFlow`, the screens' transitions;
* `record`: `Screen`, `Service`, the numbered `VISIT_STEPS`, and `VisitRecord`, what the visit knows;
* `errors`: `ErrorInfo`, `Action` and the routing table from exception classes to error screens;
* `contracts`: `VisitServices`, `TaskRunner` and `ImmediateRunner`;
* `adapter`: `PipelineServices`, the real services over the pipeline and the devices (imported by name:
  `from kiosk.flow.adapter import PipelineServices`).
"""

from kiosk.flow.contracts import FaceWorker, ImmediateRunner, Report, TaskRunner, VisitServices
from kiosk.flow.errors import Action, ErrorInfo, Route, classify_error, register_route, route_for
from kiosk.flow.machine import (
    LIVENESS_CHALLENGES,
    MAX_COPIES,
    MAX_FACE_ATTEMPTS,
    MAX_PAGES,
    IdleStatus,
    VisitFlow,
)
from kiosk.flow.record import BUSY_SCREENS, VISIT_STEPS, Screen, Service, VisitRecord, step_of

__all__ = [
    "BUSY_SCREENS",
    "LIVENESS_CHALLENGES",
    "MAX_COPIES",
    "MAX_FACE_ATTEMPTS",
    "MAX_PAGES",
    "VISIT_STEPS",
    "Action",
    "ErrorInfo",
    "FaceWorker",
    "IdleStatus",
    "ImmediateRunner",
    "Report",
    "Route",
    "Screen",
    "Service",
    "TaskRunner",
    "VisitFlow",
    "VisitRecord",
    "VisitServices",
    "classify_error",
    "register_route",
    "route_for",
    "step_of",
]
