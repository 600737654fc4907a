"""What a face matcher is, and the registry that picks one by the `type` of its config table.

A matcher turns the face in a box of an RGB image into an embedding and says how far two embeddings are
apart (lower is closer). Each matcher has its own threshold (the largest distance still taken as the same
person), set by `kiosk face calibrate` for its own distance scale. Detection stays dlib's HOG detector
for every matcher (kiosk.identity.dlib_models), so liveness and face matching see the same boxes.

A back-end registers itself with ``@register("type")``; ``matcher_for(identity_config)`` builds the one
``[identity] face_model`` names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from kiosk.errors import ConfigError
from kiosk.identity.config import DLIB_FACE_MODEL, IdentityConfig
from kiosk.identity.dlib_models import FaceBox


class FaceMatcher(ABC):
    """One face model: embeddings, their distance, and the model's own operating point."""

    #: Registry key of the back-end ("dlib", "onnx").
    kind: str = ""
    #: How distances are measured, for reports ("euclidean", "cosine").
    metric: str = ""
    #: Distance reported when no live face could be compared at all (above any threshold).
    worst_distance: float = 1.0

    def __init__(self, name: str, threshold: float, consistency_margin: float) -> None:
        self.name = name
        # Largest distance still taken as the same person.
        self.threshold = threshold
        # Extra distance allowed for a turned or blinking challenge face against the matched frontal ones.
        self.consistency_margin = consistency_margin

    @property
    def threshold_key(self) -> str:
        """The config key that holds this matcher's threshold."""
        return f"identity.face_models.{self.name}.threshold"

    @abstractmethod
    def warm_up(self) -> None:
        """Load the model now, so the first citizen does not wait for it."""

    @abstractmethod
    def encode(self, rgb: np.ndarray, box: FaceBox) -> np.ndarray:
        """The embedding of the face in `box` of a full-resolution RGB image (kept in memory only)."""

    @abstractmethod
    def distance(self, a: np.ndarray, b: np.ndarray) -> float:
        """How far apart two embeddings are: 0 identical, larger is less alike."""

    def describe(self) -> str:
        return f"{self.name} ({self.kind}, {self.metric} distance, threshold {self.threshold:g})"


MatcherFactory = Callable[[str, IdentityConfig], FaceMatcher]
_REGISTRY: dict[str, MatcherFactory] = {}


def register(kind: str) -> Callable[[MatcherFactory], MatcherFactory]:
    """Decorator: `factory` builds the matcher of config tables with ``type = kind``."""

    def add(factory: MatcherFactory) -> MatcherFactory:
        if kind in _REGISTRY:
            raise ValueError(f"face matcher type {kind!r} is registered twice")
        _REGISTRY[kind] = factory
        return factory

    return add


def registered_types() -> list[str]:
    return sorted(_REGISTRY)


def model_names(config: IdentityConfig) -> list[str]:
    """Every face model the config can select: the built-in dlib one and its own tables."""
    return [DLIB_FACE_MODEL, *sorted(config.face_models)]


def matcher_for(config: IdentityConfig, name: str | None = None) -> FaceMatcher:
    """The matcher of `name` (default: ``[identity] face_model``); ConfigError naming the key otherwise."""
    chosen = config.face_model if name is None else name
    if chosen == DLIB_FACE_MODEL:
        kind = DLIB_FACE_MODEL
    elif chosen in config.face_models:
        kind = config.face_models[chosen].type
    else:
        known = ", ".join(model_names(config))
        raise ConfigError(f"identity.face_model: unknown face model {chosen!r} (known: {known})")
    factory = _REGISTRY.get(kind)
    if factory is None:  # a config type with no back-end in this build
        raise ConfigError(
            f"identity.face_models.{chosen}.type: no face matcher of type {kind!r} in this build "
            f"(available: {', '.join(registered_types())})"
        )
    return factory(chosen, config)
