"""Which class draws each screen of the flow, and the states it is shown in for the screenshots.

A screen class declares both where it is written:

    @screen(Screen.ticket, shots={"20-ticket": lambda s: {"queue_ticket": ...}})
    class TicketScreen(ScreenBase): ...

`ui/window.py` builds one page per registered screen, `ui/screenshots.py` renders every declared shot,
and `tests/ui/test_screen_registry.py` fails when a `Screen` has no class or no shot. A second class for
the same screen is refused when its module is imported. A new screen is therefore its `Screen` member and
transitions in `kiosk/flow/` (the flow is Qt-free) and one decorated class in a `ui/screens_*` module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.flow import Screen

if TYPE_CHECKING:
    from ui.widgets import ScreenBase

    S = TypeVar("S", bound=ScreenBase)
else:
    S = TypeVar("S")


@dataclass(frozen=True)
class Samples:
    """What the screenshots share between shots, made once per run: the sample scanned pages."""

    pages: list[Any] = field(default_factory=list)


# A shot's visit fields (set on `flow.visit` before the screen is shown): a mapping of plain values, or a
# function of the run's `Samples` for anything built per run (pages, sample objects).
Shot = Mapping[str, Any] | Callable[[Samples], Mapping[str, Any]]


@dataclass(frozen=True)
class Registration:
    """One screen of the flow: the class that draws it, its constructor options, its screenshot states."""

    screen: Screen
    cls: type[ScreenBase]
    options: Mapping[str, Any]  # keyword arguments of the class (ProgressScreen draws two screens)
    shots: Mapping[str, Shot]  # screenshot name ("05-review") -> visit fields

    def build(self, host: Any) -> ScreenBase:
        return self.cls(host, **self.options)

    def visit_fields(self, name: str, samples: Samples) -> Mapping[str, Any]:
        shot = self.shots[name]
        return shot(samples) if callable(shot) else shot


_REGISTRY: dict[Screen, Registration] = {}


def screen(which: Screen, *, shots: Mapping[str, Shot], **options: Any) -> Callable[[type[S]], type[S]]:
    """Class decorator: this class draws `which`; `shots` are its screenshot states (at least one)."""

    def register(cls: type[S]) -> type[S]:
        if not shots:
            raise ValueError(f"{cls.__qualname__} draws {which} but declares no screenshot state")
        known = _REGISTRY.get(which)
        if known is not None and (known.cls.__module__, known.cls.__qualname__) != (
            cls.__module__,
            cls.__qualname__,
        ):
            raise ValueError(
                f"{which} is drawn by {known.cls.__qualname__}; {cls.__qualname__} cannot draw it too"
            )
        _REGISTRY[which] = Registration(which, cls, dict(options), dict(shots))
        return cls

    return register


def registered() -> Mapping[Screen, Registration]:
    """The registrations made so far (the screen modules register when imported), read-only."""
    return MappingProxyType(_REGISTRY)


def registrations() -> list[Registration]:
    """One registration per `Screen`, in the enum's order; refuses to go on when a screen has no class."""
    missing = [str(which) for which in Screen if which not in _REGISTRY]
    if missing:
        raise LookupError(
            f"no class in ui/ draws the screen(s) {', '.join(missing)}: decorate one with @screen"
        )
    return [_REGISTRY[which] for which in Screen]
