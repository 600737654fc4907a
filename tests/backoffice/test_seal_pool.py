"""The backend's seal check (backoffice.services.seals.SealChecker) in a pool of processes gives the same
verdicts as in the caller's thread, on real copies and on refused ones, and survives a killed worker."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from backoffice.services.seals import SealChecker, load_trust
from tests.backoffice.helpers import Kiosks
from tests.signing import attacks


@pytest.fixture(scope="module")
def pooled(kiosks: Kiosks) -> Iterator[SealChecker]:
    checker = SealChecker(load_trust([kiosks.root_cert]), workers=2)
    yield checker
    checker.close()


def _cases(kiosks: Kiosks) -> list[tuple[str, dict[str, object]]]:
    code, pdf = kiosks.issue("HN-001")
    other_code, other_pdf = kiosks.issue("HN-002")
    good = {"code": code, "kiosk_id": "HN-001", "pages": 1, "doc_type": "birth_certificate", "pdf": pdf}
    return [
        ("genuine", good),
        ("wrong pages", {**good, "pages": 2}),
        ("wrong type", {**good, "doc_type": "diploma"}),
        ("another kiosk's copy", {**good, "code": other_code.replace("HN002", "HN001"), "pdf": other_pdf}),
        ("appended update", {**good, "pdf": attacks.update(pdf, attacks.overlay_content)}),
        ("not a pdf", {**good, "pdf": b"hello"}),
    ]


def test_the_pool_gives_the_verdicts_of_the_caller_thread(kiosks: Kiosks, pooled: SealChecker) -> None:
    inline = SealChecker(load_trust([kiosks.root_cert]))
    verdicts = {}
    for name, case in _cases(kiosks):
        here, there = inline.problem(**case), pooled.problem(**case)  # type: ignore[arg-type]
        assert here == there, name
        verdicts[name] = there
    assert verdicts["genuine"] is None
    assert verdicts["wrong pages"] == "the record says 2 page(s), the seal says 1"
    assert verdicts["wrong type"] is not None and "document type" in verdicts["wrong type"]
    assert verdicts["another kiosk's copy"] is not None
    assert verdicts["appended update"] is not None and "fresh certified copy" in verdicts["appended update"]
    assert verdicts["not a pdf"] is not None and "not a PDF" in verdicts["not a pdf"]


def test_a_killed_worker_costs_no_verdict(kiosks: Kiosks, pooled: SealChecker) -> None:
    code, pdf = kiosks.issue("HN-001")
    case = {"code": code, "kiosk_id": "HN-001", "pages": 1, "doc_type": "birth_certificate", "pdf": pdf}
    assert pooled.problem(**case) is None  # type: ignore[arg-type]
    pool = pooled._pool
    assert pool is not None
    for pid in list(pool._processes):  # the pool's own workers, by their ids
        os.kill(pid, signal.SIGKILL)
    assert pooled.problem(**case) is None  # type: ignore[arg-type]  # checked here meanwhile
    assert pooled._pool is not None and pooled._pool is not pool  # and the pool was replaced
    assert pooled.problem(**{**case, "pages": 3}) == "the record says 3 page(s), the seal says 1"  # type: ignore[arg-type]
