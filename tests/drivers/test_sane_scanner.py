"""The SANE scanner through the real `scanimage`, against SANE's `test` backend (device test:0).

SANE_CONFIG_DIR points at a temp folder whose dll.conf lists only `test`, passed to the scanner's own
environment so other tests are not affected.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from drivers.build import build_devices
from drivers.config import DevicesConfig
from drivers.errors import CoverOpen, DeviceAbsent, NoDocument, PaperJam
from drivers.health import DeviceState
from drivers.scanners import SaneScanner, parse_options

pytestmark = pytest.mark.skipif(
    shutil.which("scanimage") is None, reason="sane-utils (scanimage) not installed"
)


@pytest.fixture
def sane_env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "sane.d"
    config.mkdir()
    (config / "dll.conf").write_text("test\n", encoding="utf-8")
    return {"SANE_CONFIG_DIR": str(config)}


@pytest.fixture
def grid_scanner(sane_env: dict[str, str]) -> Iterator[SaneScanner]:
    with SaneScanner("test:0", options={"test-picture": "Grid"}, env=sane_env, timeout=60) as scanner:
        yield scanner


def test_options_are_read_from_the_device(grid_scanner: SaneScanner) -> None:
    options = grid_scanner.capabilities()
    assert options["--mode"].values == ("Gray", "Color")
    assert (options["--resolution"].low, options["--resolution"].high, options["--resolution"].unit) == (
        1,
        1200,
        "dpi",
    )
    assert options["--source"].values == ("Flatbed", "Automatic Document Feeder")
    assert options["-x"].high == 200
    assert grid_scanner.has_feeder


def test_color_scan_of_the_grid_at_the_asked_dpi(grid_scanner: SaneScanner) -> None:
    image = grid_scanner.scan(dpi=50)
    # A4 clamped to the test device's 200 mm scan area: 200 x 200 mm at 50 dpi
    assert image.dtype == np.uint8 and image.ndim == 3
    assert image.shape == (int(200 / 25.4 * 50), int(200 / 25.4 * 50), 3)
    # the grid has 10 mm black and white squares
    assert 0.3 < (image[:, :, 0] < 128).mean() < 0.7
    command = grid_scanner.last_command
    assert command[command.index("--mode") + 1] == "Color"
    assert command[command.index("--resolution") + 1] == "50"
    assert command[command.index("--source") + 1] == "Flatbed"
    assert grid_scanner.status().state == DeviceState.ok


def test_gray_and_tiff_and_16_bit(sane_env: dict[str, str]) -> None:
    with SaneScanner(
        "test:0",
        mode="gray",
        page="a5",
        image_format="tiff",
        options={"test-picture": "Solid white", "depth": "16"},
        env=sane_env,
    ) as scanner:
        image = scanner.scan(dpi=40)
    assert image.shape == (int(200 / 25.4 * 40), int(148 / 25.4 * 40), 3)
    assert image.min() == 255


def test_lineart_falls_back_to_gray_when_not_offered(sane_env: dict[str, str]) -> None:
    with SaneScanner(
        "test:0", mode="lineart", env=sane_env, options={"test-picture": "Solid black"}
    ) as scanner:
        image = scanner.scan(dpi=30)
        assert scanner.last_command[scanner.last_command.index("--mode") + 1] == "Gray"
    assert image.max() == 0


def test_feeder_scans_every_page_then_is_empty(sane_env: dict[str, str]) -> None:
    with SaneScanner("test:0", source="adf", env=sane_env, options={"test-picture": "Grid"}) as scanner:
        pages = scanner.scan_feeder(dpi=20)
        assert len(pages) == 10  # the test backend's feeder holds 10 sheets
        assert all(p.shape == pages[0].shape for p in pages)
        one = scanner.scan(dpi=20)
        assert "Automatic Document Feeder" in scanner.last_command
        assert one.shape == pages[0].shape


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("SANE_STATUS_NO_DOCS", NoDocument),
        ("SANE_STATUS_JAMMED", PaperJam),
        ("SANE_STATUS_COVER_OPEN", CoverOpen),
    ],
)
def test_sane_status_becomes_a_typed_error(sane_env: dict[str, str], status: str, error: type) -> None:
    with (
        SaneScanner("test:0", env=sane_env, options={"read-return-value": status}) as scanner,
        pytest.raises(error) as info,
    ):
        scanner.scan(dpi=20)
    assert info.value.message_key.startswith("device.scanner.")
    assert "scanimage -d test:0" in info.value.detail


def test_missing_device_is_absent(sane_env: dict[str, str]) -> None:
    with SaneScanner("test:7", env=sane_env) as scanner:
        status = scanner.status()
        assert status.state == DeviceState.absent
        assert "test:7" in status.detail
        with pytest.raises(DeviceAbsent):
            scanner.scan()


def test_no_scanner_at_all_is_absent(tmp_path: Path) -> None:
    empty = tmp_path / "none.d"
    empty.mkdir()
    (empty / "dll.conf").write_text("", encoding="utf-8")
    with SaneScanner("", env={"SANE_CONFIG_DIR": str(empty)}) as scanner:
        assert scanner.status().state == DeviceState.absent


def test_first_device_is_picked_when_none_is_named(sane_env: dict[str, str]) -> None:
    with SaneScanner("", env=sane_env) as scanner:
        assert scanner.status().state == DeviceState.ok
        assert scanner.device == "test:0"


def test_build_devices_picks_sane(
    sane_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANE_CONFIG_DIR", sane_env["SANE_CONFIG_DIR"])
    config = DevicesConfig.model_validate(
        {"scanner": {"type": "sane", "device": "test:1", "options": {"test-picture": "Solid white"}}}
    )
    with build_devices(config, tmp_path) as devices:
        assert devices.scanner.kind == "sane"
        assert devices.scanner.scan(dpi=25).min() == 255


def test_parse_options_lists_and_ranges() -> None:
    text = (
        "  Scan Mode:\n"
        "    --mode Lineart|Gray|Color [Color]\n"
        "        Selects the scan mode.\n"
        "    --resolution 75|150|300|600dpi [300]\n"
        "    --swdeskew[=(yes|no)] [no]\n"
        "    -x 0..215.9mm [215.9]\n"
        "    --source Flatbed|ADF [inactive]\n"
    )
    options = parse_options(text)
    assert options["--mode"].values == ("Lineart", "Gray", "Color")
    assert (
        options["--resolution"].values == ("75", "150", "300", "600")
        and options["--resolution"].unit == "dpi"
    )
    assert options["--swdeskew"].values == ("yes", "no")
    assert options["-x"].high == 215.9
    assert not options["--source"].active


def test_auto_source_uses_the_feeder_when_there_is_one(sane_env: dict[str, str]) -> None:
    with SaneScanner("test:0", source="auto", env=sane_env) as scanner:
        scanner.scan(dpi=20)
        command = scanner.last_command
        assert command[command.index("--source") + 1] == "Automatic Document Feeder"


def test_scanner_unplugged_and_plugged_back(sane_env: dict[str, str]) -> None:
    # the test backend reads how many devices it has from test.conf in SANE_CONFIG_DIR
    test_conf = Path(sane_env["SANE_CONFIG_DIR"]) / "test.conf"
    with SaneScanner("test:1", env=sane_env) as scanner:
        assert scanner.status().state == DeviceState.ok
        test_conf.write_text("number_of_devices 1\n", encoding="utf-8")  # test:1 is gone
        assert scanner.status().state == DeviceState.absent
        with pytest.raises(DeviceAbsent):
            scanner.scan(dpi=20)
        test_conf.unlink()  # back again
        assert scanner.status().state == DeviceState.ok
        assert scanner.scan(dpi=20).ndim == 3
