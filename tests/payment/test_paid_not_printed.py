"""Issue 25, the blocker: a printer that fails at any moment of a paid visit still leaves the citizen with a
code and a way to collect the copy; a kiosk that cannot finish takes no money.

Over the real city backend and the simulated gateway (the payment is confirmed as in production), real
store (offline_sync.store + uncollected), real slip printer and queue tickets; the printers are fakes that
fail on demand the way the drivers do (typed DeviceErrors, states for the health check)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from drivers.base import Receipt
from drivers.errors import DeviceAbsent, PaperJam, PaperOut
from drivers.health import DeviceState, DeviceStatus, HealthMonitor
from kiosk.flow import ImmediateRunner, Screen, Service, VisitFlow
from kiosk.flow.contracts import Report
from kiosk.services.collect import Collect, SlipPrinter, collect_slip
from kiosk.services.payment import PaymentService
from kiosk.services.queue_ticket import QueueNumbers, QueueTicketService
from kiosk.services.readiness import SERVICE_NAME, check_devices
from offline_sync.gateway_sim import SimulatedGateway
from offline_sync.kiosk_api_client import KioskApiClient
from offline_sync.store import LocalStore, RecordIn
from offline_sync.uncollected import UncollectedBook
from tests.kiosk.test_flow import FakeServices
from tests.payment.test_flow_payment import paying_citizen

CODE = "HN-001-000042-X"


class FakePrinter:
    """A printer that fails on demand: `fault` is raised by the next prints (and shows in its status)."""

    def __init__(self, name: str) -> None:
        self.name, self.kind = name, "fake"
        self.fault: type[Exception] | None = None
        self.fail_next = 0  # fail only the next N prints (the status still says ok: a surprise fault)
        self.receipts: list[Receipt] = []
        self.pdfs: list[tuple[str, bytes]] = []

    def status(self) -> DeviceStatus:
        if self.fault is DeviceAbsent:
            return DeviceStatus(self.name, "fake", DeviceState.absent, "unplugged", "absent")
        if self.fault is not None:
            return DeviceStatus(self.name, "fake", DeviceState.error, "paper", "paper_out")
        return DeviceStatus(self.name, "fake", DeviceState.ok, "ready")

    def _check(self) -> None:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise PaperJam(f"{self.name}: jam", category="printer", device=self.name)
        if self.fault is not None:
            raise self.fault(f"{self.name}: {self.fault.__name__}", category="printer", device=self.name)

    def print_receipt(self, receipt: Receipt) -> None:
        self._check()
        self.receipts.append(receipt)

    def print_pdf(self, path: Path, copies: int = 1, title: str = "") -> Any:
        self._check()
        self.pdfs.append((title, Path(path).read_bytes()))
        return SimpleNamespace(job_id=str(len(self.pdfs)), title=title)


class KioskServices(FakeServices):
    """The flow's services with real payment, tickets, store, slip printer and device check."""

    def __init__(self, payments: PaymentService, tmp: Path) -> None:
        super().__init__()
        self.payments = payments
        self.a4, self.receipt_printer = FakePrinter("document_printer"), FakePrinter("receipt_printer")
        self.scanner = SimpleNamespace(
            name="scanner", status=lambda: DeviceStatus("scanner", "fake", DeviceState.ok, "ready")
        )
        self.camera = SimpleNamespace(  # the face step's camera: there, and it gives a picture
            name="camera",
            status=lambda: DeviceStatus("camera", "fake", DeviceState.ok, "ready"),
            read=lambda: np.zeros((4, 4, 3), np.uint8),
        )
        self.devices = SimpleNamespace(
            scanner=self.scanner,
            camera=self.camera,
            document_printer=self.a4,
            receipt_printer=self.receipt_printer,
            health=HealthMonitor(),
        )
        self.slips = SlipPrinter(self.receipt_printer, self.a4, tmp / "work")
        self.tickets = QueueTicketService(self.receipt_printer, QueueNumbers(tmp / "queue.json"))
        self.store = LocalStore(tmp / "kiosk.db", b"k" * 32)
        self.pdf = tmp / f"{CODE}.pdf"
        self.pdf.write_bytes(b"%PDF-1.7 the signed copy")
        self.collect = Collect(
            book=lambda: UncollectedBook(self.store),
            copy_pdf=lambda code: self.pdf if code == CODE else None,
            document_printer=lambda: self.a4,
            print_slip=self.slips.print_slip,
        )
        self.certify_fails: Exception | None = None
        self.events: list[str] = []

    # what the adapter adds for issue 25
    def check_devices(self, roles: tuple[str, ...]) -> Any:
        return check_devices(self.devices, roles)

    def print_slip(self, receipt: Receipt) -> str:
        return self.slips.print_slip(receipt)

    def receipt_of(self, copy: Any, **paid: Any) -> Receipt:
        return Receipt(
            code=copy.code, lines=("UBND", "BIÊN NHẬN", f"Mã: {copy.code}"), qr_data=copy.code, **paid
        )

    def collect_slip(
        self, receipt: Receipt | None, reference: str, amount: int, copies: int, language: str
    ) -> Receipt:
        return collect_slip(receipt, reference=reference, amount_vnd=amount, copies=copies, authority="UBND")

    # the visit's own printing goes to the fake printers
    def certify(self, visit: Any, progress: Report) -> Any:
        if self.certify_fails is not None:
            raise self.certify_fails
        copy = super().certify(visit, progress)
        self.store.add_record(_record(CODE, self.pdf))
        return copy

    def print_copy(self, copy: Any, copies: int) -> Any:
        return self.a4.print_pdf(self.pdf, copies, copy.code)

    def print_receipt(self, copy: Any, **paid: Any) -> None:  # type: ignore[override]
        self.receipt_printer.print_receipt(self.receipt_of(copy, **paid))


def _record(code: str, pdf: Path) -> RecordIn:
    from datetime import UTC, datetime

    return RecordIn(
        code=code,
        created_at=datetime.now(UTC),
        kiosk_id="HN-001",
        doc_type="birth_certificate",
        pages=1,
        pdf_path=str(pdf),
        pdf_sha256="0" * 64,
        holder_id="001090001234",
        holder_name="Nguyễn Văn An",
        ocr_text="GIẤY KHAI SINH",
        fields={},
        face_match=True,
        face_distance=0.3,
        liveness="passed:blink",
    )


@pytest.fixture
def kiosk(api: KioskApiClient, tmp_path: Path) -> KioskServices:
    return KioskServices(PaymentService(api, kiosk_id="HN-001", poll_interval=0.05), tmp_path)


def to_review(flow: VisitFlow) -> None:
    flow.choose_service(Service.certify)
    assert flow.screen == Screen.card
    flow.card_placed()
    flow.start_face_check()
    flow.scan_page()
    flow.pages_done()
    assert flow.screen == Screen.review


def pay(flow: VisitFlow, gateway: SimulatedGateway) -> None:
    threads = paying_citizen(gateway, flow)
    flow.confirm()
    for thread in threads:
        thread.join()


def owed(kiosk: KioskServices) -> list[tuple[str, tuple[str, ...]]]:
    return [(item.code, item.missing) for item in UncollectedBook(kiosk.store).open()]


# -- before the citizen starts, and before the payment: no money without a way to the copy ----------------
def test_a_kiosk_that_cannot_finish_is_out_of_service_with_a_ticket(kiosk: KioskServices) -> None:
    kiosk.a4.fault = DeviceAbsent
    flow = VisitFlow(kiosk, ImmediateRunner())
    flow.choose_service(Service.certify)
    assert flow.screen == Screen.out_of_service
    assert flow.visit.readiness.missing == ("document_printer",)
    ticket = flow.visit.queue_ticket
    assert ticket.reason == "out_of_service" and ticket.printed_on == "receipt_printer"
    assert kiosk.receipt_printer.receipts[-1].code == ticket.number
    # the state reaches the heartbeat's device summary (kiosk.runtime.fleet_health writes the monitor's)
    summary = kiosk.devices.health.last(SERVICE_NAME)
    assert summary.state == DeviceState.error and summary.reason == "out_of_service"
    assert "document_printer" in summary.detail
    # it is a final screen: it goes back to the start on its own
    flow.clock = lambda: 10**9
    flow.idle_status()
    assert flow.screen == Screen.attract


def test_out_of_service_ticket_prints_on_a4_when_the_receipt_printer_is_the_broken_one(
    kiosk: KioskServices,
) -> None:
    kiosk.receipt_printer.fault = PaperOut
    flow = VisitFlow(kiosk, ImmediateRunner())
    flow.choose_service(Service.certify)
    assert flow.screen == Screen.out_of_service
    assert flow.visit.queue_ticket.printed_on == "document_printer"
    assert kiosk.a4.pdfs[-1][0].startswith("slip-") and kiosk.a4.pdfs[-1][1].startswith(b"%PDF")


def test_printer_down_before_payment_takes_no_money(kiosk: KioskServices, gateway: SimulatedGateway) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.a4.fault = DeviceAbsent  # unplugged while the citizen scanned the pages
    pay(flow, gateway)
    assert flow.screen == Screen.out_of_service
    assert flow.visit.payment_request is None and flow.visit.print_permit is None  # no QR, nothing paid
    assert flow.visit.queue_ticket.printed_on == "receipt_printer"
    assert kiosk.certified == []


# -- after the payment: every moment a printer can fail ------------------------------------------------
def _paid_and_failed(flow: VisitFlow, kiosk: KioskServices, gateway: SimulatedGateway) -> Any:
    pay(flow, gateway)
    assert flow.screen == Screen.collect, flow.visit.error
    state = flow.visit.collect
    assert state.reference == flow.visit.payment.reference and state.amount_vnd == flow.fee_vnd > 0
    return state


def test_printer_gone_after_payment_before_the_copy(kiosk: KioskServices, gateway: SimulatedGateway) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    flow.subscribe(
        lambda f: setattr(kiosk.a4, "fault", DeviceAbsent) if f.screen == Screen.processing else None
    )
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.code == CODE and state.missing == ("copy", "receipt") and state.error_kind == "device"
    slip = kiosk.receipt_printer.receipts[-1]  # "paid, copy to collect" on the printer that works
    assert state.printed_on == "receipt_printer"
    assert slip.code == CODE and "ĐÃ NHẬN PHÍ - BẢN SAO CHỜ NHẬN" in slip.lines
    assert slip.amount_vnd == state.amount_vnd and slip.payment_reference == state.reference
    # the slip is the receipt (code, fee, reference) under its heading: only the copy is owed (walk W9/W12)
    assert owed(kiosk) == [(CODE, ("copy",))]
    # maintenance reprints it at no charge: what is owed, the copy, and no second receipt
    kiosk.a4.fault = None
    receipts = len(kiosk.receipt_printer.receipts)
    kiosk.collect.free_reprint(CODE)
    assert kiosk.a4.pdfs[-1] == (CODE, b"%PDF-1.7 the signed copy")
    assert len(kiosk.receipt_printer.receipts) == receipts
    assert owed(kiosk) == []


def test_certify_fails_after_payment_gives_a_ticket_with_the_payment_reference(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    from kiosk.errors import UnavailableError

    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.certify_fails = UnavailableError("the seal key is gone", key="error.signing_unavailable")
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.code == "" and state.ticket.reason == "paid_not_printed"
    assert state.ticket.visit_ref == state.reference and state.printed_on == "receipt_printer"
    assert kiosk.receipt_printer.receipts[-1].code == state.ticket.number
    # try again (free): the copy is certified and printed under the same payment
    kiosk.certify_fails = None
    flow.retry_print()
    assert flow.screen == Screen.done
    assert [title for title, _ in kiosk.a4.pdfs] == [CODE]


def test_copy_jams_during_printing_and_the_receipt_printer_is_out_too(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.a4.fail_next = 5  # the A4 printer says ok, then jams
    kiosk.receipt_printer.fail_next = 5
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.code == CODE and state.printed_on == ""  # no printer works: the screen is the proof
    assert owed(kiosk) == [(CODE, ("copy", "receipt"))]
    # the jam is cleared: "try again" prints under the same payment, for free, and nothing is owed
    kiosk.a4.fail_next = kiosk.receipt_printer.fail_next = 0
    flow.retry_print()
    assert flow.screen == Screen.done
    assert [title for title, _ in kiosk.a4.pdfs] == [CODE]
    assert owed(kiosk) == []


def test_copy_fails_slip_on_receipt_printer(kiosk: KioskServices, gateway: SimulatedGateway) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.a4.fail_next = 2  # the copy and the A4 fallback fail; the receipt printer works
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.printed_on == "receipt_printer" and state.error_kind == "device"
    assert kiosk.receipt_printer.receipts[-1].code == CODE


def test_receipt_fails_after_the_copy_prints_on_a4_and_the_visit_ends(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.receipt_printer.fail_next = 2  # the receipt, and the receipt printer again for the slip
    pay(flow, gateway)
    assert flow.screen == Screen.done  # the receipt came out of the A4 printer instead
    assert [title for title, _ in kiosk.a4.pdfs] == [CODE, f"slip-{CODE}"]
    assert owed(kiosk) == []


def test_receipt_fails_on_every_printer_after_the_copy(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    flow.subscribe(lambda f: setattr(kiosk.a4, "fail_next", 9) if f.visit.copy_printed else None)
    kiosk.receipt_printer.fail_next = 9
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.code == CODE and state.missing == ("receipt",) and state.printed_on == ""
    assert owed(kiosk) == [(CODE, ("receipt",))]
    # the free reprint prints what is listed as missing: the receipt, not a second copy (walk W12)
    kiosk.a4.fail_next = kiosk.receipt_printer.fail_next = 0
    copies_before = list(kiosk.a4.pdfs)
    kiosk.collect.free_reprint(CODE)
    reprinted = kiosk.receipt_printer.receipts[-1]
    assert reprinted.code == CODE and reprinted.amount_vnd == state.amount_vnd
    assert reprinted.payment_reference == state.reference
    assert kiosk.a4.pdfs == copies_before
    assert owed(kiosk) == []


def test_both_missing_and_no_slip_the_free_reprint_prints_copy_and_receipt(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.a4.fail_next = kiosk.receipt_printer.fail_next = 5  # no printer works: no slip either
    state = _paid_and_failed(flow, kiosk, gateway)
    assert state.printed_on == "" and owed(kiosk) == [(CODE, ("copy", "receipt"))]
    kiosk.a4.fail_next = kiosk.receipt_printer.fail_next = 0
    kiosk.collect.free_reprint(CODE)
    assert kiosk.a4.pdfs[-1] == (CODE, b"%PDF-1.7 the signed copy")
    assert kiosk.receipt_printer.receipts[-1].code == CODE
    assert owed(kiosk) == []


# -- the citizen walks away --------------------------------------------------------------------------
class DeferredRunner(ImmediateRunner):
    """Holds the named tasks until `release`: a print still running when the visit is reset."""

    def __init__(self, hold: str) -> None:
        super().__init__()
        self.hold, self.held = hold, []

    def submit(self, name: str, work: Any, done: Any, failed: Any, progress: Any = None) -> None:
        if name == self.hold:
            self.held.append((name, work, done, failed, progress))
            return
        super().submit(name, work, done, failed, progress)


def test_a_paid_visit_reset_before_it_delivered_prints_the_slip_first(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    runner = DeferredRunner("print_copy")
    flow = VisitFlow(kiosk, runner)
    to_review(flow)
    pay(flow, gateway)
    assert flow.screen == Screen.printing and runner.held  # the copy is on its way...
    kiosk.a4.fault = PaperOut  # ...and never comes: the kiosk is reset (a time-out, a restart)
    flow.reset(reason="idle")
    assert flow.screen == Screen.attract
    assert "collect_slip" in runner.names
    assert kiosk.receipt_printer.receipts[-1].code == CODE
    assert "ĐÃ NHẬN PHÍ - BẢN SAO CHỜ NHẬN" in kiosk.receipt_printer.receipts[-1].lines
    assert owed(kiosk) == [(CODE, ("copy",))]  # the slip carried the receipt


def test_the_collect_screen_times_out_without_a_second_slip(
    kiosk: KioskServices, gateway: SimulatedGateway
) -> None:
    flow = VisitFlow(kiosk, ImmediateRunner())
    to_review(flow)
    kiosk.a4.fault = None
    kiosk.a4.fail_next = 1
    _paid_and_failed(flow, kiosk, gateway)
    slips = len(kiosk.receipt_printer.receipts)
    flow.clock = lambda: 10**9
    flow.idle_status()
    assert flow.screen == Screen.attract
    assert len(kiosk.receipt_printer.receipts) == slips
