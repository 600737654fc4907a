"""kiosk.runtime.memory: the malloc arenas, giving memory back, and the collector paused while modules load."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.runtime.memory import collection_paused, release_memory, tune_malloc


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_in_the_block_and_runs_again_after(collector_on: object) -> None:
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_after_a_block_that_failed(collector_on: object) -> None:
    with pytest.raises(ImportError), collection_paused():
        raise ImportError("a plug-in that cannot load")
    assert gc.isenabled()


def test_a_collector_someone_else_paused_stays_paused(collector_on: object) -> None:
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()


def test_the_command_line_gives_the_collector_back_after_a_command_and_after_an_error(
    collector_on: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", str(tmp_path / "missing.pdf")]) == 2  # loads the command's modules, then fails
    assert "file not found" in capsys.readouterr().err
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["verify"])  # argparse: the file is missing
    assert gc.isenabled()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt and malloc_trim")
def test_glibc_is_found_without_a_child_process_and_memory_is_given_back() -> None:
    assert tune_malloc() is True
    release_memory()  # collects and trims; must not raise
