"""The console an officer works through (issue 24), over real HTTP on SQLite and PostgreSQL: the queue
oldest first (deadline, else issue time) with a count, paging and search by code, the filter carried by
every link, the next copy after each decision, confirmations, revoke reasons from the fixed list with an
internal note, batch approval with a result per copy; the copy page's sealed facts beside the OCR (the
misread word marked), per-type risk rules, no raw key on the Vietnamese pages and every time in GMT+7."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from backoffice.services.postcheck import QueueFilter, copy_state, neighbours, queue_page
from tests.backoffice.console_helpers import (
    MISREAD_NAME,
    SEALED_NAME,
    csrf_of,
    issue_sealed,
    officer_client,
    raw_keys,
    visible_text,
)
from tests.backoffice.helpers import OFFICER, BackOffice


def _t0() -> dt.datetime:
    """A whole minute after the test's seal certificates were made (a seal cannot predate its key)."""
    return dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def _issue_series(
    office: BackOffice, n: int, kiosk: str = "HN-001", *, t0: dt.datetime | None = None
) -> list[str]:
    """n copies issued a minute apart, oldest first (from ``t0``, which several series may share)."""
    start = t0 or _t0()
    return [issue_sealed(office, kiosk, issued_at=start + dt.timedelta(minutes=i)) for i in range(n)]


def _post_pairs(client: httpx.Client, url: str, pairs: list[tuple[str, str]]) -> httpx.Response:
    """A form with repeated fields (the batch's ``code`` boxes), as a browser sends it."""
    return client.post(
        url, content=urlencode(pairs), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def _codes_on(html: str) -> list[str]:
    return re.findall(r'<tr class="copy-row" data-code="([^"]+)"', html)


def test_queue_is_oldest_first_with_count_paging_search_and_deadline(office: BackOffice) -> None:
    office.add_officer()
    t0 = _t0()
    codes = _issue_series(office, 5, t0=t0) + _issue_series(office, 2, "HN-002", t0=t0)
    assert office.db is not None
    db = office.db
    page = queue_page(db, QueueFilter(per_page=20))
    assert page.total == 7
    order = [item["code"] for item in page.items]
    assert set(order[:2]) == {codes[0], codes[5]} and order[:2] == sorted(order[:2])  # a tie: by code
    assert order.index(codes[1]) < order.index(codes[6]) < order.index(codes[2]) < order.index(codes[4])

    # A deadline moves a copy ahead of older ones without one due later.
    with db._tx() as cur:
        cur.execute(
            "UPDATE copies SET postcheck_due_at = ? WHERE code = ?",
            ((t0 - dt.timedelta(minutes=1)).isoformat(), codes[4]),
        )
    assert queue_page(db, QueueFilter(per_page=20)).items[0]["code"] == codes[4]

    with officer_client(office) as client:
        first = client.get("/console", params={"per_page": "20", "kiosk": "HN-001"})
        assert first.status_code == 200
        assert _codes_on(first.text) == [codes[4], *codes[:4]]
        assert "5 bản sao" in visible_text(first.text)
        # Paging: 2 a page is not an offered size, so 20; ask for page 9 of a 1-page queue: the last page.
        far = client.get("/console", params={"kiosk": "HN-001", "page": "9"})
        assert "Trang 1/1" in visible_text(far.text)
        # Search by a part of the code, case-insensitive; LIKE wildcards are literal.
        tail = codes[2][-6:].lower()
        found = client.get("/console", params={"q": tail})
        assert _codes_on(found.text) == [codes[2]]
        assert _codes_on(client.get("/console", params={"q": "_"}).text) == []  # "_" is no wildcard
        assert _codes_on(client.get("/console", params={"q": "H%5"}).text) == []  # "%" is dropped: "H5"

    # Paging in the service: 20 copies a page over 25 copies.
    more = _issue_series(office, 18, "HN-002", t0=t0 + dt.timedelta(hours=1))
    paged = queue_page(db, QueueFilter(per_page=20, page=2))
    assert (paged.total, paged.pages, paged.page, len(paged.items)) == (25, 2, 2, 5)
    assert paged.items[-1]["code"] == more[-1]


def test_filter_travels_through_back_next_and_the_decision(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    t0 = _t0()
    other = issue_sealed(office, "HN-002", issued_at=t0)  # older, other kiosk
    a, b, c = _issue_series(office, 3, t0=t0 + dt.timedelta(minutes=1))
    with officer_client(office) as client:
        queue = client.get("/console", params={"kiosk": "HN-001", "per_page": "20"})
        assert _codes_on(queue.text) == [a, b, c] and other not in queue.text
        view = client.get(f"/console/copies/{b}", params={"kiosk": "HN-001", "per_page": "20"})
        assert 'id="back"' in view.text
        back = re.search(r'href="([^"]+)" id="back"', view.text)
        prev = re.search(r'href="([^"]+)" id="prev-copy"', view.text)
        nxt = re.search(r'href="([^"]+)" id="next-copy"', view.text)
        assert back and prev and nxt
        assert back.group(1).replace("&amp;", "&") == "/console?kiosk=HN-001&per_page=20"
        assert prev.group(1).replace("&amp;", "&") == f"/console/copies/{a}?kiosk=HN-001&per_page=20"
        assert nxt.group(1).replace("&amp;", "&") == f"/console/copies/{c}?kiosk=HN-001&per_page=20"
        assert "Bản 2/3 trong danh sách" in visible_text(view.text)

        # Approve b: without the confirmation nothing happens (a confirmation page instead).
        token = csrf_of(view.text)
        url = f"/console/copies/{b}/approve?kiosk=HN-001&per_page=20"
        unconfirmed = client.post(url, data={"csrf_token": token})
        assert unconfirmed.status_code == 200 and 'id="confirm-form"' in unconfirmed.text
        assert copy_state(office.db, b)["status"] == "issued"  # type: ignore[arg-type,index]
        done = client.post(url, data={"csrf_token": token, "confirmed": "1"})
        assert done.status_code == 303
        target = urlsplit(done.headers["location"])
        # The next copy of the same filter opens: c, not the older copy of the other kiosk.
        assert target.path == f"/console/copies/{c}"
        assert parse_qs(target.query) == {"kiosk": ["HN-001"], "per_page": ["20"], "after": [b]}
        landed = client.get(done.headers["location"])
        assert f"Đã phê duyệt {b}." in visible_text(landed.text)
        # The note comes from the database, never from the URL: a copy this officer did not decide says nothing.
        assert "Đã phê duyệt" not in visible_text(client.get(f"/console/copies/{c}?after={a}").text)

        # Revoke c (the last one): the queue of the filter is done, the officer lands on it, filter kept.
        view_c = client.get(f"/console/copies/{c}", params={"kiosk": "HN-001"})
        revoked = client.post(
            f"/console/copies/{c}/revoke?kiosk=HN-001",
            data={
                "csrf_token": csrf_of(view_c.text),
                "confirmed": "1",
                "reason_code": "identity_doubt",
                "reason": "ảnh khuôn mặt không giống ảnh thẻ",
            },
        )
        assert revoked.status_code == 303
        # c was the last in this filter's order; a is still before it, so the next one found is none after
        # c: the officer goes back to the filtered queue, which shows a.
        assert urlsplit(revoked.headers["location"]).path == "/console"
        assert parse_qs(urlsplit(revoked.headers["location"]).query) == {"kiosk": ["HN-001"], "after": [c]}
        queue_after = client.get(revoked.headers["location"])
        assert _codes_on(queue_after.text) == [a]
        assert f"Đã thu hồi {c}." in visible_text(queue_after.text)


def test_revoke_needs_confirmation_and_a_reason_from_the_list(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    code = issue_sealed(office)
    with officer_client(office) as client:
        view = client.get(f"/console/copies/{code}")
        token = csrf_of(view.text)
        for key in ("wrong_document", "issued_in_error", "identity_doubt", "original_forged", "other_reason"):
            assert f'<option value="{key}">' in view.text
        url = f"/console/copies/{code}/revoke"
        none = client.post(url, data={"csrf_token": token, "confirmed": "1", "reason": "free text only"})
        assert none.status_code == 400 and "Lý do thu hồi không có trong danh sách." in none.text
        forged = client.post(url, data={"csrf_token": token, "confirmed": "1", "reason_code": "because"})
        assert forged.status_code == 400
        unconfirmed = client.post(url, data={"csrf_token": token, "reason_code": "wrong_document"})
        assert unconfirmed.status_code == 200 and 'id="confirm-form"' in unconfirmed.text
        assert 'value="wrong_document" selected' in unconfirmed.text  # the choice is kept on the page
        assert copy_state(office.db, code)["status"] == "issued"  # type: ignore[arg-type,index]
        note = "<b>ghi chú</b> nội bộ: gọi lại số 0900"
        done = client.post(
            url, data={"csrf_token": token, "confirmed": "1", "reason_code": "wrong_document", "reason": note}
        )
        assert done.status_code == 303
        state = copy_state(office.db, code)  # type: ignore[arg-type]
        assert state is not None
        assert (state["status"], state["revoked_reason_code"]) == ("revoked", "wrong_document")
        page = client.get(f"/console/copies/{code}").text
        assert "Cấp nhầm giấy tờ" in page and "&lt;b&gt;ghi chú&lt;/b&gt;" in page  # staff read the note
    public = httpx.get(f"{office.public_url}/api/public/copies/{code}").json()
    assert "0900" not in str(public)  # the internal note is not public


def test_copy_page_shows_sealed_facts_and_marks_the_ocr_misread(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    code = issue_sealed(
        office,
        ocr_fields={"full_name": MISREAD_NAME, "date_of_birth": "2019-05-04", "seal": "absent"},
        ocr_low_words=["THỦ"],
        liveness="passed:turn_right+blink",
        identity_source="chip",
    )
    id_card = issue_sealed(
        office,
        doc_type="id_card",
        sealed={"id_number": "001090001234", "full_name": "NGUYỄN VĂN AN"},
        ocr_fields={"id_number": "001090001234", "full_name": "NGUYỄN VĂN AN", "seal": "absent"},
    )
    assert office.db is not None
    assert "seal_absent" in copy_state(office.db, code)["flags"]  # type: ignore[index]
    assert "seal_absent" not in copy_state(office.db, id_card)["flags"]  # type: ignore[index]
    with officer_client(office) as client:
        html = client.get(f"/console/copies/{code}").text
    facts = re.search(r'<dl id="sealed-facts">(.*?)</dl>', html, re.S)
    assert facts and SEALED_NAME in facts.group(1) and MISREAD_NAME not in facts.group(1)
    row = re.search(r'<tr class="field-row disagrees low" data-key="full_name">(.*?)</tr>', html, re.S)
    assert row, "the misread name is marked as differing from the seal and read with low confidence"
    assert '<span class="w differs low">THỦ</span>' in row.group(1)
    assert '<span class="w">PHẠM</span>' in row.group(1) and SEALED_NAME in row.group(1)
    dob = re.search(r'<tr class="field-row" data-key="date_of_birth">', html)
    assert dob, "a field that agrees with the seal is not marked"
    text = visible_text(html)
    assert "Đạt: quay sang phải, chớp mắt" in text  # liveness in words
    assert "Con dấu trên bản gốc Không có" in text and "Giấy khai sinh / Trích lục khai sinh" in text
    assert "Bản gốc không thấy con dấu" in text  # the birth certificate's risk, in words
    assert raw_keys(text) == [], raw_keys(text)
    times = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)?(?: GMT\+7)?", text)
    assert times and all(t.endswith("GMT+7") for t in times), times
    assert "2026-" not in text or "GMT+7" in text


def test_no_raw_key_on_the_vietnamese_pages_and_english_on_request(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    office.add_officer()
    code = issue_sealed(
        office,
        visit_metrics={"ward": "Phường Hàng Bạc", "visit_seconds": 300, "rescans": 1, "liveness_attempts": 2},
        identity_source="qr",
        ocr_confidence=0.5,
        face_distance=0.53,
        liveness="failed:timeout:turn_left+move_closer",
        ocr_fields={
            "full_name": SEALED_NAME,
            "parcel_area": "120 m2",
            "seal": "present",
            "signature": "absent",
        },
    )
    with officer_client(office) as client:
        pages = {
            "queue": client.get("/console").text,
            "copy": client.get(f"/console/copies/{code}").text,
            "filtered": client.get(
                "/console", params={"flag": "signature_absent", "doc_type": "birth_certificate"}
            ).text,
        }
        english = client.get(f"/console/copies/{code}?lang=en").text
        client.get("/console?lang=vi")
    for name, html in pages.items():
        text = visible_text(html)
        assert raw_keys(text) == [], (name, raw_keys(text))
        assert "(cán bộ tư pháp)" in text
    copy_text = visible_text(pages["copy"])
    assert "Không đạt (hết thời gian): quay sang trái, tiến lại gần" in copy_text
    assert "Parcel area" in copy_text  # a field with no word yet reads as words, not as parcel_area
    assert "Mã QR in trên thẻ" in copy_text
    english_text = visible_text(english)
    assert (
        "Failed (timed out): turn left, move closer" in english_text and "Birth certificate" in english_text
    )
    assert raw_keys(english_text) == []


def test_batch_approve_signs_each_and_says_what_happened(office: BackOffice) -> None:
    office.add_officer()
    codes = _issue_series(office, 4)
    assert office.db is not None
    with officer_client(office) as client:
        queue = client.get("/console")
        token = csrf_of(queue.text)
        view = client.get(f"/console/copies/{codes[3]}")
        client.post(
            f"/console/copies/{codes[3]}/revoke",
            data={"csrf_token": csrf_of(view.text), "confirmed": "1", "reason_code": "other_reason"},
        )
        picked = [codes[0], codes[1], codes[2], codes[3], "HN001-999999-0", "../etc"]
        answer = _post_pairs(
            client, "/console/batch-approve", [("csrf_token", token), *[("code", c) for c in picked]]
        )
        assert answer.status_code == 200
        outcomes = dict(re.findall(r'data-code="([^"]+)" data-outcome="([^"]+)"', answer.text))
        assert outcomes == {
            codes[0]: "approved",
            codes[1]: "approved",
            codes[2]: "approved",
            codes[3]: "already_revoked",
            "HN001-999999-0": "not_found",
        }
        assert f"Bản sao {codes[3]} đã bị {OFFICER} thu hồi lúc" in visible_text(answer.text)
        assert "3/5 bản sao đã được ký." in visible_text(answer.text)
        assert raw_keys(visible_text(answer.text)) == []
        for code in codes[:3]:
            state = copy_state(office.db, code)
            assert (
                state is not None
                and state["status"] == "post_checked"
                and state["post_checked_by"] == OFFICER
            )
            assert state["approved_sha256"]
        # Forged or empty batches change nothing.
        assert _post_pairs(client, "/console/batch-approve", [("code", codes[0])]).status_code == 403
        empty = client.post("/console/batch-approve", data={"csrf_token": token})
        assert empty.status_code == 400 and "Chưa chọn bản sao nào." in empty.text
        too_many = _post_pairs(
            client,
            "/console/batch-approve",
            [("csrf_token", token), *[("code", f"HN001-{i:06d}-0") for i in range(101)]],
        )
        assert too_many.status_code == 400


def test_neighbours_after_a_decision_point_at_the_copy_that_took_its_place(sqlite_office: BackOffice) -> None:
    office = sqlite_office
    codes = _issue_series(office, 3)
    assert office.db is not None
    f = QueueFilter()
    middle = neighbours(office.db, f, codes[1])
    assert (middle.previous, middle.next, middle.position, middle.total) == (codes[0], codes[2], 2, 3)
    with office.db._tx() as cur:
        cur.execute("UPDATE copies SET status = 'revoked' WHERE code = ?", (codes[1],))
    gone = neighbours(office.db, f, codes[1])
    assert (gone.previous, gone.next, gone.position, gone.total) == (codes[0], codes[2], 0, 2)
    assert neighbours(office.db, f, "HN001-999999-0").next is None


@pytest.mark.parametrize("path", ["/static/console.js", "/static/console.css"])
def test_console_script_and_style_are_served_and_pages_allow_only_own_scripts(
    sqlite_office: BackOffice, path: str
) -> None:
    office = sqlite_office
    office.add_officer()
    assert httpx.get(office.public_url + path).status_code == 200
    assert httpx.get(office.public_url + "/static/../helpers.py").status_code == 404
    with officer_client(office) as client:
        csp = client.get("/console").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
