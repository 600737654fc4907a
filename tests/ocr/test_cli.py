"""`kiosk ocr IMAGE... --json`: the DESIGN contract, exit codes and error lines."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main
from kiosk.samples.documents import make_document


def test_ocr_json_for_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = make_document("marriage_certificate", seed=9)
    path = tmp_path / "page1.png"
    cv2.imwrite(str(path), doc.image)
    assert main(["ocr", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["doc_type"] == "marriage_certificate"
    assert data["fields"]["husband_id_number"] == doc.fields["husband_id_number"]
    assert data["pages"][0]["quality"]["ok"] is True
    assert "GIẤY CHỨNG NHẬN KẾT HÔN" in data["text"]


def test_ocr_bad_file_is_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.png"
    path.write_bytes(b"these are my notes, not a picture")
    assert main(["ocr", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("kiosk ocr: ") and "notes.png" in lines[0] and "not an image" in lines[0]


def test_ocr_blank_page_prints_json_and_asks_for_rescan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "blank.png"
    cv2.imwrite(str(path), np.full((1200, 900, 3), 255, np.uint8))
    assert main(["ocr", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["pages"][0]["quality"]["reason"] == "blank"
    assert "blank.png" in captured.err and "rescan" in captured.err


def test_ocr_without_the_language_model_is_unavailable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[ocr]\nlanguages = "klingon"\n', encoding="utf-8")
    path = tmp_path / "page.png"
    cv2.imwrite(str(path), make_document("other", seed=1).image)
    assert main(["ocr", str(path), "--json", "--config", str(config)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("kiosk ocr: tesseract: OCR is not available") and "klingon" in err
