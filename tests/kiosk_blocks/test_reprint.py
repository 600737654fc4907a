"""`kiosk reprint CODE --card CARD --live IMAGE... --out DIR --json`: only the holder, with the card's face.

A real copy is certified first (real OCR, face verification, signature, store); then another person's card,
the holder's card with another person's face, and the holder are tried. After local retention the copy
comes from a real reference backend over mTLS."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import cv2
import pytest

from kiosk.cli import main
from tests.e2e.conftest import SHARED_FACES, write_image

pytestmark = pytest.mark.needs_faces


def run(argv: list[str]) -> tuple[int, dict[str, Any] | None]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, json.loads(out.getvalue()) if code == 0 else None


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from kiosk.samples.card import make_card_image, sample_card, sample_live_frames
    from kiosk.samples.documents import make_document
    from kiosk.samples.glass import sample_card_image

    folder = tmp_path_factory.mktemp("reprint")
    data = folder / "data"
    holder_card = write_image(folder / "card.png", sample_card_image())
    live = [write_image(folder / f"live{i}.jpg", f) for i, f in enumerate(sample_live_frames(3, seed=5))]
    page = write_image(folder / "page.png", make_document("birth_certificate", seed=7).image)
    # another citizen, with the same portrait so that only the ID number differs
    other_card = write_image(folder / "other.png", make_card_image(sample_card(seed=99)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KIOSK_DATA_DIR", str(data))
        mp.delenv("KIOSK_CONFIG", raising=False)
        argv = ["certify", "--card", str(holder_card), "--live", *map(str, live)]
        code, payload = run([*argv, "--document", str(page), "--out", str(folder / "printed"), "--json"])
    assert code == 0 and payload is not None
    return {
        "code": payload["code"],
        "data": data,
        "folder": folder,
        "card": holder_card,
        "live": live,
        "other_card": other_card,
    }


@pytest.fixture
def kiosk_env(issued: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(issued["data"]))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return issued


def reprint(issued: dict[str, Any], out: Path, *, card: Path, live: list[Path], capsys: Any, extra=()) -> Any:
    argv = ["reprint", issued["code"], "--card", str(card), "--live", *map(str, live), "--out", str(out)]
    code, payload = run([*argv, "--json", *extra])
    return code, payload, capsys.readouterr().err


def test_another_persons_card_is_refused(kiosk_env: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    code, _, err = reprint(
        kiosk_env, out, card=kiosk_env["other_card"], live=kiosk_env["live"], capsys=capsys
    )
    assert code == 1
    assert "not the holder" in err
    assert not list(out.glob("*.pdf"))


def test_holders_card_with_another_face_is_refused(
    kiosk_env: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    if not SHARED_FACES.is_dir():
        pytest.skip(f"face photos not found at {SHARED_FACES}")
    someone = write_image(tmp_path / "biden.jpg", cv2.imread(str(SHARED_FACES / "biden_1.jpg")))
    out = tmp_path / "out"
    code, _, err = reprint(kiosk_env, out, card=kiosk_env["card"], live=[someone], capsys=capsys)
    assert code == 1
    assert "does not match" in err
    assert not list(out.glob("*.pdf"))


def test_the_holder_gets_the_pdf(kiosk_env: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    code, payload, err = reprint(
        kiosk_env, out, card=kiosk_env["card"], live=kiosk_env["live"], capsys=capsys
    )
    assert code == 0, err
    assert payload is not None
    assert payload["code"] == kiosk_env["code"]
    pdf = Path(payload["pdf"])
    assert pdf.parent == out and pdf.read_bytes().startswith(b"%PDF-")
    assert payload["source"] == "local"


def test_a_mistyped_code_is_bad_input(kiosk_env: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    code = kiosk_env["code"]
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    argv = ["reprint", wrong, "--card", str(kiosk_env["card"]), "--live", str(kiosk_env["live"][0])]
    status, _ = run([*argv, "--out", str(tmp_path), "--json"])
    assert status == 2
    assert "not a valid copy code" in capsys.readouterr().err


def test_after_retention_the_copy_comes_from_the_backend(
    issued: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    import shutil

    from offline_sync.personal_data import load_or_create_data_key
    from offline_sync.store import LocalStore
    from tests.sync.helpers import Backend, make_pki

    # a kiosk of its own (copied data folder), so the other tests keep their local copy
    data = tmp_path / "data"
    shutil.copytree(issued["data"], data)
    pki = make_pki(tmp_path / "pki")
    cert, key = pki.client("HN-001")
    backend = Backend(pki, tmp_path / "backend").start()
    try:
        config = tmp_path / "kiosk.toml"
        config.write_text(
            f'[sync]\nbackend_url = "{backend.url}"\nclient_cert = "{cert}"\nclient_key = "{key}"\n'
            f'ca_cert = "{pki.pki.ca_cert}"\n'
        )
        monkeypatch.setenv("KIOSK_DATA_DIR", str(data))
        monkeypatch.delenv("KIOSK_CONFIG", raising=False)
        assert run(["sync", "run", "--drain", "--timeout", "60", "--config", str(config), "--json"])[0] == 0
        assert issued["code"] in backend.codes()
        # retention: the personal fields and the local PDF are gone
        store = LocalStore(data / "kiosk.db", load_or_create_data_key(data / "keys" / "data.key"))
        try:
            assert store.purge_synced(0) == 1
            record = store.get_record(issued["code"])
            assert record is not None and record.holder_id is None and record.pdf_path is None
        finally:
            store.close()
        capsys.readouterr()

        extra = ("--config", str(config))
        code, _, err = reprint(
            issued,
            tmp_path / "o1",
            card=issued["other_card"],
            live=issued["live"],
            capsys=capsys,
            extra=extra,
        )
        assert code == 1 and "not the holder" in err
        code, payload, err = reprint(
            issued, tmp_path / "o2", card=issued["card"], live=issued["live"], capsys=capsys, extra=extra
        )
        assert code == 0, err
        assert payload is not None and payload["source"] == "backend"
        assert Path(payload["pdf"]).read_bytes().startswith(b"%PDF-")
    finally:
        backend.stop()
    # the backend is gone: a reprint that needs it says so with exit 3
    code, _, err = reprint(
        issued, tmp_path / "o3", card=issued["card"], live=issued["live"], capsys=capsys, extra=extra
    )
    assert code == 3, err
