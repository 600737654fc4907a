"""The audit log catches each kind of tampering and says where (line numbers as in the file)."""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from kiosk.audit import AuditLog, Events, canonical, entry_hash, head_path_for, verify_log
from kiosk.cli import main as kiosk_main
from kiosk.runtime.logs import forget_sensitive, register_sensitive

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def restore_logging():
    # kiosk.cli.main installs a stderr handler; under capsys that stream closes after the test.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _signer(key: ec.EllipticCurvePrivateKey):
    return lambda message: key.sign(message, ec.ECDSA(hashes.SHA256()))


def _log(tmp_path: Path, key: ec.EllipticCurvePrivateKey, entries: int = 10, every: int = 4) -> AuditLog:
    audit = AuditLog(
        tmp_path / "audit.jsonl", sign=_signer(key), verify_key=key.public_key(), checkpoint_every=every
    )
    for i in range(entries):
        audit.record(Events.MAINTENANCE_ACTION, action="print_test_page", step=i)
    return audit


def _lines(audit: AuditLog) -> list[str]:
    return audit.path.read_text(encoding="utf-8").splitlines(keepends=True)


def _write(audit: AuditLog, lines: list[str]) -> None:
    audit.path.write_text("".join(lines), encoding="utf-8")


def _rehash(line: str, **changes: object) -> str:
    entry = json.loads(line)
    entry.update(changes)
    entry.pop("sig", None)
    entry["hash"] = entry_hash(entry)
    return json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"


def _kinds(report) -> list[tuple[str, int | None]]:
    return [(p.kind, p.line) for p in report.problems]


def test_an_untouched_log_verifies_with_signed_checkpoints(tmp_path, key):
    audit = _log(tmp_path, key, entries=10, every=4)
    audit.close()
    report = audit.verify()
    assert report.ok, report.summary()
    # 10 entries + a checkpoint after every 4 + the closing one.
    assert report.checkpoints == 3
    assert report.signed_checkpoints == 3
    assert report.entries == 13
    assert report.last_seq == 13


def test_an_edited_entry_is_found_on_its_line(tmp_path, key):
    audit = _log(tmp_path, key)
    lines = _lines(audit)
    lines[2] = lines[2].replace("print_test_page", "open_cash_box")
    _write(audit, lines)
    report = audit.verify()
    assert not report.ok
    assert _kinds(report) == [("edited", 3)]
    assert "line 3" in report.problems[0].message


def test_an_edited_and_rehashed_entry_breaks_the_chain_and_the_signature(tmp_path, key):
    audit = _log(tmp_path, key, entries=10, every=4)
    lines = _lines(audit)
    lines[1] = _rehash(lines[1], data={"action": "nothing_happened", "step": 1})
    _write(audit, lines)
    report = audit.verify()
    assert ("edited", 3) in _kinds(report)  # line 3 no longer chains to line 2


def test_a_whole_rewritten_chain_fails_the_checkpoint_signature(tmp_path, key):
    audit = _log(tmp_path, key, entries=4, every=4)  # lines 1-4 entries, line 5 checkpoint
    lines = _lines(audit)
    prev = "0" * 64
    rewritten = []
    for i, line in enumerate(lines):
        entry = json.loads(line)
        sig = entry.pop("sig", None)
        if i == 1:
            entry["data"] = {"action": "nothing_happened", "step": 1}
        entry["prev"] = prev
        entry["hash"] = entry_hash(entry)
        prev = entry["hash"]
        if sig is not None:
            entry["sig"] = sig  # the attacker has no key: keeps the old signature
        rewritten.append(json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n")
    _write(audit, rewritten)
    # ... and writes a head file exactly as the kiosk would.
    head = {"seq": 5, "hash": prev, "checkpoint_seq": 5, "checkpoint_ts": entry["ts"]}
    head_path_for(audit.path).write_bytes(canonical(head) + b"\n")
    report = audit.verify()
    assert _kinds(report) == [("bad_signature", 5)]


def test_a_checkpoint_signed_by_another_key_is_refused(tmp_path, key):
    other = ec.generate_private_key(ec.SECP256R1())
    audit = AuditLog(
        tmp_path / "audit.jsonl", sign=_signer(other), verify_key=other.public_key(), checkpoint_every=2
    )
    audit.record(Events.KEY_USED, code="HN-1")
    audit.record(Events.KEY_USED, code="HN-2")
    report = verify_log(audit.path, verify_key=key.public_key())
    assert [k for k, _ in _kinds(report)] == ["bad_signature"]
    assert "another key" in report.problems[0].message


def test_a_removed_entry_is_found_between_its_neighbours(tmp_path, key):
    audit = _log(tmp_path, key)
    lines = _lines(audit)
    del lines[5]  # seq 6
    _write(audit, lines)
    report = audit.verify()
    assert _kinds(report) == [("removed", 6)]
    assert "seq 6 removed between line 5 and line 6" in report.problems[0].message


def test_removing_the_first_entries_is_found(tmp_path, key):
    audit = _log(tmp_path, key)
    lines = _lines(audit)
    _write(audit, lines[2:])
    report = audit.verify()
    assert _kinds(report) == [("removed", 1)]
    assert "seq 1..2 removed at the start of the log" in report.problems[0].message


def test_reordered_entries_are_found(tmp_path, key):
    audit = _log(tmp_path, key)
    lines = _lines(audit)
    lines[6], lines[7] = lines[7], lines[6]
    _write(audit, lines)
    report = audit.verify()
    assert report.problems[0].kind == "reordered"
    assert report.problems[0].line == 7
    assert "comes before seq 7 at line 8" in report.problems[0].message


def test_a_duplicated_entry_is_found(tmp_path, key):
    audit = _log(tmp_path, key)
    lines = _lines(audit)
    lines.insert(4, lines[3])
    _write(audit, lines)
    assert ("duplicated", 5) in _kinds(audit.verify())


def test_a_truncated_tail_after_a_checkpoint_is_found(tmp_path, key):
    audit = _log(tmp_path, key, entries=10, every=4)  # checkpoints at lines 5 and 10; 12 lines
    lines = _lines(audit)
    _write(audit, lines[:10])  # cut right after the second checkpoint: the chain alone looks fine
    report = audit.verify()
    assert _kinds(report) == [("truncated", 10)]
    assert (
        "ends at seq 10 but seq 12 was written: 2 entries removed from the end" in report.problems[0].message
    )


def test_a_tail_cut_back_past_a_checkpoint_names_the_checkpoint(tmp_path, key):
    audit = _log(tmp_path, key, entries=8, every=4)  # checkpoint is the last line (seq 10)
    lines = _lines(audit)
    _write(audit, lines[:7])
    report = audit.verify()
    assert report.problems[0].kind == "truncated"
    assert "including the checkpoint at seq 10" in report.problems[0].message


def test_a_cut_tail_is_still_reported_after_the_kiosk_writes_again(tmp_path, key):
    audit = _log(tmp_path, key, entries=10, every=4)
    _write(audit, _lines(audit)[:10])
    # The kiosk restarts and writes on: the head file moves, but the writer noticed the cut first.
    audit.record(Events.MAINTENANCE_LOGIN)
    report = audit.verify()
    assert ("truncated", 11) in _kinds(report)
    assert "cut back to seq 10 after it had written up to seq 12" in report.problems[0].message


def test_a_deleted_head_file_is_reported(tmp_path, key):
    audit = _log(tmp_path, key)
    head_path_for(audit.path).unlink()
    assert [k for k, _ in _kinds(audit.verify())] == ["head_missing"]


def test_garbage_and_a_half_line_are_reported_by_line(tmp_path, key):
    audit = _log(tmp_path, key, entries=5, every=50)
    lines = _lines(audit)
    lines[1] = "{not json\n"
    lines.append('{"seq": 6, "ts"')
    _write(audit, lines)
    kinds = _kinds(audit.verify())
    assert ("malformed", 2) in kinds
    assert ("incomplete_line", 6) in kinds


def test_a_torn_write_is_repaired_and_recorded_not_mistaken_for_tampering(tmp_path, key):
    audit = _log(tmp_path, key, entries=3, every=50)
    with audit.path.open("ab") as fh:
        fh.write(b'{"seq":4,"ts":"2026')  # power cut in the middle of a write
    entry = audit.record(Events.MAINTENANCE_LOGIN)
    assert entry["seq"] == 5
    report = audit.verify()
    assert report.ok, report.summary()
    assert any("interrupted write" in w for w in report.warnings)
    events = [json.loads(line)["event"] for line in _lines(audit)]
    assert events[-2:] == [Events.TORN_TAIL, Events.MAINTENANCE_LOGIN]


def test_raw_pkcs11_style_signatures_verify(tmp_path, key):
    # SealSigner.sign_es256 and PKCS#11 give raw r||s; about 1 in 256 starts with 0x30, the DER tag.
    def raw_signer(message: bytes) -> bytes:
        while True:  # keep signing until r starts with 0x30 (ECDSA is randomised): the awkward case
            r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
            raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
            if raw[0] == 0x30:
                return raw

    audit = AuditLog(
        tmp_path / "audit.jsonl", sign=raw_signer, verify_key=key.public_key(), checkpoint_every=2
    )
    audit.record(Events.KEY_USED, code="A")
    audit.record(Events.KEY_USED, code="B")
    sig = base64.b64decode(json.loads(_lines(audit)[-1])["sig"])
    assert len(sig) == 64 and sig[0] == 0x30
    report = audit.verify()
    assert report.ok and report.signed_checkpoints == 1, report.summary()


def test_a_stripped_signature_fails_when_a_key_is_expected(tmp_path, key):
    audit = _log(tmp_path, key, entries=4, every=4)
    lines = _lines(audit)
    entry = json.loads(lines[4])
    del entry["sig"]
    lines[4] = json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n"
    _write(audit, lines)
    assert verify_log(audit.path).ok  # without a key only the chain is checked ...
    report = verify_log(audit.path, verify_key=key.public_key())
    assert _kinds(report) == [("unsigned_checkpoint", 5)]  # ... with one, the stripped signature shows


def test_a_writer_without_the_key_leaves_checkpoints_to_the_key_holder(tmp_path, key):
    path = tmp_path / "audit.jsonl"
    sync = AuditLog(path, checkpoint_every=2, actor="sync")  # the sync worker has no kiosk key
    for i in range(5):
        sync.record(Events.RECORDS_PURGED, count=i)
    sync.close()
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()].count(Events.CHECKPOINT) == 0
    ui = AuditLog(path, sign=_signer(key), verify_key=key.public_key(), checkpoint_every=2, actor="ui")
    ui.record(Events.MAINTENANCE_LOGIN)
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["event"] == Events.CHECKPOINT
    assert last["data"]["covers_seq"] == 6  # the sync worker's five entries and the login
    report = ui.verify()
    assert report.ok and report.signed_checkpoints == 1, report.summary()


def test_a_failing_signer_writes_no_checkpoint_and_retries(tmp_path, key):
    calls = []

    def flaky(message: bytes) -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("token removed")
        return key.sign(message, ec.ECDSA(hashes.SHA256()))

    audit = AuditLog(tmp_path / "audit.jsonl", sign=flaky, verify_key=key.public_key(), checkpoint_every=2)
    audit.record(Events.KEY_USED, code="A")
    audit.record(Events.KEY_USED, code="B")  # checkpoint due: signing fails, nothing written
    assert Events.CHECKPOINT not in audit.path.read_text()
    audit.record(Events.KEY_USED, code="C")  # due again: signed now
    report = audit.verify()
    assert report.ok and report.signed_checkpoints == 1, report.summary()


def test_no_id_number_or_name_reaches_the_log(tmp_path, key):
    audit = AuditLog(tmp_path / "audit.jsonl", sign=_signer(key), verify_key=key.public_key())
    register_sensitive("Nguyễn Văn An", "001090001234")
    try:
        audit.record(
            Events.MAINTENANCE_ACTION,
            note="reprint for Nguyễn Văn An, card 001090001234",
            other="079201005678",
        )
    finally:
        forget_sensitive()
    text = audit.path.read_text(encoding="utf-8")
    assert "Nguyễn Văn An" not in text
    assert "001090001234" not in text
    assert "079201005678" not in text
    assert "[redacted], card [redacted]" in text  # registered for the visit
    assert "079******678" in text  # not registered: masked by pattern
    # Digests and copy codes are not ID numbers and stay as they are.
    digest = "0123456789012345678901234567890123456789012345678901234567890123"
    entry = audit.record(Events.KEY_USED, code="HN001-000123456-K", sha256=digest)
    assert entry["data"] == {"code": "HN001-000123456-K", "sha256": digest}
    with pytest.raises(ValueError, match="personal data"):
        audit.record(Events.KEY_USED, holder_name="x")
    with pytest.raises(ValueError, match="personal data"):
        audit.record(Events.KEY_USED, visit={"id_number": "x"})


def test_config_changes_are_recorded_once_each(tmp_path, key):
    audit = AuditLog(tmp_path / "audit.jsonl", sign=_signer(key), verify_key=key.public_key())
    assert audit.note_config("/etc/smart-kiosk/kiosk.toml", b"a = 1\n")["event"] == Events.CONFIG_LOADED
    assert audit.note_config("/etc/smart-kiosk/kiosk.toml", b"a = 1\n") is None
    changed = audit.note_config("/etc/smart-kiosk/kiosk.toml", b"a = 2\n")
    assert changed["event"] == Events.CONFIG_CHANGED
    assert changed["data"]["previous_sha256"] != changed["data"]["sha256"]


_APPENDER = """
import sys
from kiosk.audit import AuditLog
log = AuditLog(sys.argv[1], checkpoint_every=7, actor=sys.argv[2])
for i in range(int(sys.argv[3])):
    log.record("records.purged", count=i)
"""


def test_two_processes_appending_at_once_keep_one_valid_chain(tmp_path):
    path = tmp_path / "audit.jsonl"
    procs = [
        subprocess.Popen([sys.executable, "-c", _APPENDER, str(path), actor, "60"], cwd=REPO)
        for actor in ("ui", "sync")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    report = verify_log(path)
    assert report.ok, report.summary()
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    assert sum(1 for e in entries if e["event"] == "records.purged") == 120
    assert {e.get("actor") for e in entries} == {"ui", "sync"}


def _pem(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def test_cli_verify_exits_1_and_names_the_line(tmp_path, key, capsys):
    audit = _log(tmp_path, key)
    pem = _pem(key, tmp_path / "kiosk.pub.pem")
    assert kiosk_main(["audit", "verify", "--log", str(audit.path), "--key", str(pem)]) == 0
    assert "OK" in capsys.readouterr().out

    lines = _lines(audit)
    del lines[3]
    _write(audit, lines)
    assert kiosk_main(["audit", "verify", "--log", str(audit.path), "--key", str(pem), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["ok"] is False
    assert payload["problems"][0]["kind"] == "removed"
    assert payload["problems"][0]["line"] == 4


def test_cli_reports_a_missing_log_and_a_bad_key_clearly(tmp_path, key, capsys):
    missing = tmp_path / "nope.jsonl"
    assert kiosk_main(["audit", "verify", "--log", str(missing)]) == 2
    assert f"kiosk audit verify: {missing}: no audit log here" in capsys.readouterr().err
    audit = _log(tmp_path, key, entries=1)
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    assert kiosk_main(["audit", "verify", "--log", str(audit.path), "--key", str(bad)]) == 2
    assert "bad.pem" in capsys.readouterr().err


def test_cli_show_prints_the_last_entries(tmp_path, key, capsys):
    audit = _log(tmp_path, key, entries=3, every=50)
    assert kiosk_main(["audit", "show", "--log", str(audit.path), "--tail", "2", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [e["seq"] for e in payload["entries"]] == [2, 3]


def test_the_head_file_follows_the_log_mode_for_a_shared_group(tmp_path, key):
    path = tmp_path / "audit.jsonl"
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o660)
    os.close(fd)
    os.chmod(path, 0o660)
    AuditLog(path).record(Events.MAINTENANCE_LOGIN)
    assert oct(head_path_for(path).stat().st_mode & 0o777) == "0o660"


def test_checkpoints_across_a_key_renewal_verify_with_both_keys(tmp_path, key, capsys):
    new_key = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "audit.jsonl"
    AuditLog(path, sign=_signer(key), verify_key=key.public_key(), checkpoint_every=2).record(
        Events.KEY_USED, code="A"
    )
    AuditLog(path, sign=_signer(key), verify_key=key.public_key(), checkpoint_every=2).record(
        Events.KEY_USED, code="B"
    )
    renewed = AuditLog(path, sign=_signer(new_key), verify_key=new_key.public_key(), checkpoint_every=2)
    renewed.record(Events.KEY_CREATED, purpose="seal renewal")
    renewed.record(Events.KEY_USED, code="C")
    old_pem, new_pem = _pem(key, tmp_path / "old.pem"), _pem(new_key, tmp_path / "new.pem")
    assert kiosk_main(["audit", "verify", "--log", str(path), "--key", str(new_pem)]) == 1
    assert "signed by another key" in capsys.readouterr().out
    args = ["audit", "verify", "--log", str(path), "--key", str(old_pem), "--key", str(new_pem), "--json"]
    assert kiosk_main(args) == 0
    assert json.loads(capsys.readouterr().out)["signed_checkpoints"] == 2


def test_cli_checks_signatures_with_the_kiosk_seal_certificate_by_default(tmp_path, key, capsys):
    import datetime as dt

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    data = tmp_path / "data"
    (data / "keys").mkdir(parents=True)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kiosk HN-001 seal")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (data / "keys/kiosk-seal.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{data}"\n')
    audit = AuditLog(data / "audit.jsonl", sign=_signer(key), verify_key=key.public_key(), checkpoint_every=2)
    audit.record(Events.KEY_USED, code="A")
    audit.record(Events.KEY_USED, code="B")
    assert kiosk_main(["audit", "verify", "--config", str(config), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["signed_checkpoints"] == 1
