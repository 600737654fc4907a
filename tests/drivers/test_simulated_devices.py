"""The simulated devices, the PDF-folder printer and build_devices: the demo runs on these."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from drivers.base import Receipt
from drivers.build import build_devices
from drivers.config import DevicesConfig
from drivers.errors import DeviceAbsent, NoDocument, PaperOut
from drivers.health import DeviceState
from drivers.sim_printers import PdfFolderPrinter, SimulatedReceiptPrinter
from drivers.simulated import SimulatedCamera, SimulatedScanner
from kiosk.cli import main as kiosk_main

RECEIPT = Receipt(
    code="HN-001-000042-7",
    lines=("Trung tâm Phục vụ Hành chính công", "Bản sao chứng thực: 2 trang", "Lệ phí: 4.000 đồng"),
    qr_data="https://tra-cuu.example.vn/c/HN-001-000042-7",
)


def _page(value: int) -> np.ndarray:
    page = np.full((3508, 2480, 3), value, np.uint8)
    page[100:200, 100:300] = 0
    return page


def test_scanner_scans_placed_pages_in_order_then_samples() -> None:
    calls: list[int] = []

    def sample() -> np.ndarray:
        calls.append(1)
        return _page(200)

    with SimulatedScanner("scanner", sample) as scanner:
        scanner.place(_page(10), _page(20)[:, :, 0])  # a gray page comes back as BGR
        first, second = scanner.scan(), scanner.scan()
        assert first.shape == (3508, 2480, 3) and first.dtype == np.uint8
        assert first[3000, 2000, 0] == 10 and second[3000, 2000, 1] == 20
        assert calls == []
        half = scanner.scan(150)
        assert half.shape == (1754, 1240, 3) and calls == [1]


def test_scanner_faults_are_typed_and_show_in_status() -> None:
    with SimulatedScanner("scanner") as scanner:
        scanner.set_fault("no_document")
        with pytest.raises(NoDocument) as info:
            scanner.scan()
        assert info.value.message_key == "device.scanner.no_document"
        scanner.set_fault("absent")
        with pytest.raises(DeviceAbsent):
            scanner.scan()
        assert scanner.status().state == DeviceState.absent
        scanner.set_fault(None)
        assert scanner.status().state == DeviceState.ok
        assert scanner.scan().ndim == 3
        with pytest.raises(ValueError, match="unknown fault"):
            scanner.set_fault("on_fire")


def test_camera_jitters_frames_a_little() -> None:
    base = np.zeros((480, 640, 3), np.uint8)
    cv2.circle(base, (320, 240), 80, (200, 180, 160), -1)
    with SimulatedCamera("camera", lambda: base, fps=0, seed=3) as camera:
        frames = [camera.read() for _ in range(8)]
    assert all(f.shape == base.shape for f in frames)
    assert any(not np.array_equal(a, b) for a, b in itertools.pairwise(frames))
    for frame in frames:
        # a few pixels of shift and a few levels of brightness, never a different picture
        assert np.abs(frame.astype(int) - base.astype(int)).mean() < 12
        assert frame[240, 320, 0] >= 190


def test_camera_plays_an_image_folder(tmp_path: Path) -> None:
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"f{i}.png"), np.full((60, 80, 3), 50 * (i + 1), np.uint8))
    with SimulatedCamera("camera", tmp_path, fps=0, jitter=False) as camera:
        values = [int(camera.read()[30, 40, 0]) for _ in range(4)]
    assert values == [50, 100, 150, 50]


def test_camera_plays_a_video_in_a_loop(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(5):
        writer.write(np.full((48, 64, 3), 40 * (i + 1), np.uint8))
    writer.release()
    with SimulatedCamera("camera", video, fps=0, jitter=False) as camera:
        levels = [int(camera.read()[24, 32].mean()) for _ in range(7)]
    assert [round(v / 40) for v in levels] == [1, 2, 3, 4, 5, 1, 2]


def test_camera_fault_absent() -> None:
    with SimulatedCamera("camera", fps=0) as camera:
        camera.set_fault("absent")
        with pytest.raises(DeviceAbsent) as info:
            camera.read()
        assert info.value.message_key == "device.camera.absent"


def test_pdf_folder_printer_copies_the_file(tmp_path: Path) -> None:
    source = tmp_path / "copy.pdf"
    source.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")
    with PdfFolderPrinter(tmp_path / "out") as printer:
        job = printer.print_pdf(source, copies=2, title="Bản sao HN-001")
        assert job.state == "completed" and job.done and job.copies == 2
        assert job.output is not None and job.output.parent == tmp_path / "out"
        assert job.output.read_bytes() == source.read_bytes()
        printer.set_fault("paper_out")
        with pytest.raises(PaperOut) as info:
            printer.print_pdf(source)
        assert info.value.message_key == "device.printer.paper_out"
        assert printer.status().state == DeviceState.error
        assert printer.status().reason == "paper_out"


def test_simulated_receipt_printer_renders_png_with_qr(tmp_path: Path) -> None:
    with SimulatedReceiptPrinter(tmp_path / "receipts", paper_mm=58) as printer:
        assert printer.last_output is None
        printer.print_receipt(RECEIPT)
        out = printer.last_output
    assert out is not None and out.suffix == ".png"
    with Image.open(out) as image:
        assert image.width == 384
        gray = np.array(image.convert("L"))
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
    assert text == RECEIPT.qr_data
    # ink in the text area: the lines were drawn
    assert (gray[:60] < 128).sum() > 200


def test_build_devices_from_config(tmp_path: Path) -> None:
    page = _page(123)
    frame = np.full((480, 640, 3), 77, np.uint8)
    with build_devices(
        DevicesConfig(), tmp_path, sample_pages=lambda: page, sample_frames=lambda: frame
    ) as devices:
        assert devices.scanner.scan()[2000, 2000, 0] == 123
        assert abs(int(devices.camera.read()[240, 320, 0]) - 77) <= 4
        statuses = devices.statuses()
    assert [s.name for s in statuses] == [
        "scanner",
        "camera",
        "document_printer",
        "receipt_printer",
        "chip_reader",
    ]
    assert all(s.state == DeviceState.ok for s in statuses)


def test_kiosk_devices_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    assert kiosk_main(["devices", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [d["name"] for d in payload["devices"]] == [
        "scanner",
        "camera",
        "document_printer",
        "receipt_printer",
        "chip_reader",
    ]
    for device in payload["devices"]:
        assert set(device) >= {"name", "kind", "state", "detail"}
        assert device["state"] == "ok"


def test_kiosk_devices_reports_missing_hardware(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path}"\n'
        '[devices.camera]\ntype = "opencv"\nsource = "/nonexistent/video0"\n'
        '[devices.receipt_printer]\ntype = "escpos_serial"\nport = "/nonexistent/ttyUSB9"\n',
        encoding="utf-8",
    )
    assert kiosk_main(["devices", "--json", "--config", str(config)]) == 3
    states = {d["name"]: d["state"] for d in json.loads(capsys.readouterr().out)["devices"]}
    assert states == {
        "scanner": "ok",
        "camera": "absent",
        "document_printer": "ok",
        "receipt_printer": "absent",
        "chip_reader": "ok",
    }
