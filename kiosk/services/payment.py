"""The payment step of a visit: VietQR confirmed through the city backend, cash at the counter as fallback.

The visit's flow calls, in order::

    request = payments.create(fee, reference)      # opens the payment on the backend; request.qr_payload
    result = payments.wait_confirmed(request.reference, timeout=120, cancelled=event)
    permit = payments.permit(request.reference)    # raises PaymentRequired unless the backend said paid
    payments.print_with(permit, "copy", lambda: pipeline.print_copy(copy))
    payments.print_with(permit, "receipt", lambda: pipeline.print_receipt(copy))

Nothing prints without a :class:`PrintPermit`, and only :meth:`PaymentService.permit` makes one, after the
backend confirmed the payment (or for a fee of 0). Each part of a visit's printing (the copy, the receipt)
goes through once per paid visit: a part whose print failed keeps its credit and can be printed again for
free; a part that printed cannot be printed again on the same payment.

A citizen who cannot pay by QR chooses cash (:meth:`PaymentService.choose_cash`): the backend records it
(``cash_at_counter``) and the kiosk prints a queue ticket (:mod:`kiosk.services.queue_ticket`); it does not print
the copy.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from kiosk.errors import KioskError, UnavailableError
from kiosk.services.fee import Fee
from offline_sync.protocol.errors import BackendError
from offline_sync.vietqr import VietQR

log = logging.getLogger(__name__)
T = TypeVar("T")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: a reference may be read aloud
PRINT_PARTS = ("copy", "receipt")


class PaymentRequired(KioskError):
    """Printing was asked for a visit whose payment is not confirmed (or a part already printed)."""

    exit_code = 2
    default_key = "error.payment_required"


class PaymentChannel(Protocol):
    """What the service needs from the backend (offline_sync.kiosk_api_client.KioskApiClient)."""

    def open_payment(self, reference: str, amount_vnd: int) -> dict[str, Any]: ...
    def payment(self, reference: str) -> dict[str, Any]: ...
    def choose_cash(self, reference: str) -> dict[str, Any]: ...
    def cancel_payment(self, reference: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class PayeeAccount:
    """The beneficiary of the fee: the service centre's collection account."""

    bank_bin: str = "970415"
    account: str = "113366668888"
    name: str = "TT PHUC VU HANH CHINH CONG HN"


@dataclass(frozen=True)
class PaymentRequest:
    reference: str
    amount_vnd: int
    qr_payload: str
    fee: Fee | None = None


@dataclass(frozen=True)
class PaymentResult:
    """``method`` vietqr, cash or free; ``status`` paid, pending, cash_at_counter, cancelled or timeout."""

    method: str
    status: str
    reference: str

    @property
    def paid(self) -> bool:
        return self.status == "paid"

    def to_json(self) -> dict[str, str]:
        return {"method": self.method, "status": self.status, "reference": self.reference}


@dataclass
class PrintPermit:
    """Proof that a visit's fee was paid; made only by :meth:`PaymentService.permit`."""

    reference: str
    amount_vnd: int
    method: str
    printed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    _token: object = field(default=None, repr=False)


_PERMIT_TOKEN = object()


def new_reference(kiosk_id: str) -> str:
    """A visit's payment reference: the kiosk id's letters and digits, "P", 8 random characters.
    ASCII only, at most 25 characters (the VietQR transfer note, field 62.08)."""
    prefix = "".join(ch for ch in kiosk_id.upper() if ch.isalnum())[:14]
    return f"{prefix}P{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


class PaymentService:
    def __init__(
        self,
        channel: PaymentChannel,
        *,
        kiosk_id: str,
        payee: PayeeAccount = PayeeAccount(),
        poll_interval: float = 1.0,
    ) -> None:
        self.channel = channel
        self.kiosk_id = kiosk_id
        self.payee = payee
        self.poll_interval = poll_interval
        self._lock = threading.Lock()
        self._requests: dict[str, PaymentRequest] = {}
        self._results: dict[str, PaymentResult] = {}
        self._permits: dict[str, PrintPermit] = {}

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except BackendError as exc:
            raise UnavailableError(
                f"payment {what}: {exc}", key="error.payment_unavailable", subject=exc.subject
            ) from None

    def new_reference(self) -> str:
        return new_reference(self.kiosk_id)

    def create(self, fee: Fee | int, reference: str | None = None) -> PaymentRequest:
        """Open the payment on the backend and build its VietQR. A fee of 0 needs no payment."""
        amount = fee if isinstance(fee, int) else fee.total_vnd
        reference = reference or self.new_reference()
        if amount < 0:
            raise ValueError("a fee cannot be negative")
        payload = ""
        if amount > 0:
            self._call("open", lambda: self.channel.open_payment(reference, amount))
            payload = VietQR(
                bank_bin=self.payee.bank_bin,
                account=self.payee.account,
                amount_vnd=amount,
                purpose=reference,
                merchant_name=self.payee.name,
            ).encode()
        request = PaymentRequest(reference, amount, payload, None if isinstance(fee, int) else fee)
        with self._lock:
            self._requests[reference] = request
            if amount == 0:
                self._results[reference] = PaymentResult("free", "paid", reference)
        return request

    def status(self, reference: str) -> PaymentResult:
        """The backend's word on a payment now (one request)."""
        with self._lock:
            known = self._results.get(reference)
            request = self._requests.get(reference)
        if known is not None and known.method == "free":
            return known
        if request is None:
            raise PaymentRequired(f"no payment was opened for {reference}", subject=reference)
        answer = self._call("status", lambda: self.channel.payment(reference))
        status = str(answer.get("status", "pending"))
        method = "cash" if status == "cash_at_counter" else "vietqr"
        result = PaymentResult(method, status, reference)
        with self._lock:
            self._results[reference] = result
        return result

    def wait_confirmed(
        self, reference: str, *, timeout: float, cancelled: threading.Event | None = None
    ) -> PaymentResult:
        """Poll the backend until the payment is paid, cancelled, moved to cash, or ``timeout`` seconds
        pass (status ``timeout``); ``cancelled`` lets the screen stop the wait. A backend that cannot be
        reached during the wait is retried until the timeout; UnavailableError only if it never answered."""
        deadline = time.monotonic() + timeout
        stop = cancelled or threading.Event()
        last_error: UnavailableError | None = None
        answered = False
        while True:
            try:
                result = self.status(reference)
                answered = True
                if result.status != "pending":
                    return result
            except UnavailableError as exc:
                last_error = exc
                log.warning("payment %s: status poll failed: %s", reference, exc.message)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.is_set():
                if not answered and last_error is not None:
                    raise last_error
                method = "vietqr"
                return PaymentResult(method, "timeout" if remaining <= 0 else "cancelled", reference)
            stop.wait(min(self.poll_interval, remaining))

    def choose_cash(self, reference: str) -> PaymentResult:
        """The citizen pays at the counter: the backend records it; the kiosk prints a queue ticket."""
        answer = self._call("cash", lambda: self.channel.choose_cash(reference))
        result = PaymentResult("cash", str(answer.get("status", "cash_at_counter")), reference)
        with self._lock:
            self._results[reference] = result
        return result

    def cancel(self, reference: str) -> PaymentResult:
        """The citizen left or cancelled before paying. A paid payment stays paid (the backend refuses):
        then the backend's word is asked and returned, so a payment confirmed while the citizen cancelled
        is not lost (the caller prints it); otherwise the result is ``cancelled``."""
        with self._lock:
            request = self._requests.get(reference)
        cancelled = PaymentResult("vietqr", "cancelled", reference)
        if request is None or request.amount_vnd <= 0:
            return cancelled
        try:
            self.channel.cancel_payment(reference)
        except BackendError as exc:
            log.warning("payment %s: cancel not recorded: %s", reference, exc)
            try:
                now = self.status(reference)
            except (UnavailableError, PaymentRequired):
                return cancelled
            if now.paid:
                log.warning("payment %s: the bank confirmed it while it was being cancelled", reference)
                return now
            return cancelled
        with self._lock:
            self._results[reference] = cancelled
        return cancelled

    def permit(self, reference: str) -> PrintPermit:
        """The print permit of a paid visit (the same one on every call); PaymentRequired otherwise."""
        with self._lock:
            existing = self._permits.get(reference)
            result = self._results.get(reference)
            request = self._requests.get(reference)
        if existing is not None:
            return existing
        if result is None or not result.paid:
            result = self.status(reference)
        if not result.paid or request is None:
            raise PaymentRequired(
                f"the payment {reference} is not confirmed ({result.status}): nothing is printed",
                subject=reference,
            )
        permit = PrintPermit(reference, request.amount_vnd, result.method, _token=_PERMIT_TOKEN)
        with self._lock:
            return self._permits.setdefault(reference, permit)

    def print_with(self, permit: PrintPermit, part: str, print_fn: Callable[[], T]) -> T:
        """Run ``print_fn`` (the print of one ``part`` of the visit) under a permit.

        A permit not made by this service, a part already printed, or an unknown part raise
        PaymentRequired before anything prints. When ``print_fn`` raises, the part stays unprinted: the
        citizen may retry it for free."""
        if part not in PRINT_PARTS:
            raise ValueError(f"part must be one of {PRINT_PARTS}, got {part!r}")
        with self._lock:
            genuine = permit._token is _PERMIT_TOKEN and self._permits.get(permit.reference) is permit
            if not genuine:
                raise PaymentRequired("this print permit was not issued by the payment service")
            if part in permit.printed:
                raise PaymentRequired(f"the {part} of {permit.reference} was already printed")
        try:
            value = print_fn()
        except BaseException:
            with self._lock:
                permit.failed.add(part)
            log.warning("payment %s: the %s did not print; a reprint is free", permit.reference, part)
            raise
        with self._lock:
            permit.printed.add(part)
            permit.failed.discard(part)
        return value

    def free_reprint_due(self, reference: str) -> list[str]:
        """The parts of a paid visit that failed to print and are owed (free) to the citizen."""
        with self._lock:
            permit = self._permits.get(reference)
            return sorted(permit.failed - permit.printed) if permit else []

    def forget(self, reference: str) -> None:
        """End of the visit: drop what the service remembers of it."""
        with self._lock:
            self._requests.pop(reference, None)
            self._results.pop(reference, None)
            self._permits.pop(reference, None)


def configured_payments(
    api: Any, config: Any, *, poll_interval: float | None = None
) -> PaymentService | None:
    """The visit's payment service over the backend channel `api`, as ``[payment]`` says: the centre's
    collection account in the VietQR (bank_bin, account, payee_name) and the poll interval; None with
    ``mode = "off"``. The one place `kiosk run` (ui/visit_parts.py) and VisitExtras build it; the demo takes
    its payee from `configured_payee` (issue 25 W5: a second copy of this wiring once put the sample account
    in every real kiosk's QR)."""
    settings = config.payment
    if settings.mode != "vietqr":
        return None
    interval = settings.poll_interval_s if poll_interval is None else poll_interval
    return PaymentService(
        api, kiosk_id=config.kiosk.id, payee=configured_payee(config), poll_interval=interval
    )


def configured_payee(config: Any) -> PayeeAccount:
    """The centre's collection account that ``[payment]`` names (bank_bin, account, payee_name)."""
    settings = config.payment
    return PayeeAccount(settings.bank_bin, settings.account, settings.payee_name)
