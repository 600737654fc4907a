"""The NFC chip reader: exchanges APDUs with the chip of the citizen's ID card.

Two back-ends behind one Protocol, :class:`ChipReader`:

* :class:`PcscChipReader`, PC/SC through pyscard: pcscd and a USB NFC reader (ACR122U, ACR1252U...) in
  production; pcscd with the vsmartcard virtual reader (vpcd) in the tests.
* :class:`SimulatedChipReader`, which holds a simulated card in its field: anything with an ``atr``,
  ``power_on()`` and ``process(apdu) -> response`` (the kiosk's simulated ICAO chip is one). Faults:
  ``absent`` (the reader is unplugged), :meth:`SimulatedChipReader.remove_after` (the card is moved
  away after some APDUs).

The reader knows APDUs, not passports: the ICAO 9303 protocol lives in ``kiosk.identity.chip``. Every
call runs on the device's worker thread with a timeout. A card moved away raises :class:`CardRemoved`,
no card in the field :class:`NoCard`, a reader that is not there :class:`~drivers.errors.DeviceAbsent`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from drivers.base import Device, DeviceBase
from drivers.errors import DeviceAbsent, DeviceError
from drivers.health import DeviceState, DeviceStatus

log = logging.getLogger(__name__)


class NoCard(DeviceError):
    """No card (or a card without a chip) in the reader's field."""

    reason = "no_card"


class CardRemoved(DeviceError):
    """The card left the reader's field during an exchange."""

    reason = "card_removed"


@runtime_checkable
class ChipReader(Device, Protocol):
    def connect(self, wait_s: float = 0.0) -> bytes:
        """Power the card in the field (waiting up to ``wait_s`` for one) and return its ATR."""
        ...

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU; the response data followed by the status word."""
        ...

    def disconnect(self) -> None:
        """Power the card down (its session keys are gone); safe to call when not connected."""
        ...


class SimulatedCard(Protocol):
    atr: bytes

    def power_on(self) -> None: ...
    def process(self, apdu: bytes) -> bytes: ...


class _ChipReaderBase(DeviceBase):
    category = "chip_reader"

    def connect(self, wait_s: float = 0.0) -> bytes:
        return self._call(self._connect, wait_s, timeout=self.timeout + wait_s)

    def transmit(self, apdu: bytes) -> bytes:
        return self._call(self._transmit, bytes(apdu))

    def disconnect(self) -> None:
        self._call(self._disconnect)

    def _connect(self, wait_s: float) -> bytes:
        raise NotImplementedError

    def _transmit(self, apdu: bytes) -> bytes:
        raise NotImplementedError

    def _disconnect(self) -> None:
        raise NotImplementedError


# -- simulated ---------------------------------------------------------------------------------------
class SimulatedChipReader(_ChipReaderBase):
    """A reader with a simulated card in its field (or none: a card without a chip, or no card).

    ``card`` is the card, or a callable that makes it on first use (the demo's chip is issued lazily)."""

    def __init__(
        self,
        name: str = "chip_reader",
        card: SimulatedCard | Callable[[], SimulatedCard | None] | None = None,
        *,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(name, "simulated", timeout=timeout)
        self._factory: Callable[[], SimulatedCard | None] | None = None
        self._card: SimulatedCard | None = None
        if callable(card):
            self._factory = card
        else:
            self._card = card
        self._powered = False
        self._unplugged = False
        self._remove_after: int | None = None
        self._lock = threading.Lock()
        self.apdus = 0

    def place(self, card: SimulatedCard | None) -> None:
        """Lay a card on the reader (None takes it away)."""
        with self._lock:
            self._card, self._powered, self._remove_after = card, False, None
            self._factory = None

    def remove_after(self, apdus: int | None) -> None:
        """The card is moved away after ``apdus`` more exchanges (None: it stays)."""
        with self._lock:
            self._remove_after = apdus

    def set_fault(self, reason: str | None) -> None:
        """``absent``: the reader is unplugged; None plugs it back."""
        if reason not in (None, "absent"):
            raise ValueError(f"unknown chip reader fault {reason!r}; known: absent")
        self._unplugged = reason == "absent"

    def _check_plugged(self, action: str) -> None:
        if self._unplugged:
            raise self._error(
                DeviceAbsent, f"{self.name}: unplugged", f"{self.name} (simulated): {action}: unplugged"
            )

    def _connect(self, wait_s: float) -> bytes:
        self._check_plugged("connect")
        with self._lock:
            if self._factory is not None:
                self._card, self._factory = self._factory(), None
            card = self._card
            if card is None:
                raise self._error(NoCard, "no card on the reader", f"{self.name}: no card in the field")
            card.power_on()
            self._powered = True
            return bytes(card.atr)

    def _transmit(self, apdu: bytes) -> bytes:
        self._check_plugged("transmit")
        with self._lock:
            if self._remove_after is not None:
                if self._remove_after <= 0:
                    self._card, self._powered, self._remove_after = None, False, None
                else:
                    self._remove_after -= 1
            card = self._card
            if card is None or not self._powered:
                self._powered = False
                raise self._error(CardRemoved, "the card was moved away", f"{self.name}: card left the field")
            self.apdus += 1
            return card.process(apdu)

    def _disconnect(self) -> None:
        with self._lock:
            self._powered = False

    def _status(self) -> DeviceStatus:
        if self._unplugged:
            return self._make_status(DeviceState.absent, "chip reader (simulated): unplugged", "absent")
        present = "card in the field" if self._card is not None or self._factory else "no card"
        return self._make_status(DeviceState.ok, f"chip reader (simulated): {present}")


# -- PC/SC -------------------------------------------------------------------------------------------
def _scard() -> Any:
    """pyscard's PC/SC layer, for a real reader."""
    try:
        from smartcard import scard  # loads libpcsclite: only a PC/SC reader needs it, on first use
    except ImportError as exc:  # pyscard is a dependency; a broken install is a configuration problem
        raise DeviceAbsent(
            "PC/SC support (pyscard) is not installed",
            category="chip_reader",
            detail=f"import pyscard: {exc}",
        ) from None
    return scard


class PcscChipReader(_ChipReaderBase):
    """A PC/SC reader through pcscd. ``reader`` picks it by a case-insensitive part of its name (""
    = the first reader). pcscd's socket is the library default, or $PCSCLITE_CSOCK_NAME."""

    def __init__(self, reader: str = "", name: str = "chip_reader", *, timeout: float = 5.0) -> None:
        super().__init__(name, "pcsc", timeout=timeout)
        self.reader = reader
        self._context: Any = None
        self._card: Any = None
        self._protocol = 0
        self._reader_name = ""

    # -- plumbing -----------------------------------------------------------------------------------
    def _fail(self, hresult: int, action: str) -> DeviceError:
        scard = _scard()
        text = f"{self.name} ({self._reader_name or self.reader or 'pcsc'}): {action}: "
        text += f"{scard.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"
        gone = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD,
                scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_W_UNRESPONSIVE_CARD}  # fmt: skip
        absent = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_NO_READERS_AVAILABLE,
                  scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_UNKNOWN_READER, scard.SCARD_F_COMM_ERROR,
                  scard.SCARD_E_INVALID_HANDLE}  # fmt: skip
        if hresult in absent:
            self._drop(context=True)
            return self._error(DeviceAbsent, f"{self.name}: the chip reader is not connected", text)
        if hresult in gone:
            self._drop()
            if action == "connect":
                return self._error(NoCard, "no card on the reader", text)
            return self._error(CardRemoved, "the card was moved away", text)
        return self._error(DeviceError, f"{self.name}: {action} failed", text)

    def _drop(self, *, context: bool = False, reset: bool = False) -> None:
        """Let go of the card (``reset``: power it down, which ends its session) and maybe the context."""
        scard = _scard()
        disposition = scard.SCARD_RESET_CARD if reset else scard.SCARD_LEAVE_CARD
        if self._card is not None:
            try:
                scard.SCardDisconnect(self._card, disposition)
            except Exception:  # the handle may already be dead
                log.debug("%s: disconnect failed", self.name, exc_info=True)
            self._card = None
        if context and self._context is not None:
            try:
                scard.SCardReleaseContext(self._context)
            except Exception:
                log.debug("%s: release context failed", self.name, exc_info=True)
            self._context = None

    def _ensure_context(self) -> Any:
        scard = _scard()
        if self._context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                raise self._fail(hresult, "establish context")
            self._context = context
        return self._context

    def _find_reader(self) -> str:
        scard = _scard()
        fresh = self._context is None
        context = self._ensure_context()
        hresult, readers = scard.SCardListReaders(context, [])
        if not fresh and hresult in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_INVALID_HANDLE):
            self._drop(context=True)  # pcscd restarted since the context was made: make a new one
            hresult, readers = scard.SCardListReaders(self._ensure_context(), [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE or (
            hresult == scard.SCARD_S_SUCCESS and not readers
        ):
            raise self._error(
                DeviceAbsent, f"{self.name}: no chip reader connected", f"{self.name}: pcscd lists no reader"
            )
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._fail(hresult, "list readers")
        wanted = self.reader.lower()
        for candidate in readers:
            if wanted in candidate.lower():
                self._reader_name = candidate
                return str(candidate)
        raise self._error(
            DeviceAbsent,
            f"{self.name}: the chip reader is not connected",
            f"{self.name}: no reader matching {self.reader!r} among {', '.join(readers)}",
        )

    def _card_present(self, reader: str, wait_s: float) -> bool:
        scard = _scard()
        deadline = time.monotonic() + wait_s
        state = scard.SCARD_STATE_UNAWARE
        while True:
            remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
            hresult, states = scard.SCardGetStatusChange(
                self._ensure_context(), remaining_ms, [(reader, state)]
            )
            if hresult == scard.SCARD_E_TIMEOUT:
                return False
            if hresult != scard.SCARD_S_SUCCESS:
                raise self._fail(hresult, "status")
            _, event, _ = states[0]
            if event & scard.SCARD_STATE_PRESENT and not event & scard.SCARD_STATE_MUTE:
                return True
            if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                raise self._error(
                    DeviceAbsent, f"{self.name}: the chip reader is not connected", f"{reader}: unavailable"
                )
            if time.monotonic() >= deadline:
                return False
            state = event & ~scard.SCARD_STATE_CHANGED

    # -- the Protocol -------------------------------------------------------------------------------
    def _connect(self, wait_s: float) -> bytes:
        scard = _scard()
        self._drop()
        reader = self._find_reader()
        if not self._card_present(reader, wait_s):
            raise self._error(NoCard, "no card on the reader", f"{reader}: no card in the field")
        hresult, card, protocol = scard.SCardConnect(
            self._ensure_context(),
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._fail(hresult, "connect")
        self._card, self._protocol = card, protocol
        hresult, _, _, _, atr = scard.SCardStatus(card)
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._fail(hresult, "connect")
        return bytes(atr)

    def _transmit(self, apdu: bytes) -> bytes:
        scard = _scard()
        if self._card is None:
            raise self._error(CardRemoved, "the card was moved away", f"{self.name}: transmit without a card")
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hresult in (scard.SCARD_E_NOT_TRANSACTED, scard.SCARD_E_COMM_DATA_LOST):
            # Over the air, a failed exchange is a card that left the field (or stopped answering): the
            # way forward is the same, lay it on the reader again.
            hresult = scard.SCARD_W_REMOVED_CARD
        if hresult != scard.SCARD_S_SUCCESS:
            raise self._fail(hresult, "transmit")
        out = bytes(response)
        if len(out) < 2:  # no status word: the card left the field in the middle of the exchange
            self._drop()
            raise self._error(
                CardRemoved, "the card was moved away", f"{self._reader_name}: no answer from the card"
            )
        # T=0 cards announce their data with 61xx (GET RESPONSE) or ask for the right Le with 6Cxx.
        while len(out) >= 2 and out[-2] == 0x61:
            hresult, more = scard.SCardTransmit(self._card, self._protocol, [0x00, 0xC0, 0x00, 0x00, out[-1]])
            if hresult != scard.SCARD_S_SUCCESS:
                raise self._fail(hresult, "transmit")
            out = out[:-2] + bytes(more)
        if len(out) == 2 and out[0] == 0x6C and len(apdu) >= 5:
            return self._transmit(apdu[:-1] + bytes([out[1]]))
        return out

    def _disconnect(self) -> None:
        self._drop(reset=True)

    def _status(self) -> DeviceStatus:
        reader = self._find_reader()
        present = self._card_present(reader, 0.0)
        return self._make_status(DeviceState.ok, f"{reader}: {'card in the field' if present else 'no card'}")

    def _close(self) -> None:
        self._drop(context=True)
