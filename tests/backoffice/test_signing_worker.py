"""Issue 24, signing that never breaks a token, on SoftHSM2 and on SQLite and PostgreSQL: 8 approvals at
once, the same copy approved twice at once, a kill -9 in the middle of a signature, a damaged token
(refused in plain words, signing resumes once it is restored); after each, the token still signs."""

from __future__ import annotations

import hashlib
import html
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from backoffice.services import auth
from backoffice.services.approvals import ApprovalRefused
from backoffice.services.officer_signing import worker_for
from backoffice.services.postcheck import approve, approve_many, copy_state
from backoffice.services.seals import OfficerTokens, load_trust
from signing.ingest_check import verify_upload
from signing.verify import verify_pdf
from tests.backoffice.helpers import MODULE, OFFICER, OFFICER_NAME, OFFICER_TOKEN, BackOffice
from tests.sync.helpers import REPO

TOKEN_LABEL_BYTES = OFFICER_TOKEN.encode().ljust(32, b" ")


def token_object() -> Path:
    """The officer token's token.object in the run's SoftHSM2 folder."""
    tokens = Path(os.environ["SOFTHSM2_CONF"]).parent / "tokens"
    for candidate in tokens.glob("*/token.object"):
        if TOKEN_LABEL_BYTES in candidate.read_bytes():
            return candidate
    raise AssertionError(f"no token labelled {OFFICER_TOKEN} under {tokens}")


def tokens_of(office: BackOffice) -> OfficerTokens:
    return OfficerTokens(office.data, module=MODULE, token_label=OFFICER_TOKEN)


def approve_as_officer(office: BackOffice, code: str, tokens: OfficerTokens) -> dict[str, object]:
    assert office.db is not None
    return approve(office.db, code, username=OFFICER, full_name=OFFICER_NAME, approver=tokens)


def assert_officer_signed(office: BackOffice, code: str) -> None:
    """The stored approved PDF verifies: the kiosk's certification intact, the officer's signature valid."""
    assert office.db is not None
    state = copy_state(office.db, code)
    assert state is not None and state["status"] == "post_checked" and state["approved_sha256"]
    signed = office.db.blobs.get(state["approved_sha256"])
    assert signed is not None
    verdict = verify_pdf(signed, load_trust([office.kiosks.root_cert]))
    assert verdict.valid and verdict.code == code, verdict.reason


@pytest.fixture
def signing_office(office: BackOffice) -> BackOffice:
    office.add_officer()
    return office


def test_eight_concurrent_approvals_all_sign_with_one_login(signing_office: BackOffice) -> None:
    office = signing_office
    tokens = tokens_of(office)
    codes = [office.upload_copy("HN-001" if i % 2 else "HN-002") for i in range(9)]
    approve_as_officer(office, codes[0], tokens)  # the worker logs in once, here
    token_file = token_object()
    before = (token_file.stat().st_mtime_ns, hashlib.sha256(token_file.read_bytes()).hexdigest())
    logins = tokens.worker.logins
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def one(code: str) -> None:
        start.wait()
        try:
            approve_as_officer(office, code, tokens)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(code,)) for code in codes[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == []
    for code in codes:
        assert_officer_signed(office, code)
    # No approval logged in again, so none wrote the token file (SoftHSM2 rewrites it at every C_Login).
    assert tokens.worker.logins == logins
    assert (token_file.stat().st_mtime_ns, hashlib.sha256(token_file.read_bytes()).hexdigest()) == before


def test_the_same_copy_approved_twice_at_once_signs_once(signing_office: BackOffice) -> None:
    office = signing_office
    assert office.db is not None
    tokens = tokens_of(office)
    code = office.upload_copy("HN-001")
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def one() -> None:
        start.wait()
        try:
            outcomes.append(approve_as_officer(office, code, tokens))
        except ApprovalRefused as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, ApprovalRefused)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    refusal = lost[0]
    assert refusal.outcome == "already_done"
    vi, en = refusal.text("vi"), refusal.text("en")
    assert f"Bản sao {code} đã được {OFFICER} hậu kiểm lúc" in vi and "(GMT+7)" in vi
    assert f"Copy {code} was already post-checked by {OFFICER}" in en
    for words in (vi, en):  # plain words: no exception text, nothing an HTML page would show escaped
        assert "Error" not in words and "'" not in words and html.escape(words) == words
    approvals = [e for e in auth.audit_trail(office.db, code) if e["action"] == "approve"]
    assert len(approvals) == 1
    assert_officer_signed(office, code)


def test_batch_approve_signs_each_and_reports_each(signing_office: BackOffice) -> None:
    office = signing_office
    assert office.db is not None
    tokens = tokens_of(office)
    codes = [office.upload_copy("HN-001") for _ in range(3)]
    approve_as_officer(office, codes[1], tokens)
    user = auth.get_user(office.db, OFFICER)
    assert user is not None
    results = approve_many(office.db, [*codes, "HN001-999999-0"], user=user, approver=tokens)
    assert [r.outcome for r in results] == ["approved", "already_done", "approved", "not_found"]
    assert results[0].state is not None and results[0].state["status"] == "post_checked"
    assert "đã được" in results[1].text("vi") and "Không tìm thấy" in results[3].text("vi")
    for code in codes:
        assert_officer_signed(office, code)


_CHILD = """
import os, sys, time
from pathlib import Path
from backoffice.storage.db import BackendDB
from backoffice.storage.at_rest import load_or_create_key
from backoffice.services.postcheck import approve
from backoffice.services.seals import OfficerTokens

data, db_url, code, marker = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])


class MarkWhenSigning(OfficerTokens):
    # The test's only hook: say "signing now" from the worker, right before the signature starts.
    def submit(self, pdf, *, username, full_name, still_wanted=None):
        def check():
            why = still_wanted() if still_wanted else None
            marker.write_text("signing")
            return why
        return super().submit(pdf, username=username, full_name=full_name, still_wanted=check)


db = BackendDB(db_url, data / "blobs", data_key=load_or_create_key(data))
tokens = MarkWhenSigning(data, module=sys.argv[5], token_label=sys.argv[6])
approve(db, code, username=sys.argv[7], full_name="x", approver=tokens)
print("signed")
"""


@pytest.mark.parametrize("delay_s", [0.0, 0.02, 0.08])
def test_kill_9_during_a_signature_leaves_the_copy_clean_and_the_token_usable(
    signing_office: BackOffice, tmp_path: Path, delay_s: float
) -> None:
    office = signing_office
    assert office.db is not None
    code = office.upload_copy("HN-001", pages=3)  # three pages: a longer signature to land in
    token_file = token_object()
    size = token_file.stat().st_size
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(office.data), office.db_url, code, str(marker), MODULE,
         OFFICER_TOKEN, OFFICER],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never started signing"
            time.sleep(0.002)
        # The child logged in (SoftHSM2 rewrote token.object then, once); from here on it only signs.
        while_signing = token_file.read_bytes()
        time.sleep(delay_s)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(60)
    # The copy is in one of two clean states, never between them: still awaiting post-check with no
    # approval recorded (the kill landed inside the signature), or wholly approved, its signed PDF and row
    # and audit entry all written (on a fast machine the signature can finish before a late kill lands).
    state = copy_state(office.db, code)
    assert state is not None
    actions = [e["action"] for e in auth.audit_trail(office.db, code)]
    # The token: the file as it was when the signature began (a signature writes nothing).
    assert token_file.read_bytes() == while_signing and len(while_signing) == size
    if state["status"] == "issued":
        assert child.returncode == -signal.SIGKILL
        assert state["approved_sha256"] is None and "approve" not in actions
        approve_as_officer(office, code, tokens_of(office))  # and the token signs
        assert_officer_signed(office, code)
    else:
        assert state["status"] == "post_checked" and state["approved_sha256"] and "approve" in actions
        assert_officer_signed(office, code)
        other = office.upload_copy("HN-001")
        approve_as_officer(office, other, tokens_of(office))  # the token signs after the kill
        assert_officer_signed(office, other)


def test_a_damaged_token_is_named_and_signing_resumes_once_it_is_restored(signing_office: BackOffice) -> None:
    office = signing_office
    assert office.db is not None
    tokens = tokens_of(office)
    first, second = office.upload_copy("HN-001"), office.upload_copy("HN-001")
    approve_as_officer(office, first, tokens)
    token_file = token_object()
    good = token_file.read_bytes()
    try:
        token_file.write_bytes(good[:8])  # what the issue saw: token.object cut to 8 bytes
        worker_for(office.data, module=MODULE, token_label=OFFICER_TOKEN).close()  # as after a restart
        with pytest.raises(ApprovalRefused) as refused:
            approve_as_officer(office, second, tokens)
        assert refused.value.outcome == "token_unavailable"
        assert "Không đọc được thiết bị ký số" in refused.value.text("vi")
        assert "signing token cannot be read" in refused.value.text("en")
        state = copy_state(office.db, second)
        assert state is not None and state["status"] == "issued" and state["approved_sha256"] is None
    finally:
        token_file.write_bytes(good)  # restored from its backup
    approve_as_officer(office, second, tokens)  # no restart needed: the worker re-reads the token
    assert_officer_signed(office, second)


def test_the_signed_copy_is_no_longer_a_fresh_upload(signing_office: BackOffice) -> None:
    # What a kiosk could do with an approved copy it fetched back: upload it as a new one. Refused.
    office = signing_office
    assert office.db is not None
    code = office.upload_copy("HN-001")
    approve_as_officer(office, code, tokens_of(office))
    state = copy_state(office.db, code)
    assert state is not None
    signed = office.db.blobs.get(state["approved_sha256"])
    assert signed is not None
    assert not verify_upload(signed, load_trust([office.kiosks.root_cert])).valid
