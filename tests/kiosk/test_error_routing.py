"""Errors reach the citizen's screen by class, along the MRO, and the CLI's exit status by family."""

from __future__ import annotations

import pytest

from drivers.errors import CoverOpen, DeviceAbsent, DeviceConfigError, DeviceError, NoDocument, PaperOut
from kiosk.cli import exit_code_of, main
from kiosk.errors import (
    BadInputError,
    ConfigError,
    NegativeVerdict,
    RescanNeeded,
    UnavailableError,
    UnknownCodeError,
)
from kiosk.flow import Action, classify_error, register_route, route_for
from kiosk.flow.errors import ROUTES
from kiosk.identity.errors import CardError, CardPortraitError, FaceError, LivenessError
from ocr.errors import ImageError, OcrUnavailable
from offline_sync.protocol.errors import BackendError, DataKeyError
from signing.errors import KeyUnavailableError, SigningError


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (PaperOut("no paper", category="printer"), "paper_out"),
        (NoDocument("empty feeder", category="scanner"), "no_document"),
        (CoverOpen("cover", category="scanner"), "cover_open"),
        (DeviceAbsent("unplugged", category="camera"), "device"),
        (UnavailableError("backend down"), "device"),
        (OcrUnavailable("no tesseract"), "device"),
        (CardError("no QR", reason="no_qr"), "card_unreadable"),
        (CardPortraitError("no portrait", reason="no_portrait"), "card_unreadable"),  # card before face
        (FaceError("two faces", reason="two_faces"), "no_face"),
        (LivenessError("a still photo", reason="static_photo"), "liveness_failed"),
        (RescanNeeded("blurred", reason="blurred"), "page_quality"),
        (UnknownCodeError("no such copy"), "code_not_found"),
        (NegativeVerdict("not the same person"), "no_match"),
    ],
)
def test_each_family_has_its_screen(exc: BaseException, kind: str) -> None:
    info = classify_error(exc)
    assert info.kind == kind
    assert info.cause is exc
    assert info.actions, "every error screen offers a way forward"


@pytest.mark.parametrize("exc", [KeyError("code"), IndexError("page 3"), LookupError("x"), ValueError()])
def test_internal_errors_are_not_dressed_up_as_a_citizen_mistake(exc: BaseException) -> None:
    # A bug in certify (a KeyError, an IndexError) used to read as "we could not find this code".
    info = classify_error(exc)
    assert info.kind == "internal"
    assert info.actions == (Action.call_staff, Action.start_over)


def test_lookup_follows_the_mro_not_the_class_name() -> None:
    class TrayEmpty(PaperOut):
        pass

    # The driver's class by name and attributes only, not by descent.
    lookalike = type(
        "PaperOut", (Exception,), {"message_key": "device.printer.paper_out", "reason": "paper_out"}
    )

    assert classify_error(TrayEmpty("tray 2", category="printer")).kind == "paper_out"
    assert classify_error(lookalike("fake")).kind == "internal"


def test_reasons_come_from_the_route() -> None:
    assert classify_error(RescanNeeded("dark", reason="too_dark")).reason == "too_dark"
    assert (
        classify_error(PaperOut("x", category="receipt_printer")).reason == "device.receipt_printer.paper_out"
    )


def test_a_new_family_is_one_registration() -> None:
    class PaymentDeclined(NegativeVerdict):
        pass

    try:
        register_route(PaymentDeclined, "payment_declined", (Action.try_again, Action.call_staff))
        assert route_for(PaymentDeclined("declined")).kind == "payment_declined"
        assert route_for(NegativeVerdict("other")).kind == "no_match"
    finally:
        ROUTES.pop(PaymentDeclined, None)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (BadInputError("bad"), 2),
        (ConfigError("bad key"), 2),
        (NegativeVerdict("no"), 1),
        (UnavailableError("down"), 3),
        (DeviceError("gone"), 3),
        (DeviceConfigError("bad port"), 2),
        (ImageError("not an image"), 2),
        (OcrUnavailable("no tesseract"), 3),
        (SigningError("cannot sign"), 2),
        (KeyUnavailableError("token absent"), 3),
        (BackendError("503"), 3),
        (DataKeyError("bad key"), 2),
    ],
)
def test_cli_takes_each_familys_exit_code(exc: BaseException, code: int) -> None:
    assert exit_code_of(exc) == code


def test_cli_prints_one_line_and_the_family_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk import cli

    def fail(args: object, ctx: object) -> int:
        raise DeviceAbsent("the scanner is not answering", category="scanner", device="scanner")

    real_build = cli.build_parser

    def build(
        load: object = None,
    ) -> object:  # `kiosk devices` with a handler that meets a device family error
        parser = real_build()
        for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
            action.choices["devices"].set_defaults(handler=fail)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)
    assert main(["devices"]) == 3
    assert capsys.readouterr().err.strip().splitlines() == [
        "kiosk devices: scanner: the scanner is not answering"
    ]


def test_cli_lets_an_unclaimed_bug_surface() -> None:
    assert exit_code_of(KeyError("x")) is None
    assert exit_code_of(RuntimeError("x")) is None
