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


class CommandContext:
    """Built once per CLI call; loads the config and composes services lazily."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args

    @cached_property
    def config(self) -> KioskConfig:
        return load_config(getattr(self.args, "config", None))

    @cached_property
    def app(self) -> KioskApp:
        from kiosk.app import KioskApp

        return KioskApp(self.config)

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
    from ocr.errors import ImageError
    from ocr.images import load_image

    check_input_file(path, what)  # no FIFO, device, directory or huge file is ever read
    try:
        return load_image(Path(path))
    except ImageError as exc:
        raise BadInputError(f"{what} is not a usable image: {exc}", subject=path) from None
