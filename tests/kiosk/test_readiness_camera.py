"""Issue 25 walk W13/W7 at the flow level (no Qt): the camera is checked with the printers and the scanner
before a visit (its state), and a face step whose camera fails or never shows a face ends
with its own reason and the staff-or-ticket offer at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from drivers.build import Devices
from drivers.health import DeviceState
from drivers.sim_printers import PdfFolderPrinter, SimulatedReceiptPrinter
from drivers.simulated import SimulatedCamera, SimulatedScanner
from kiosk.flow import Action, ImmediateRunner, Screen, VisitFlow
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.readiness import CAMERA, REPRINT_DEVICES, VISIT_DEVICES, check_devices
from tests.kiosk.test_flow import FakeServices
from tests.payment.test_flow_payment import Tickets


def devices(tmp_path: Path, frames: Any = None) -> Devices:
    grey = frames if frames is not None else (lambda: np.full((48, 64, 3), 120, np.uint8))
    return Devices(
        scanner=SimulatedScanner(),
        camera=SimulatedCamera(frames=grey, fps=0),
        document_printer=PdfFolderPrinter(tmp_path / "a4"),
        receipt_printer=SimulatedReceiptPrinter(tmp_path / "receipts"),
    )


def test_a_visit_and_a_reprint_need_the_camera() -> None:
    assert CAMERA in VISIT_DEVICES and CAMERA in REPRINT_DEVICES


def test_a_working_camera_is_ready(tmp_path: Path) -> None:
    readiness = check_devices(devices(tmp_path))
    assert readiness.ok and readiness.missing == ()


def test_an_unplugged_camera_makes_the_kiosk_unable_to_finish(tmp_path: Path) -> None:
    kit = devices(tmp_path)
    kit.camera.set_fault("absent")
    readiness = check_devices(kit)
    assert (readiness.ok, readiness.missing, readiness.reasons) == (False, ("camera",), ("absent",))
    assert kit.health.last("visit_service").state == DeviceState.error  # what /ops is sent


def test_no_camera_configured_is_not_ready(tmp_path: Path) -> None:
    kit = devices(tmp_path)
    kit.camera = None  # type: ignore[assignment]
    readiness = check_devices(kit, (CAMERA,))
    assert readiness.missing == ("camera",) and readiness.reasons == ("absent",)


class DeviceFlowServices(FakeServices):
    def __init__(self, tmp_path: Path) -> None:
        super().__init__()
        self.devices = devices(tmp_path)
        self.printer = Tickets()
        self.tickets = QueueTicketService(self.printer, QueueNumbers(tmp_path / "q.json"))

    def check_devices(self, roles: tuple[str, ...]) -> Any:
        return check_devices(self.devices, roles)


def test_a_camera_unplugged_before_the_visit_gives_the_out_of_service_screen_and_a_ticket(
    tmp_path: Path,
) -> None:
    services = DeviceFlowServices(tmp_path)
    services.devices.camera.set_fault("absent")
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service("certify")
    assert flow.screen == Screen.out_of_service
    assert flow.visit.readiness.missing == ("camera",)
    assert flow.visit.queue_ticket is not None and len(services.printer.receipts) == 1


def at_face_step(tmp_path: Path) -> tuple[VisitFlow, DeviceFlowServices]:
    services = DeviceFlowServices(tmp_path)
    flow = VisitFlow(services, ImmediateRunner())
    flow.choose_service("certify")
    flow.card_placed()
    assert flow.screen == Screen.face
    return flow, services


def test_a_camera_failing_at_the_face_step_offers_staff_or_a_ticket_at_once(tmp_path: Path) -> None:
    flow, services = at_face_step(tmp_path)
    flow.face_unavailable("camera")
    assert flow.screen == Screen.error and flow.visit.error is not None
    assert flow.visit.error.kind == "camera"
    assert flow.visit.error.actions == (Action.call_staff, Action.ticket, Action.start_over)
    flow.error_action(Action.ticket)
    assert flow.screen == Screen.ticket and len(services.printer.receipts) == 1


def test_no_face_seen_counts_as_a_failure_and_escalates_at_once(tmp_path: Path) -> None:
    flow, _services = at_face_step(tmp_path)
    flow.face_unavailable("not_seen")
    assert flow.visit.error is not None
    assert (flow.visit.error.kind, flow.visit.error.reason) == ("no_face", "not_seen")
    assert flow.visit.error.actions == (Action.try_again, Action.call_staff, Action.ticket, Action.start_over)
    flow.error_action(Action.try_again)
    assert flow.screen == Screen.face  # the citizen may stand (or sit) in view and try again


def test_face_unavailable_is_ignored_off_the_face_step_and_during_a_check(tmp_path: Path) -> None:
    flow, _services = at_face_step(tmp_path)
    flow.busy = True  # a check is running: its own result decides
    flow.face_unavailable("camera")
    assert flow.screen == Screen.face
    flow.busy = False
    flow.reset()
    flow.face_unavailable("camera")
    assert flow.screen == Screen.attract
