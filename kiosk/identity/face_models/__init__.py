"""Face matchers as registered back-ends, chosen by ``[identity] face_model`` (docs/FACE_MODELS.md).

* ``dlib`` (built in): face_recognition's ResNet, Euclidean distance, ``face_threshold``;
* ``onnx`` tables (``[identity.face_models.NAME]``): an embedding network in an ONNX file, 5-point
  alignment to the ArcFace template, cosine distance, the table's own ``threshold``.
"""

from kiosk.identity.face_models import dlib_matcher as _dlib_matcher  # noqa: F401  (registers "dlib")
from kiosk.identity.face_models import onnx_matcher as _onnx_matcher  # noqa: F401  (registers "onnx")
from kiosk.identity.face_models.base import (
    FaceMatcher,
    matcher_for,
    model_names,
    register,
    registered_types,
)

__all__ = ["FaceMatcher", "matcher_for", "model_names", "register", "registered_types"]
