"""What every subcommand shares: the context that loads config and services once, and output."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import KioskConfig, load_config
from kiosk.errors import BadInputError
from ocr.errors import ImageError
from ocr.images import load_image

if TYPE_CHECKING:
    import numpy as np

    from kiosk.app import KioskApp

Handler = Callable[[argparse.Namespace, "CommandContext"], int]

# Larger input files are refused before they are read: a scan or photo of a page is a few MB, a
# certified copy of 200 pages under 200 MB.
MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_PDF_BYTES = 200 * 1024 * 1024


def check_input_file(path: str | Path, what: str = "the file", *, limit: int = MAX_IMAGE_BYTES) -> Path:
    """The path of an input file, once it is known to be a regular file no larger than ``limit``.

    A FIFO, a device (``/dev/zero``, also behind a symlink), a directory or a socket, or a file that is
    too large, is a BadInputError (exit 2, one line) before a byte of it is read.
    """
    file = Path(path)
    try:
        info = file.stat()  # follows symlinks: what would be read
    except FileNotFoundError:
        raise BadInputError("file not found", subject=str(path)) from None
    except OSError as exc:
        raise BadInputError(f"cannot read {what}: {exc.strerror}", subject=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise BadInputError(f"{what} is a directory, not a file", subject=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise BadInputError(f"{what} is not a regular file (a device, FIFO or socket)", subject=str(path))
    if info.st_size > limit:
        raise BadInputError(
            f"{what} is {info.st_size / 2**20:.0f} MB, larger than the {limit / 2**20:.0f} MB limit",
            subject=str(path),
        )
    return file


def read_input_file(path: str | Path, what: str = "the file", *, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of an input file checked by ``check_input_file``, read with the same checks on the open
    file (it may have been swapped since) and never more than ``limit`` bytes."""
    file = check_input_file(path, what, limit=limit)
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise BadInputError(f"cannot read {what}: {exc.strerror}", subject=str(path)) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise BadInputError(f"{what} is not a regular file", subject=str(path))
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise BadInputError(f"{what} is larger than the {limit / 2**20:.0f} MB limit", subject=str(path))
    return data


def output_folder(path: str | Path, option: str = "--out") -> Path:
    """The folder a command writes into, created when missing; a BadInputError (exit 2, one line) when
    `path` is a file, lies under a file, or cannot be created or written (issue 25: `kiosk demo --out FILE`
    ended in a FileExistsError traceback)."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise BadInputError(f"{option} must be a folder, and this is a file", subject=str(path))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise BadInputError(
            f"{option}: a part of this path is a file, not a folder", subject=str(path)
        ) from None
    except OSError as exc:
        raise BadInputError(
            f"{option}: cannot create the folder: {exc.strerror}", subject=str(path)
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInputError(f"{option}: the folder cannot be written to", subject=str(path))
    return folder


def check_output_file(path: str | Path, option: str) -> Path:
    """A file a command will write, checked before any work is done (see `write_output_file`)."""
    file = Path(path)
    if file.is_dir():
        raise BadInputError(f"{option} is a folder: give a file name", subject=str(path))
    if not file.parent.is_dir():
        raise BadInputError(f"{option}: the folder {file.parent} does not exist", subject=str(path))
    if file.exists() and not file.is_file():
        raise BadInputError(f"{option} is not a regular file (a device, FIFO or socket)", subject=str(path))
    return file


def write_output_file(path: str | Path, data: bytes, option: str) -> Path:
    """Write `data` to the file a command was asked to save; a BadInputError (exit 2, one line) when the
    path is a folder, its folder is missing, or it cannot be written."""
    file = check_output_file(path, option)
    try:
        file.write_bytes(data)
    except OSError as exc:
        raise BadInputError(f"{option}: cannot write the file: {exc.strerror}", subject=str(path)) from None
    return file


class CommandContext:
    """Built once per CLI call; loads the config on first use."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        # composed on first use by kiosk.commands._kiosk_app.kiosk_app, for the commands that drive the kiosk
        self.kiosk_app: KioskApp | None = None

    @cached_property
    def config(self) -> KioskConfig:
        return load_config(getattr(self.args, "config", None))

    @property
    def as_json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    def emit(self, payload: dict[str, Any], human: str) -> None:
        """Print one JSON object with --json, else the human text."""
        if self.as_json:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        else:
            sys.stdout.write(human.rstrip("\n") + "\n")
        sys.stdout.flush()


def add_common_options(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    parser.add_argument(
        "--config", metavar="PATH", help="kiosk config file (TOML); default: simulated profile"
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def load_image_file(path: str, what: str) -> np.ndarray:
    """The image in the file at `path`, or a BadInputError naming it (`what`: "the card image"...)."""
    check_input_file(path, what)  # no FIFO, device, directory or huge file is ever read
    try:
        return load_image(Path(path))
    except ImageError as exc:
        raise BadInputError(f"{what} is not a usable image: {exc}", subject=path) from None
