"""Every reason a face check can end with has its words and its help, in both languages: a liveness check
that refuses a screen replay (issue 23's `screen_replay`) fell back to the generic help."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ui.messages import FACE_HELP, FACE_REASONS

TS = Path(__file__).resolve().parents[2] / "ui" / "translations" / "kiosk_vi.ts"


def _messages_translations() -> dict[str, str]:
    root = ET.parse(TS).getroot()
    for context in root.iter("context"):
        if context.findtext("name") == "Messages":
            return {
                m.findtext("source") or "": m.findtext("translation") or "" for m in context.iter("message")
            }
    raise AssertionError("no Messages context in the .ts")


def test_every_failure_reason_has_help_and_vietnamese_words() -> None:
    vietnamese = _messages_translations()
    assert {"screen_replay", "flat_picture", "face_too_small"} <= set(FACE_REASONS)
    for reason, text in FACE_REASONS.items():
        assert vietnamese.get(text), (reason, text)
        if reason != "not_seen":
            assert reason in FACE_HELP, reason
    for reason, text in FACE_HELP.items():
        assert vietnamese.get(text), (reason, text)
    assert "fills the oval" not in FACE_HELP["face_too_small"]  # the gate accepts a quarter of the oval
