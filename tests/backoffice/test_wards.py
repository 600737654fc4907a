"""Issue 24: roles scoped to wards, attacked. An officer sees and acts on their own ward's copies only (the
ward of the kiosk that issued the copy, as the city set it); another ward's copy is "not found" to them
through every door (its page, page images, PDF, approve, revoke, batch approve, the queue, a search); a
city-wide supervisor sees all. Everything unknown fails closed: an officer without a ward, a copy from a
kiosk with no ward, a record that claims another ward."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from backoffice.services.auth import add_user
from backoffice.services.postcheck import copy_state
from tests.backoffice.city import csrf_of, visit_metrics
from tests.backoffice.helpers import OFFICER, PASSWORD, WARD, BackOffice, Kiosks
from tests.backoffice.test_console_http import staff_client
from tests.sync.helpers import REPO, Pki

OTHER_WARD = "Phường Cửa Nam"
OTHER_OFFICER = "minh.cn"
SUPERVISOR = "lan.supervisor"


@pytest.fixture
def two_wards(office: BackOffice) -> BackOffice:
    """HN-001 serves WARD (officer hoa.nt), HN-002 serves OTHER_WARD (officer minh.cn); a supervisor."""
    assert office.db is not None
    office.add_officer()
    office.db.set_kiosk_ward("HN-002", OTHER_WARD, by="tests")
    add_user(office.db, OTHER_OFFICER, PASSWORD, "officer", "Phạm Văn Minh", ward=OTHER_WARD)
    add_user(office.db, SUPERVISOR, PASSWORD, "supervisor", "Vũ Thị Lan")
    return office


@contextmanager
def staff_login(office: BackOffice, username: str) -> Iterator[httpx.Client]:
    """Logged in through the real /login form (the session cookie kept over plain HTTP on loopback)."""
    with staff_client(office) as client:
        page = client.get("/login")
        form = {"username": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
        assert client.post("/login", data=form).status_code == 303  # to the landing page
        yield client


def decide(client: httpx.Client, code: str, action: str, **form: str) -> httpx.Response:
    token = csrf_of(client.get("/console").text)
    return client.post(
        f"/console/copies/{code}/{action}", data={"csrf_token": token, "confirmed": "1", **form}
    )


def test_an_officer_cannot_reach_another_wards_copy_by_any_door(two_wards: BackOffice) -> None:
    office = two_wards
    assert office.db is not None
    mine, theirs = office.upload_copy("HN-001"), office.upload_copy("HN-002")
    with staff_login(office, OFFICER) as client:
        queue = client.get("/console").text
        assert mine in queue and theirs not in queue
        assert theirs not in client.get("/console", params={"search": theirs}).text
        assert client.get(f"/console/copies/{mine}").status_code == 200
        for path in (f"/console/copies/{theirs}", f"/console/copies/{theirs}/pdf",
                     f"/console/copies/{theirs}/pages/1.png"):  # fmt: skip
            answer = client.get(path)
            assert answer.status_code == 404, (path, answer.status_code)
            assert b"%PDF" not in answer.content and b"PNG" not in answer.content[:8]
        assert decide(client, theirs, "approve").status_code == 404
        assert decide(client, theirs, "revoke", reason_code="identity_doubt", reason="x").status_code == 404
        token = csrf_of(client.get("/console").text)
        batch = client.post("/console/batch-approve", data={"csrf_token": token, "codes": theirs})
        assert batch.status_code in (200, 303, 400, 404)
    state = copy_state(office.db, theirs)
    assert state is not None and state["status"] == "issued"  # untouched by the other ward's officer
    # A copy unknown and a copy of another ward answer alike (no oracle of which codes exist elsewhere).
    with staff_login(office, OFFICER) as client:
        unknown = client.get("/console/copies/HN002-999999-0")
        other = client.get(f"/console/copies/{theirs}")
        assert unknown.status_code == other.status_code == 404
        assert unknown.text.replace("HN002-999999-0", theirs) == other.text
    # Its own ward's officer and the supervisor can.
    with staff_login(office, OTHER_OFFICER) as client:
        assert client.get(f"/console/copies/{theirs}").status_code == 200
        assert mine not in client.get("/console").text
    with staff_login(office, SUPERVISOR) as client:
        queue = client.get("/console").text
        assert mine in queue and theirs in queue
        assert client.get(f"/console/copies/{theirs}/pdf").content.startswith(b"%PDF")
        assert (
            decide(
                client, theirs, "revoke", reason_code="identity_doubt", reason="giấy tờ nghi giả"
            ).status_code
            == 303
        )
    state = copy_state(office.db, theirs)
    assert state is not None and state["status"] == "revoked" and state["revoked_by"] == SUPERVISOR


def test_approving_another_wards_copy_signs_nothing(two_wards: BackOffice) -> None:
    office = two_wards
    assert office.db is not None
    theirs = office.upload_copy("HN-002")
    with staff_login(office, OFFICER) as client:
        assert decide(client, theirs, "approve").status_code == 404
    state = copy_state(office.db, theirs)
    assert state is not None and state["status"] == "issued" and state["approved_sha256"] is None


def test_the_ward_is_the_kiosks_not_what_the_record_claims(two_wards: BackOffice) -> None:
    office = two_wards
    claimed = office.upload_copy("HN-002", visit_metrics=visit_metrics(300.0, ward=WARD))
    with staff_login(office, OFFICER) as client:
        assert client.get(f"/console/copies/{claimed}").status_code == 404
    with staff_login(office, OTHER_OFFICER) as client:
        assert client.get(f"/console/copies/{claimed}").status_code == 200


def test_unknown_wards_fail_closed(two_wards: BackOffice) -> None:
    office = two_wards
    assert office.db is not None
    add_user(office.db, "no.ward", PASSWORD, "officer", "Không Phường")
    mine = office.upload_copy("HN-001")
    with staff_login(office, "no.ward") as client:
        assert mine not in client.get("/console").text
        assert client.get(f"/console/copies/{mine}").status_code == 404
    # A kiosk the city has given no ward: its copies reach only the city-wide roles ...
    with office.db._tx() as cur:
        cur.execute("DELETE FROM kiosk_wards WHERE kiosk_id = ?", ("HN-002",))
    orphan = office.upload_copy("HN-002")
    with staff_login(office, OTHER_OFFICER) as client:
        assert client.get(f"/console/copies/{orphan}").status_code == 404
    with staff_login(office, SUPERVISOR) as client:
        assert client.get(f"/console/copies/{orphan}").status_code == 200
    # ... until the city sets it: then the copies it issued meanwhile go to that ward.
    assert office.db.set_kiosk_ward("HN-002", OTHER_WARD, by="tests") == 1
    with staff_login(office, OTHER_OFFICER) as client:
        assert client.get(f"/console/copies/{orphan}").status_code == 200


def test_cli_user_add_ward_and_kiosk_set_ward(pki: Pki, kiosks: Kiosks, tmp_path: Path) -> None:
    data = tmp_path / "backend"

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "backoffice.cli", *args, "--data", str(data)],
                              input=stdin, capture_output=True, text=True, cwd=REPO, timeout=120, check=False)  # fmt: skip

    made = cli("user", "add", "an.officer", "--role", "officer", "--ward", WARD, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    legacy = cli("user", "add", "old.officer", "--role", "officer", stdin=PASSWORD + "\n")  # old flags work
    assert legacy.returncode == 0 and "without a ward sees no copy" in legacy.stderr
    wrong = cli("user", "add", "sup", "--role", "supervisor", "--ward", WARD, stdin=PASSWORD + "\n")
    assert wrong.returncode == 2 and "only an officer" in wrong.stderr
    assert cli("user", "add", "sup", "--role", "supervisor", stdin=PASSWORD + "\n").returncode == 0
    set_ward = cli("kiosk", "set-ward", "HN-001", f"  {WARD} ")
    assert set_ward.returncode == 0, set_ward.stderr
    listed = cli("kiosk", "wards")
    assert listed.returncode == 0 and f'"HN-001": "{WARD}"' in listed.stdout
    assert cli("kiosk", "set-ward", "HN-001", "   ").returncode == 2
