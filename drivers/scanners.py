"""Real scanners: SANE through `scanimage`, and a scan-to-folder inbox.

SANE: the device's options are read once with ``scanimage -d DEV -A`` and every scan picks values the
device actually offers: the closest resolution (the image is then resampled to the requested dpi), the
mode by name (Color / Gray / Lineart, or the nearest), the page size clamped to the scan area, and the
automatic document feeder when ``source`` asks for it and the device has one. Output is PNM (or TIFF)
on stdout, decoded into a BGR numpy array. SANE's status messages become typed errors: "out of
documents" -> NoDocument, "jammed" -> PaperJam, "cover is open" -> CoverOpen, "open ... failed" ->
DeviceAbsent, a hung scan -> DeviceTimeout.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from drivers.base import DeviceBase
from drivers.errors import (
    CoverOpen,
    DeviceAbsent,
    DeviceBusy,
    DeviceConfigError,
    DeviceError,
    DeviceTimeout,
    NoDocument,
    PaperJam,
    ScanFailed,
)
from drivers.health import DeviceState, DeviceStatus
from drivers.imaging import decode_image_bytes, scale_to_dpi

log = logging.getLogger(__name__)

PAGE_MM = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "letter": (215.9, 279.4), "legal": (215.9, 355.6)}
_MODE_WORDS = {
    "color": ("color", "colour", "rgb"),
    "gray": ("gray", "grey"),
    "lineart": ("lineart", "binary", "black"),
}
_ADF_WORDS = ("adf", "feeder", "automatic")
_OPTION_LINE = re.compile(r"^\s+(--?[\w-]+)(?:\[=\(([^)]*)\)\])?\s+(.*?)\s*\[([^\]]*)\]\s*$")

# SANE status text (sane_strstatus) -> the typed error
_SANE_ERRORS: tuple[tuple[str, type[DeviceError]], ...] = (
    ("out of documents", NoDocument),
    ("jammed", PaperJam),
    ("cover is open", CoverOpen),
    ("device busy", DeviceBusy),
    ("failed: invalid argument", DeviceAbsent),
    ("no scanners were identified", DeviceAbsent),
    ("error during device i/o", DeviceAbsent),
    ("access to resource has been denied", DeviceAbsent),
)


@dataclass(frozen=True)
class SaneOption:
    name: str  # "--resolution", "-x"
    values: tuple[str, ...]  # list choices, or () for a range
    low: float | None
    high: float | None
    unit: str
    current: str
    active: bool


def parse_options(text: str) -> dict[str, SaneOption]:
    """The options of ``scanimage -A`` output, by name."""
    options: dict[str, SaneOption] = {}
    for line in text.splitlines():
        match = _OPTION_LINE.match(line)
        if not match:
            continue
        name, boolean, spec, current = match.groups()
        values: tuple[str, ...] = ()
        low = high = None
        unit = ""
        if boolean:
            values = tuple(boolean.split("|"))
        elif ranged := re.match(r"^(-?[\d.]+)\.\.(-?[\d.]+)([a-z%]*)", spec):
            low, high, unit = float(ranged.group(1)), float(ranged.group(2)), ranged.group(3)
        elif spec:
            unit_match = re.search(r"(dpi|mm|us|pel|%)$", spec)
            unit = unit_match.group(1) if unit_match else ""
            values = tuple(v for v in spec.removesuffix(unit).split("|") if v)
        options[name] = SaneOption(name, values, low, high, unit, current, current != "inactive")
    return options


def _sane_error(stderr: str, returncode: int, device: str, name: str) -> DeviceError:
    lowered = stderr.lower()
    detail = f"scanimage -d {device}: exit {returncode}: {stderr.strip()[-400:]}"
    for text, cls in _SANE_ERRORS:
        if text in lowered:
            return cls(f"{name}: {text}", category="scanner", device=name, detail=detail)
    return ScanFailed(f"{name}: scan failed", category="scanner", device=name, detail=detail)


class SaneScanner(DeviceBase):
    """A SANE scanner driven by `scanimage`."""

    category = "scanner"
    status_timeout = 20.0

    def __init__(
        self,
        device: str = "",
        name: str = "scanner",
        *,
        mode: str = "color",
        page: str = "a4",
        source: str = "flatbed",
        options: Mapping[str, str] | None = None,
        image_format: str = "pnm",
        env: Mapping[str, str] | None = None,
        timeout: float = 120.0,
    ) -> None:
        super().__init__(name, "sane", timeout=timeout)
        if (
            mode not in _MODE_WORDS
            or (page not in PAGE_MM and page != "max")
            or source not in ("auto", "flatbed", "adf")
        ):
            raise DeviceConfigError(
                f"{name}: bad settings",
                category="scanner",
                device=name,
                detail=f"mode={mode!r} page={page!r} source={source!r}",
            )
        if image_format not in ("pnm", "tiff"):
            raise DeviceConfigError(
                f"{name}: bad image format", category="scanner", device=name, detail=image_format
            )
        self.device = device
        self.mode = mode
        self.page = page
        self.source = source
        self.extra_options = dict(options or {})
        self.image_format = image_format
        self._env = dict(env) if env is not None else None
        self._options: dict[str, SaneOption] | None = None
        self.last_command: list[str] = []
        self.last_dpi: float | None = None

    # -- scanimage ----------------------------------------------------------------------------------------
    def _run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
        if shutil.which("scanimage") is None:
            raise self._error(
                DeviceAbsent, "SANE is not installed", "scanimage not found on PATH (sane-utils)"
            )
        env = {**os.environ, **self._env} if self._env is not None else None
        try:
            return subprocess.run(
                ["scanimage", *args], capture_output=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:
            self._options = None
            raise self._error(
                DeviceTimeout,
                f"{self.name} did not finish the scan",
                f"scanimage {' '.join(args)}: no result in {timeout:.0f} s",
            ) from exc
        except OSError as exc:
            raise self._error(DeviceAbsent, "SANE cannot run", f"scanimage: {exc}") from exc

    def _device(self) -> str:
        if self.device:
            return self.device
        found = self._run(["-f", "%d%n"], self.status_timeout)
        names = found.stdout.decode(errors="replace").split()
        if not names:
            raise self._error(
                DeviceAbsent, f"{self.name} is not connected", "scanimage -L: no scanners were identified"
            )
        self.device = names[0]
        log.info("scanner %s: using SANE device %s", self.name, self.device)
        return self.device

    def _load_options(self) -> dict[str, SaneOption]:
        if self._options is None:
            device = self._device()
            done = self._run(["-d", device, "-A"], self.status_timeout)
            if done.returncode != 0:
                raise _sane_error(done.stderr.decode(errors="replace"), done.returncode, device, self.name)
            self._options = parse_options(done.stdout.decode(errors="replace"))
        return self._options

    def capabilities(self) -> dict[str, SaneOption]:
        """The device's options as ``scanimage -A`` lists them."""
        return self._call(self._load_options, timeout=self.status_timeout)

    @property
    def has_feeder(self) -> bool:
        return self._feeder_value(self._options or {}) is not None

    @staticmethod
    def _feeder_value(options: Mapping[str, SaneOption]) -> str | None:
        source = options.get("--source")
        if source is None:
            return None
        return next((v for v in source.values if any(w in v.lower() for w in _ADF_WORDS)), None)

    def _arguments(self, dpi: int, *, feeder: bool) -> tuple[list[str], float]:
        options = self._load_options()
        args = ["-d", self._device(), f"--format={self.image_format}"]
        mode = options.get("--mode")
        if mode is not None and mode.values:
            wanted = _MODE_WORDS[self.mode]
            choice = next((v for v in mode.values if any(w in v.lower() for w in wanted)), None)
            if choice is None:  # e.g. lineart asked, the device only has Gray/Color: OCR copes with gray
                choice = next((v for v in mode.values if "gray" in v.lower()), mode.values[0])
                log.info("scanner %s: mode %s not offered, using %s", self.name, self.mode, choice)
            args += ["--mode", choice]
        actual = float(dpi)
        resolution = options.get("--resolution")
        if resolution is not None:
            if resolution.values:
                offered = [float(v) for v in resolution.values if re.fullmatch(r"[\d.]+", v)]
                actual = min(offered, key=lambda v: (abs(v - dpi), -v)) if offered else actual
            elif resolution.low is not None and resolution.high is not None:
                actual = min(max(actual, resolution.low), resolution.high)
            args += ["--resolution", f"{actual:g}"]
        if self.page != "max":
            width, height = PAGE_MM[self.page]
            for flag, size in (("-x", width), ("-y", height)):
                geometry = options.get(flag)
                if geometry is not None and geometry.high is not None:
                    args += [flag, f"{min(size, geometry.high):g}"]
            for flag in ("-l", "-t"):
                if flag in options:
                    args += [flag, "0"]
        else:
            for flag in ("-x", "-y"):
                geometry = options.get(flag)
                if geometry is not None and geometry.high is not None:
                    args += [flag, f"{geometry.high:g}"]
        if feeder:
            value = self._feeder_value(options)
            if value is not None:
                args += ["--source", value]
        elif (source := options.get("--source")) is not None and source.values:
            flatbed = next((v for v in source.values if "flatbed" in v.lower()), None)
            if flatbed is not None:
                args += ["--source", flatbed]
        for key, value in self.extra_options.items():
            args += [key if key.startswith("-") else f"--{key}", value]
        return args, actual

    def _use_feeder(self) -> bool:
        if self.source == "flatbed":
            return False
        has = self._feeder_value(self._load_options()) is not None
        if self.source == "adf" and not has:
            raise self._error(
                DeviceConfigError, f"{self.name} has no document feeder", f"{self.device}: no ADF source"
            )
        return has

    # -- device API ---------------------------------------------------------------------------------------
    def scan(self, dpi: int = 300) -> np.ndarray:
        """One page at ``dpi`` (from the feeder when configured and it holds paper, else the glass)."""
        return self._call(self._scan, dpi)

    def _scan(self, dpi: int) -> np.ndarray:
        feeder = self._use_feeder()
        try:
            return self._scan_once(dpi, feeder=feeder)
        except NoDocument:
            if feeder and self.source == "auto":
                log.info("scanner %s: feeder empty, scanning the glass", self.name)
                return self._scan_once(dpi, feeder=False)
            raise

    def _scan_once(self, dpi: int, *, feeder: bool) -> np.ndarray:
        args, actual = self._arguments(dpi, feeder=feeder)
        self.last_command = ["scanimage", *args]
        started = time.monotonic()
        done = self._run(args, self.timeout)
        if done.returncode != 0:
            raise _sane_error(done.stderr.decode(errors="replace"), done.returncode, self.device, self.name)
        image = decode_image_bytes(done.stdout, f"{self.device} scan")
        self.last_dpi = actual
        log.debug(
            "scanner %s: %dx%d at %g dpi in %.2f s",
            self.name,
            image.shape[1],
            image.shape[0],
            actual,
            time.monotonic() - started,
        )
        return scale_to_dpi(image, round(actual), dpi) if round(actual) != dpi else image

    def scan_feeder(self, dpi: int = 300, max_pages: int = 100) -> list[np.ndarray]:
        """Every page in the document feeder, in order (NoDocument when it is empty)."""
        return self._call(self._scan_feeder, dpi, max_pages)

    def _scan_feeder(self, dpi: int, max_pages: int) -> list[np.ndarray]:
        if self._feeder_value(self._load_options()) is None:
            raise self._error(
                DeviceConfigError, f"{self.name} has no document feeder", f"{self.device}: no ADF source"
            )
        args, actual = self._arguments(dpi, feeder=True)
        suffix = "pnm" if self.image_format == "pnm" else "tif"
        with tempfile.TemporaryDirectory(prefix="kiosk-scan-") as folder:
            pattern = str(Path(folder) / f"page%04d.{suffix}")
            args += [f"--batch={pattern}", f"--batch-count={max_pages}"]
            self.last_command = ["scanimage", *args]
            done = self._run(args, self.timeout * max(1, min(max_pages, 10)))
            files = sorted(Path(folder).glob(f"page*.{suffix}"))
            stderr = done.stderr.decode(errors="replace")
            if done.returncode != 0 and not files:
                raise _sane_error(stderr, done.returncode, self.device, self.name)
            if not files:
                raise self._error(
                    NoDocument, f"{self.name}: the feeder is empty", f"{self.device}: batch scanned 0 pages"
                )
            if done.returncode != 0 and "out of documents" not in stderr.lower():
                raise _sane_error(stderr, done.returncode, self.device, self.name)
            pages = [decode_image_bytes(f.read_bytes(), f.name) for f in files]
        self.last_dpi = actual
        return [scale_to_dpi(p, round(actual), dpi) for p in pages]

    def _status(self) -> DeviceStatus:
        self._options = None  # re-open the device: it may have been unplugged or replaced
        options = self._load_options()
        feeder = " with document feeder" if self._feeder_value(options) else ""
        return self._make_status(DeviceState.ok, f"SANE {self.device}{feeder}")


class FolderScanner(DeviceBase):
    """A scan-to-folder device: each scan takes the oldest image in the inbox and moves it to ``done/``.

    Partially written files are skipped (names starting with ``.`` or ending in ``.part``/``.tmp``). An
    image's own dpi (PNG/TIFF/JPEG metadata) is honoured and resampled to the requested dpi.
    """

    category = "scanner"

    def __init__(self, folder: Path, name: str = "scanner", *, timeout: float = 30.0) -> None:
        super().__init__(name, "folder", timeout=timeout)
        self.folder = Path(folder)

    def _inbox(self) -> list[Path]:
        if not self.folder.is_dir():
            raise self._error(
                DeviceAbsent, f"{self.name}: inbox folder missing", f"{self.folder}: not a folder"
            )
        files = [
            p
            for p in self.folder.iterdir()
            if p.is_file()
            and not p.name.startswith(".")
            and p.suffix.lower() not in (".part", ".tmp", ".partial")
        ]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def scan(self, dpi: int = 300) -> np.ndarray:
        return self._call(self._scan, dpi)

    def _scan(self, dpi: int) -> np.ndarray:
        files = self._inbox()
        if not files:
            raise self._error(NoDocument, f"{self.name}: nothing in the inbox", f"{self.folder}: empty")
        path = files[0]
        try:
            image = decode_image_bytes(path.read_bytes(), path.name)
        except (ScanFailed, OSError) as exc:
            self._move(path, "rejected")
            raise self._error(ScanFailed, f"{self.name}: unreadable scan", f"{path.name}: {exc}") from exc
        source_dpi = _file_dpi(path) or dpi
        self._move(path, "done")
        return scale_to_dpi(image, source_dpi, dpi)

    def _move(self, path: Path, subfolder: str) -> None:
        target = self.folder / subfolder
        try:
            target.mkdir(exist_ok=True)
            path.replace(target / path.name)
        except OSError as exc:
            log.warning("scanner %s: cannot move %s to %s: %s", self.name, path.name, subfolder, exc)

    def _status(self) -> DeviceStatus:
        waiting = len(self._inbox())
        return self._make_status(DeviceState.ok, f"inbox {self.folder}: {waiting} page(s) waiting")


def _file_dpi(path: Path) -> int | None:
    try:
        with Image.open(path) as image:
            dpi = image.info.get("dpi")
    except (OSError, ValueError):
        return None
    if isinstance(dpi, tuple) and dpi and float(dpi[0]) >= 50:
        return round(float(dpi[0]))
    return None
