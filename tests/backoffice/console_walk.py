"""Two officers of one ward working through the SAME queue at the same moment (issue 24's testers' walk):
each opens the queue's first copy and approves copy after copy (the next one opens by itself), so they
keep landing on the same copies. A copy the other officer has just approved must be told apart plainly
("already done", or simply no Approve button any more) and skipped; anything else shown is a failure. Used
by tests/backoffice/test_console_same_queue.py and bench/postcheck_bench.py.

At the end every copy must be post-checked and signed exactly once: one ``approve`` in the audit trail, and
its stored PDF holds the kiosk's seal plus exactly one more signature (the officer's)."""

from __future__ import annotations

import html as html_lib
import io
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from backoffice.services.auth import audit_trail
from backoffice.services.postcheck import copy_state
from backoffice.storage.db import BackendDB
from tests.backoffice.console_helpers import csrf_of

WAIT_S = 120
# What the console says when the other officer was first (approvals._WORDS already_done / i18n res_already).
ALREADY = ("không cần ký lại", "Đã được xử lý trước đó", "nothing to sign", "Already done before")
_MESSAGE = re.compile(r'<p class="error" id="message">(.*?)</p>', re.S)
_CODE = re.compile(r'<h1 class="mono" id="code">([^<]+)</h1>')
_NEXT = re.compile(r'<a href="([^"]+)" id="next-copy"')


@dataclass
class Walk:
    """What one officer did: copies approved, copies they were told were already done (or found decided),
    failures (anything else: an error shown, a timeout, an exception) and seconds per approval."""

    officer: str
    approved: list[str] = field(default_factory=list)
    told_already: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def message(self, code: str, text: str) -> None:
        if any(words in text for words in ALREADY):
            self.told_already.append(code)
        else:
            self.failures.append(f"{self.officer} {code}: {text}")


def at_once(walks: Sequence[Callable[[], None]], *, timeout: float = 600) -> float:
    """Run each walk in its own thread, released together; the wall-clock seconds until all are done."""
    barrier = threading.Barrier(len(walks))

    def run(walk: Callable[[], None]) -> None:
        barrier.wait(timeout=WAIT_S)
        walk()

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in walks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return time.perf_counter() - started


# --- over HTTP: the forms the pages carry, as a browser without script sends them ---------------------


def http_walk(client: httpx.Client, queue_query: str, walk: Walk, *, limit: int = 500) -> None:
    """Approve from the filtered queue until it is empty, following the console's own links."""
    try:
        page = client.get(f"/console?{queue_query}")
        for _ in range(limit):
            first = re.search(r'<tr class="copy-row" data-code="[^"]+" data-href="([^"]+)"', page.text)
            if first is None:
                return  # the queue is empty
            page = client.get(html_lib.unescape(first.group(1)))
            while True:
                code = _CODE.search(page.text)
                if code is None:
                    break  # back on the queue
                code_text = code.group(1)
                if 'id="approve-form"' in page.text:
                    action = re.search(r'<form method="post" action="([^"]+)" id="approve-form"', page.text)
                    assert action is not None
                    start = time.perf_counter()
                    answer = client.post(
                        html_lib.unescape(action.group(1)),
                        data={"csrf_token": csrf_of(page.text), "confirmed": "1"},
                    )
                    if answer.status_code == 303:
                        walk.approved.append(code_text)
                        walk.seconds.append(time.perf_counter() - start)
                        page = client.get(answer.headers["location"])
                        continue
                    shown = _MESSAGE.search(answer.text)
                    text = html_lib.unescape(shown.group(1)) if shown else f"HTTP {answer.status_code}"
                    walk.message(code_text, text)
                    page = answer
                else:  # the other officer decided it before this page loaded
                    walk.told_already.append(code_text)
                nxt = _NEXT.search(page.text)
                if nxt is None:
                    page = client.get(f"/console?{queue_query}")
                    break
                page = client.get(html_lib.unescape(nxt.group(1)))
    except Exception as exc:  # a failure to count, not a crash of the walk
        walk.failures.append(f"{walk.officer}: {type(exc).__name__}: {exc}")


# --- in headless Chromium: the keys an officer presses -----------------------------------------------


def _selenium() -> Any:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    return ActionChains, By, Keys, WebDriverWait


def _press(driver: Any, *keys: str) -> None:
    chain = _selenium()[0](driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def _loaded(driver: Any) -> bool:
    return bool(
        driver.execute_script("return document.readyState === 'complete' && !!document.body.dataset.page")
    )


def _images_loaded(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            "const i = document.querySelector('img.page-image');"
            "return i === null || (i.complete && i.naturalWidth > 0);"
        )
    )


def browser_walk(driver: Any, url: str, queue_query: str, walk: Walk, *, limit: int = 500) -> None:
    """The officer's keys: from the queue j Enter; on a copy `a` then Enter; when the other officer was
    first (a message, or no Approve button), j to the next copy, or back to the queue at its end."""
    _, by, keys, wait = _selenium()
    try:
        driver.get(f"{url}/console?{queue_query}")
        for _ in range(limit):
            wait(driver, WAIT_S).until(_loaded)
            kind = driver.execute_script("return document.body.dataset.page")
            if kind == "queue":
                if not driver.find_elements(by.CSS_SELECTOR, "tr.copy-row"):
                    return
                _press(driver, "j", keys.ENTER)
                wait(driver, WAIT_S).until(lambda d: "/console/copies/" in d.current_url)
                continue
            wait(driver, WAIT_S).until(_images_loaded)
            code = driver.find_element(by.ID, "code").text
            if driver.find_elements(by.ID, "approve"):
                start = time.perf_counter()
                before = driver.find_element(by.TAG_NAME, "body")
                _press(driver, "a")
                wait(driver, WAIT_S).until(
                    lambda d: d.find_element(by.ID, "approve-dialog").get_attribute("open")
                )
                _press(driver, keys.ENTER)
                wait(driver, WAIT_S).until(lambda d, b=before: _gone(b))
                wait(driver, WAIT_S).until(_loaded)
                shown = driver.find_elements(by.ID, "message")
                if not shown:
                    walk.approved.append(code)
                    walk.seconds.append(time.perf_counter() - start)
                    continue  # the next copy (or the queue) is open
                walk.message(code, shown[0].text)
            else:
                walk.told_already.append(code)
            if driver.find_elements(by.ID, "next-copy"):
                _press(driver, "j")
                wait(driver, WAIT_S).until(lambda d, c=code: _other_copy(d, c))
            else:
                driver.get(f"{url}/console?{queue_query}")
        walk.failures.append(f"{walk.officer}: still working after {limit} pages")
    except Exception as exc:  # a failure to count, not a crash of the walk
        walk.failures.append(f"{walk.officer}: {type(exc).__name__}: {str(exc)[:200]}")


def _gone(element: Any) -> bool:
    try:
        element.tag_name  # noqa: B018 - a stale element raises: the page changed
    except Exception:
        return True
    return False


def _other_copy(driver: Any, code: str) -> bool:
    if not _loaded(driver):
        return False
    found = driver.execute_script(
        "const c = document.getElementById('code'); return c ? c.textContent : null"
    )
    return found is None or found.strip() != code


# --- the end state ------------------------------------------------------------------------------------


def signature_count(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader  # heavy: loaded on first use

    return len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)


def signed_once(db: BackendDB, codes: Sequence[str], officers: Sequence[str]) -> list[str]:
    """Problems with the end state: a copy not post-checked, approved other than once, or whose stored
    PDF does not hold exactly one signature more than the kiosk's sealed copy."""
    problems = []
    for code in codes:
        approvals = sum(1 for e in audit_trail(db, code, 1000) if e["action"] == "approve")
        state = copy_state(db, code)
        record = db.get_record(code)
        if state is None or record is None:
            problems.append(f"{code}: missing")
            continue
        if state["status"] != "post_checked" or state["post_checked_by"] not in officers:
            problems.append(f"{code}: {state['status']} by {state['post_checked_by']}")
            continue
        if approvals != 1:
            problems.append(f"{code}: approved {approvals} times in the audit trail")
        with db._tx() as cur:
            cur.execute("SELECT pdf_sha256 FROM records WHERE code = ?", (code,))
            sealed_sha = cur.fetchone()[0]
        sealed, approved = db.blobs.get(sealed_sha), db.blobs.get(state["approved_sha256"])
        if sealed is None or approved is None:
            problems.append(f"{code}: a PDF is missing")
        elif signature_count(approved) != signature_count(sealed) + 1:
            problems.append(
                f"{code}: {signature_count(approved)} signatures, the sealed copy {signature_count(sealed)}"
            )
    return problems
