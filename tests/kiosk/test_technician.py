"""Issue 25 (Deliver 10, the services): clear a staff call, the paid-not-printed list with a free reprint,
the training panel's faults on the simulated devices and payer; and the state that reaches /ops: the
out-of-service line and the uncollected copies in the heartbeat."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from drivers.errors import CoverOpen, DeviceAbsent, PaperJam
from drivers.health import HealthMonitor
from drivers.sim_printers import PdfFolderPrinter, SimulatedReceiptPrinter
from drivers.simulated import SimulatedCamera, SimulatedScanner
from kiosk.commands.sync import uncollected_health
from kiosk.errors import BadInputError, UnknownCodeError
from kiosk.runtime.fleet_health import heartbeat_health, watch_devices
from kiosk.services.collect import Collect
from kiosk.services.demo_payment import SimulatedPayer
from kiosk.services.readiness import SERVICE_NAME, check_devices
from kiosk.services.staff_call import StaffCallService
from kiosk.services.technician import Training, clear_staff_call, free_reprint, uncollected_text
from offline_sync.protocol import Heartbeat
from offline_sync.protocol.uncollected import parse_uncollected
from offline_sync.store import LocalStore
from offline_sync.uncollected import UncollectedBook


@pytest.fixture
def devices(tmp_path: Path):  # type: ignore[no-untyped-def]
    made = SimpleNamespace(
        scanner=SimulatedScanner(),
        camera=SimulatedCamera(fps=0),
        document_printer=PdfFolderPrinter(tmp_path / "a4"),
        receipt_printer=SimulatedReceiptPrinter(tmp_path / "receipts"),
        health=HealthMonitor(),
    )
    real = (made.scanner, made.camera, made.document_printer, made.receipt_printer)
    yield made
    for device in real:
        device.close()


def test_training_faults_behave_like_the_real_ones_and_clear(
    devices: SimpleNamespace, tmp_path: Path
) -> None:
    training = Training(devices)
    assert "kẹt giấy" in training.fail("document_printer", "paper_jam")
    readiness = check_devices(devices)
    assert readiness.missing == ("document_printer",) and readiness.reasons == ("paper_jam",)
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    with pytest.raises(PaperJam):
        devices.document_printer.print_pdf(pdf)
    training.fail("camera", "absent")  # camera gone
    with pytest.raises(DeviceAbsent):
        devices.camera.read()
    training.fail("scanner", "cover_open")
    with pytest.raises(CoverOpen):
        devices.scanner.scan()
    training.fail("receipt_printer", "absent")  # printer gone
    # the camera is one of the devices a visit needs (walk W13)
    assert check_devices(devices).missing == ("scanner", "camera", "document_printer", "receipt_printer")
    assert "• Máy in A4: kẹt giấy" in training.status()  # the device named once (walk W12)
    banner = training.banner()  # the start screen shows it while a fault is on
    assert banner.startswith("ĐANG TẬP HUẤN: ") and "máy in A4 kẹt giấy" in banner
    assert "bình thường" in training.clear()
    assert check_devices(devices).ok
    assert devices.document_printer.print_pdf(pdf).state == "completed"


def test_training_never_touches_a_real_device_or_an_unknown_fault(devices: SimpleNamespace) -> None:
    devices.document_printer = SimpleNamespace(kind="cups", set_fault=lambda fault: None)
    training = Training(devices)
    with pytest.raises(BadInputError, match="simulated devices only"):
        training.fail("document_printer", "paper_out")
    with pytest.raises(BadInputError):
        training.fail("camera", "paper_jam")
    with pytest.raises(BadInputError):
        training.fail("signal_light", "absent")


def test_training_makes_the_payer_slow_or_refuse(devices: SimpleNamespace) -> None:
    payer = SimulatedPayer(gateway=None)
    training = Training(devices, payer)
    assert "bị ngân hàng từ chối" in training.set_payer("refuse")
    assert "sau 45 giây" in training.set_payer("pay", 45)
    assert (payer.outcome, payer.delay_s) == ("pay", 45)
    with pytest.raises(BadInputError):
        training.set_payer("maybe")
    training.clear()  # back to the configured payer (walk W12), not a fixed "pays after 1 s"
    assert (payer.outcome, payer.delay_s) == ("pay", 1.0)
    configured = SimulatedPayer(gateway=None, delay_s=8.0)
    training = Training(devices, configured)
    training.set_payer("never")
    assert "cấu hình: trả tiền sau 8 giây" in training.status()
    training.clear()
    assert (configured.outcome, configured.delay_s) == ("pay", 8.0)
    with pytest.raises(BadInputError):
        Training(devices).set_payer("never")


def test_clear_a_staff_call() -> None:
    light = SimpleNamespace(patterns=[])
    light.show = light.patterns.append
    calls = StaffCallService(light, None)
    assert "Không có" in clear_staff_call(calls)
    calls.raise_call("citizen_request")
    assert "Đã tắt yêu cầu hỗ trợ" in clear_staff_call(calls)
    assert calls.state() is None and light.patterns == ["call", "ready"]


def test_paid_not_printed_list_free_reprint_and_heartbeat(devices: SimpleNamespace, tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "kiosk.db", b"k" * 32)
    pdf = tmp_path / "HN001-000042-U.pdf"
    pdf.write_bytes(b"%PDF-1.7 copy")
    collect = Collect(
        book=lambda: UncollectedBook(store),
        copy_pdf=lambda code: pdf if code == "HN001-000042-U" else None,
        document_printer=lambda: devices.document_printer,
    )
    assert "Không có bản sao" in uncollected_text(collect)
    collect.mark(
        "HN001-000042-U", reference="HN001PABCDEFGH", amount_vnd=4000, copies=2, missing=("copy", "receipt")
    )
    text = uncollected_text(collect)
    assert "HN001-000042-U" in text and "4.000 đ" in text and "bản sao, biên nhận" in text
    # the heartbeat carries it, in the shared protocol's shape, with no personal data
    health = uncollected_health(store)
    entries = parse_uncollected(health)
    assert [(e.code, e.payment_reference, e.amount_vnd, e.copies, e.missing) for e in entries] == [
        ("HN001-000042-U", "HN001PABCDEFGH", 4000, 2, ["copy", "receipt"])
    ]
    Heartbeat(id="hb-000001", kiosk_id="HN-001", sent_at=entries[0].since, backlog=0, health=health)
    # reprint at no charge: printed (the copies paid for), and off the list, off the heartbeat
    with pytest.raises(UnknownCodeError):
        free_reprint(collect, "HN001-000043-X")
    assert "miễn phí" in free_reprint(collect, "HN001-000042-U")
    printed = list((tmp_path / "a4").glob("*.pdf"))
    assert len(printed) == 1 and printed[0].name.endswith("-x2.pdf")
    assert parse_uncollected(uncollected_health(store)) == []
    with pytest.raises(UnknownCodeError):  # not twice
        free_reprint(collect, "HN001-000042-U")


def test_out_of_service_reaches_the_heartbeat(devices: SimpleNamespace, tmp_path: Path) -> None:
    snapshot = tmp_path / "devices.json"
    watch_devices(devices.health, snapshot)
    Training(devices).fail("document_printer", "absent")
    check_devices(devices)
    lines = {d["name"]: d for d in heartbeat_health(snapshot)["devices"]}
    assert lines[SERVICE_NAME]["state"] == "error" and lines[SERVICE_NAME]["reason"] == "out_of_service"
    assert lines["document_printer"]["state"] == "absent"
    Training(devices, active={"document_printer": "absent"}).clear()
    check_devices(devices)
    lines = {d["name"]: d for d in heartbeat_health(snapshot)["devices"]}
    assert lines[SERVICE_NAME]["state"] == "ok"
