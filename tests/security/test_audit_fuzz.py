"""Property tests of the audit log checker: any one changed byte is caught, and no input makes it crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.audit import AuditLog, Events, head_path_for, verify_log

KEY = ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pristine")
    audit = AuditLog(
        folder / "audit.jsonl",
        sign=lambda m: KEY.sign(m, ec.ECDSA(hashes.SHA256())),
        verify_key=KEY.public_key(),
        checkpoint_every=3,
        actor="ui",
    )
    for i in range(7):
        audit.record(Events.MAINTENANCE_ACTION, action="test_print", step=i, note="ổn định")
    audit.close()
    assert audit.verify().ok
    return folder


def _copy(pristine: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(pristine, out)
    return out / "audit.jsonl"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.floats(min_value=0, max_value=1, exclude_max=True),
    new=st.integers(0, 255),
    in_head=st.booleans(),
)
def test_any_one_changed_byte_is_caught(pristine, tmp_path, where, new, in_head):
    log = _copy(pristine, tmp_path)
    target = head_path_for(log) if in_head else log
    data = bytearray(target.read_bytes())
    i = int(where * len(data))
    if data[i] == new:
        new = (new + 1) % 256
    data[i] = new
    target.write_bytes(bytes(data))
    report = verify_log(log, verify_key=KEY.public_key())
    assert not report.ok, (i, new, in_head)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=2000), head=st.one_of(st.none(), st.binary(max_size=200)))
def test_the_checker_never_crashes_on_garbage(tmp_path, garbage, head):
    log = tmp_path / "garbage.jsonl"
    log.write_bytes(garbage)
    head_file = head_path_for(log)
    if head is None:
        head_file.unlink(missing_ok=True)
    else:
        head_file.write_bytes(head)
    report = verify_log(log, verify_key=KEY.public_key())
    assert isinstance(report.ok, bool)
    report.summary()
    report.to_json()
