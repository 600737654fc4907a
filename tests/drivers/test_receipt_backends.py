"""Device back-ends chosen by `type`: each with its own settings, built from a registry that refuses an
unknown type; the ESC/POS printer over serial, network (TCP) and USB (a printer-class device node) transports,
with its python-escpos profile from the config. The far end is the virtual printer of escpos_virtual_printer.py."""

from __future__ import annotations

import os
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import Receipt
from drivers.build import BACKENDS, BuildContext, build_device, build_devices
from drivers.config import (
    DevicesConfig,
    EscposNetworkConfig,
    EscposSerialConfig,
    EscposUsbConfig,
    SimulatedReceiptPrinterConfig,
)
from drivers.errors import DeviceAbsent, DeviceConfigError
from drivers.escpos import EscposPrinter, receipt_bytes
from drivers.escpos_transports import NetworkTransport, UsbTransport
from drivers.health import DeviceState
from kiosk.config import load_config, parse_config
from kiosk.errors import ConfigError
from tests.drivers.escpos_virtual_printer import VirtualEscposPrinter

RECEIPT = Receipt(code="HN-001-000042-7", lines=("Biên nhận", "Số trang: 2"), qr_data="HN-001-000042-7")
QUERIES = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


class TcpBridge:
    """A network receipt printer: TCP on a loopback port, wired to the virtual printer's serial side."""

    def __init__(self, device_path: str) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.device = os.open(device_path, os.O_RDWR | os.O_NOCTTY)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            with conn:
                while not self._stop.is_set():
                    ready, _, _ = select.select([conn, self.device], [], [], 0.1)
                    if conn in ready:
                        data = conn.recv(65536)
                        if not data:
                            break
                        os.write(self.device, data)
                    if self.device in ready:
                        conn.sendall(os.read(self.device, 4096))

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.server.close()
        os.close(self.device)


@pytest.fixture
def virtual() -> Iterator[VirtualEscposPrinter]:
    printer = VirtualEscposPrinter()
    yield printer
    printer.close()


def _printed_once(virtual: VirtualEscposPrinter, printer: EscposPrinter) -> None:
    assert printer.status().state == DeviceState.ok
    virtual.raw.clear()
    printer.print_receipt(RECEIPT)
    assert bytes(virtual.raw) == QUERIES + receipt_bytes(RECEIPT, profile=printer.profile) + QUERIES
    assert virtual.snapshot().cuts == 1


def test_network_printer_over_tcp(virtual: VirtualEscposPrinter) -> None:
    bridge = TcpBridge(virtual.path)
    try:
        config = EscposNetworkConfig(host="127.0.0.1", port=bridge.port, reply_timeout_s=0.5)
        with build_device("receipt_printer", config, BuildContext(Path("."))) as printer:
            assert isinstance(printer.transport, NetworkTransport)
            assert printer.kind == "escpos_network"
            _printed_once(virtual, printer)
    finally:
        bridge.close()


def test_network_printer_not_listening_is_absent() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there
    config = EscposNetworkConfig(host="127.0.0.1", port=port, timeout_s=2)
    with build_device("receipt_printer", config, BuildContext(Path("."))) as printer:
        assert printer.status().state == DeviceState.absent
        with pytest.raises(DeviceAbsent):
            printer.print_receipt(RECEIPT)


def test_usb_printer_device_node(virtual: VirtualEscposPrinter) -> None:
    # A printer-class device node (/dev/usb/lp0 on a kiosk); the virtual printer's node stands in for it.
    config = EscposUsbConfig(device=virtual.path, profile="TM-T88V", reply_timeout_s=0.5)
    with build_device("receipt_printer", config, BuildContext(Path("."))) as printer:
        assert isinstance(printer.transport, UsbTransport)
        assert printer.profile == "TM-T88V"
        _printed_once(virtual, printer)
    # The profile shapes the job: the TM-T88V's head is 512 dots wide, the TM-T20II's 576.
    assert receipt_bytes(RECEIPT, profile="TM-T88V") != receipt_bytes(RECEIPT, profile="TM-T20II")


def test_serial_printer_from_config(virtual: VirtualEscposPrinter) -> None:
    config = EscposSerialConfig(port=virtual.path, reply_timeout_s=0.3)
    with build_device("receipt_printer", config, BuildContext(Path("."))) as printer:
        _printed_once(virtual, printer)


def test_an_unknown_profile_is_a_config_error(virtual: VirtualEscposPrinter) -> None:
    with pytest.raises(DeviceConfigError, match="unknown printer profile"):
        build_device(
            "receipt_printer",
            EscposUsbConfig(device=virtual.path, profile="TM-NOPE"),
            BuildContext(Path(".")),
        )


def test_the_registry_refuses_an_unknown_type(tmp_path: Path) -> None:
    forged = SimulatedReceiptPrinterConfig.model_construct(type="thermal_2000", folder="r", paper_mm=80)
    with pytest.raises(DeviceConfigError) as info:
        build_device("receipt_printer", forged, BuildContext(tmp_path))
    assert "unknown type 'thermal_2000'" in str(info.value)
    assert "escpos_network" in info.value.detail


def test_every_config_type_has_a_builder() -> None:
    from typing import get_args

    for device, field in DevicesConfig.model_fields.items():
        keys = {get_args(model.model_fields["type"].annotation)[0] for model in get_args(field.annotation)}
        assert field.discriminator == "type"
        assert keys == set(BACKENDS[device]), device


def test_defaults_build_the_simulated_devices(tmp_path: Path) -> None:
    with build_devices(DevicesConfig(), tmp_path) as devices:
        assert [d.kind for d in devices] == ["simulated", "simulated", "pdf_folder", "simulated", "simulated"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[devices.receipt_printer]\ntype = "thermal_2000"\n',
            "key 'devices.receipt_printer.type': unknown type",
        ),
        (
            '[devices.receipt_printer]\ntype = "escpos_network"\nhost = "10.0.0.9"\nbaudrate = 9600\n',
            "unknown key 'devices.receipt_printer.baudrate'",
        ),
        ('[devices.scanner]\ntype = "sane"\nfolder = "x"\n', "unknown key 'devices.scanner.folder'"),
        ('[devices.camera]\ntype = "opencv"\nfps = 0\n', "key 'devices.camera.fps'"),
    ],
)
def test_config_check_names_the_file_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    file = tmp_path / "kiosk.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    assert str(caught.value).startswith(str(file))
    assert expected in str(caught.value)


def test_another_back_end_replaces_the_profiles_settings() -> None:
    # The hardware profile's receipt printer is serial (port, baudrate); a network one drops those keys.
    config = parse_config(
        {
            "profile": "hardware",
            "devices": {"receipt_printer": {"type": "escpos_network", "host": "10.0.0.9"}},
        }
    )
    printer = config.devices.receipt_printer
    assert isinstance(printer, EscposNetworkConfig)
    assert (printer.host, printer.port, printer.profile) == ("10.0.0.9", 9100, "TM-T20II")
