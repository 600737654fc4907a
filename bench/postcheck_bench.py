"""bench/postcheck: an officer works through the post-check console in headless Chromium (issue 24).

Target: a scripted officer post-checks 50 copies at a median of <= 10 s of machine time per copy, and two
officers working at once see zero failures. The backend runs as the tests run it (tests/backoffice:
`kiosk-backend serve`'s listeners in threads, SQLite, the officer's key on a SoftHSM2 token, real certified
copies sealed by two dev kiosks). Machine time: from a copy's page starting to load to the next copy's page
loaded after the decision; the officer's own reading time is not in it (the script does not pause).

  * new      - the console now: the copy opens from the queue (j, Enter); on each copy the page image
               loads, `a` opens the confirm, Enter accepts, the backend signs, and the next copy opens;
  * baseline - the old 3-click path on the same server: Back to the queue, open the copy, scroll to
               Approve and click it (plus today's confirm), as an officer did before (no next-in-queue);
  * pair     - two officers (two browsers, two accounts, one token) approving their own filtered queues at
               the same moment; a failure is an error shown or a copy not post-checked at the end.
  * same     - issue 24's testers' walk: two officers of the same ward approving from the SAME queue at
               the same moment, so they keep meeting on one copy (tests/backoffice/console_walk.py). A copy
               the other got first must read "already done" (or show no Approve button) and is skipped;
               anything else shown is a failure. At the end each copy must be signed exactly once (one
               approval in the audit trail, one officer signature more than the sealed PDF). The split
               between the two and copies/min beside the pair's (two separate queues) show whether they
               share the queue (the next copy skips one the other officer has open: console.OpenCopies).

    .venv/bin/python bench/postcheck_bench.py [--copies 50] [--baseline 20] [--pair 10] [--same 20]
                                              [--screenshots]

``--screenshots`` writes the queue, a copy (desktop and phone) and a batch approval's results into
docs/screenshots/ (PNG) for the README.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backoffice.services.postcheck import copy_state  # noqa: E402
from tests.backoffice.browser import chromium  # noqa: E402
from tests.backoffice.console_helpers import (  # noqa: E402
    MISREAD_NAME,
    OFFICER_2,
    add_second_officer,
    issue_sealed,
    phone_viewport,
)
from tests.backoffice.console_walk import Walk, at_once, browser_walk, signed_once  # noqa: E402
from tests.backoffice.helpers import OFFICER, PASSWORD, BackOffice, SoftHsm, make_kiosks  # noqa: E402
from tests.sync.helpers import make_pki  # noqa: E402

WAIT_S = 120
SHOTS = ROOT / "docs" / "screenshots"
# Each run works its own queue, told apart by document type (the console's filter).
MAIN, BASELINE, PAIR_A, PAIR_B, BATCH, SAME = (
    "birth_certificate",
    "diploma",
    "marriage_certificate",
    "residence_confirmation",
    "land_use_certificate",
    "id_card",
)


def _selenium() -> Any:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return ActionChains, By, Keys, ec, WebDriverWait


def login(driver: Any, url: str, username: str) -> None:
    _, by, _, ec, wait = _selenium()
    driver.get(url + "/login")
    wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "login-form")))
    driver.find_element(by.ID, "username").send_keys(username)
    driver.find_element(by.ID, "password").send_keys(PASSWORD)
    driver.find_element(by.ID, "login").click()
    wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "count")))


def press(driver: Any, *keys: str) -> None:
    chains = _selenium()[0]
    chain = chains(driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def images_loaded(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            "const i = document.querySelector('img.page-image');"
            "return i !== null && i.complete && i.naturalWidth > 0;"
        )
    )


def work_through(driver: Any, url: str, doc_type: str, count: int, errors: list[str]) -> list[float]:
    """The new path: open the first copy from the filtered queue, then `a`, Enter on each; seconds a copy."""
    _, by, keys, ec, wait = _selenium()
    driver.get(f"{url}/console?doc_type={doc_type}&per_page=100")
    wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "queue")))
    start = time.perf_counter()
    press(driver, "j", keys.ENTER)
    times: list[float] = []
    for _ in range(count):
        wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "approve")))
        wait(driver, WAIT_S).until(images_loaded)
        code = driver.find_element(by.ID, "code").text
        press(driver, "a")
        wait(driver, WAIT_S).until(lambda d: d.find_element(by.ID, "approve-dialog").get_attribute("open"))
        press(driver, keys.ENTER)
        wait(driver, WAIT_S).until(ec.url_contains(f"after={code}"))
        wait(driver, WAIT_S).until(lambda d: d.execute_script("return document.readyState") == "complete")
        if driver.find_elements(by.ID, "message"):
            errors.append(f"{code}: {driver.find_element(by.ID, 'message').text}")
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return times


def old_path(driver: Any, url: str, doc_type: str, count: int, errors: list[str]) -> list[float]:
    """The old 3-click path: Back to the queue, open the copy, scroll to Approve, click (and confirm)."""
    _, by, _, ec, wait = _selenium()
    queue = f"{url}/console?doc_type={doc_type}&per_page=100"
    driver.get(queue)
    wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "queue")))
    times: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        driver.get(queue)  # click 1: Back (a fresh load of the queue)
        wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "queue")))
        driver.find_element(by.CSS_SELECTOR, "tr.copy-row a.open").click()  # click 2: open
        wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "approve")))
        wait(driver, WAIT_S).until(images_loaded)
        code = driver.find_element(by.ID, "code").text
        button = driver.find_element(by.ID, "approve")
        driver.execute_script("arguments[0].scrollIntoView()", button)  # the scroll
        button.click()  # click 3: Approve
        wait(driver, WAIT_S).until(ec.element_to_be_clickable((by.ID, "approve-confirm"))).click()
        wait(driver, WAIT_S).until(ec.url_contains(f"after={code}"))
        wait(driver, WAIT_S).until(lambda d: d.execute_script("return document.readyState") == "complete")
        if driver.find_elements(by.ID, "message"):
            errors.append(f"{code}: {driver.find_element(by.ID, 'message').text}")
        times.append(time.perf_counter() - start)
    return times


def screenshots(office: BackOffice, first_copy: str, batch: list[str]) -> list[Path]:
    _, by, keys, ec, wait = _selenium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = []
    with chromium(1440, 900, lang="vi") as driver:
        login(driver, office.public_url, OFFICER)
        driver.get(office.public_url + "/console?per_page=20")
        wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "queue")))
        press(driver, "j", "j")
        driver.save_screenshot(str(SHOTS / "console-queue.png"))
        out.append(SHOTS / "console-queue.png")
        driver.get(f"{office.public_url}/console/copies/{first_copy}?doc_type={MAIN}&per_page=100")
        wait(driver, WAIT_S).until(images_loaded)
        driver.save_screenshot(str(SHOTS / "console-copy.png"))
        out.append(SHOTS / "console-copy.png")
        driver.get(f"{office.public_url}/console?doc_type={BATCH}")
        wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "queue")))
        for code in batch:
            driver.find_element(by.CSS_SELECTOR, f'input.pick[value="{code}"]').click()
        press(driver, "a")
        wait(driver, WAIT_S).until(lambda d: d.find_element(by.ID, "batch-dialog").get_attribute("open"))
        driver.save_screenshot(str(SHOTS / "console-batch-confirm.png"))
        out.append(SHOTS / "console-batch-confirm.png")
        press(driver, keys.ENTER)
        wait(driver, WAIT_S).until(ec.presence_of_element_located((by.ID, "batch-results")))
        driver.save_screenshot(str(SHOTS / "console-batch.png"))
        out.append(SHOTS / "console-batch.png")
    with chromium(390, 844, lang="vi") as driver:
        phone_viewport(driver)
        login(driver, office.public_url, OFFICER)
        driver.get(f"{office.public_url}/console/copies/{first_copy}")
        wait(driver, WAIT_S).until(images_loaded)
        driver.save_screenshot(str(SHOTS / "console-copy-phone.png"))
        out.append(SHOTS / "console-copy-phone.png")
    return out


def _stats(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=20)
    parser.add_argument("--pair", type=int, default=10, help="copies each of the two officers approves")
    parser.add_argument("--same", type=int, default=20, help="copies in the one queue both officers work")
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="postcheck-bench-"))
    hsm = SoftHsm()
    office = BackOffice(make_pki(folder / "pki"), make_kiosks(folder / "kiosks"), folder / "backend").start()
    try:
        office.add_officer()
        add_second_officer(office)
        made = time.perf_counter()
        misread = {"full_name": MISREAD_NAME, "date_of_birth": "2019-05-04", "seal": "absent"}
        first = {"ocr_fields": misread, "ocr_low_words": ["THỦ"], "liveness": "passed:turn_right+blink"}
        main_codes = [
            issue_sealed(office, ("HN-001", "HN-002")[i % 2], doc_type=MAIN, **(first if i == 0 else {}))
            for i in range(args.copies)
        ]
        for i in range(args.baseline):
            issue_sealed(office, ("HN-001", "HN-002")[i % 2], doc_type=BASELINE)
        pair = {
            kind: [issue_sealed(office, ("HN-001", "HN-002")[i % 2], doc_type=kind) for i in range(args.pair)]
            for kind in (PAIR_A, PAIR_B)
        }
        batch = [issue_sealed(office, "HN-001", doc_type=BATCH) for _ in range(5)] if args.screenshots else []
        same = [issue_sealed(office, ("HN-001", "HN-002")[i % 2], doc_type=SAME) for i in range(args.same)]
        print(f"made {sum(map(len, (main_codes, *pair.values(), same))) + args.baseline + len(batch)} sealed copies "
              f"in {time.perf_counter() - made:.0f} s")  # fmt: skip
        shots = screenshots(office, main_codes[0], batch) if args.screenshots else []

        errors: list[str] = []
        with chromium(1440, 900, lang="vi") as driver:
            login(driver, office.public_url, OFFICER)
            new = work_through(driver, office.public_url, MAIN, args.copies, errors)
            old = (
                old_path(driver, office.public_url, BASELINE, args.baseline, errors) if args.baseline else []
            )

        pair_errors: list[str] = []
        pair_times: dict[str, list[float]] = {}

        def officer(username: str, kind: str) -> None:
            try:
                with chromium(1440, 900, lang="vi") as driver:
                    login(driver, office.public_url, username)
                    barrier.wait(timeout=WAIT_S)
                    pair_times[username] = work_through(
                        driver, office.public_url, kind, args.pair, pair_errors
                    )
            except Exception as exc:  # a failure to count, not a crash of the bench
                pair_errors.append(f"{username}: {type(exc).__name__}: {exc}")

        barrier = threading.Barrier(2)
        started = time.perf_counter()
        threads = [
            threading.Thread(target=officer, args=(OFFICER, PAIR_A)),
            threading.Thread(target=officer, args=(OFFICER_2, PAIR_B)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        pair_wall = time.perf_counter() - started
        assert office.db is not None
        not_done = [
            c
            for codes in pair.values()
            for c in codes
            if copy_state(office.db, c)["status"] != "post_checked"
        ]  # type: ignore[index]
        pair_errors += [f"{c}: not post-checked" for c in not_done]

        same_walks = [Walk(OFFICER), Walk(OFFICER_2)]
        same_wall, same_problems = 0.0, []
        if same:
            with chromium(1440, 900, lang="vi") as one, chromium(1440, 900, lang="vi") as two:
                login(one, office.public_url, OFFICER)
                login(two, office.public_url, OFFICER_2)
                same_wall = at_once([
                    lambda: browser_walk(one, office.public_url, f"doc_type={SAME}&per_page=100", same_walks[0]),
                    lambda: browser_walk(two, office.public_url, f"doc_type={SAME}&per_page=100", same_walks[1]),
                ])  # fmt: skip
            same_problems = signed_once(office.db, same, [OFFICER, OFFICER_2])
    finally:
        office.stop()
        hsm.close()
        shutil.rmtree(folder, ignore_errors=True)

    median_new, p90_new = _stats(new)
    print(
        f"\npost-check console, headless Chromium 1440x900, SQLite, SoftHSM2 officer token ({sys.platform})"
    )
    print(f"{'path':<44}{'copies':>7}{'median s':>10}{'p90 s':>8}")
    print(f"{'new: j Enter, then a + Enter, next opens':<44}{len(new):>7}{median_new:>10.2f}{p90_new:>8.2f}")
    if old:
        median_old, p90_old = _stats(old)
        print(
            f"{'old: Back, open, scroll, Approve (+confirm)':<44}{len(old):>7}{median_old:>10.2f}{p90_old:>8.2f}"
        )
        print(f"old/new median: {median_old / median_new:.2f}x")
    verdict = "met" if median_new <= 10 else "NOT met"
    print(f"target median <= 10 s a copy: {verdict} ({median_new:.2f} s); errors shown: {len(errors)}")
    both = sum(len(t) for t in pair_times.values())
    print(
        f"two officers at once ({OFFICER}: {PAIR_A}, {OFFICER_2}: {PAIR_B}): {both} of {2 * args.pair} copies "
        f"approved in {pair_wall:.1f} s wall, failures: {len(pair_errors)}"
    )
    same_failures = [f for w in same_walks for f in w.failures] + same_problems
    if same:
        approved = {w.officer: len(w.approved) for w in same_walks}
        told = sum(len(w.told_already) for w in same_walks)
        times = [t for w in same_walks for t in w.seconds]
        pair_rate = both / pair_wall * 60 if pair_wall else 0.0
        same_rate = sum(approved.values()) / same_wall * 60 if same_wall else 0.0
        print(
            f"two officers, SAME queue at once ({SAME}): {len(same)} copies, approved "
            f"{', '.join(f'{k}: {v}' for k, v in approved.items())}; told 'already done' / found decided: "
            f"{told}; signed exactly once: {len(same) - len(same_problems)}/{len(same)}; "
            f"failures: {len(same_failures)}"
        )
        if times:
            median_same, p90_same = _stats(times)
            print(f"  approval (a + Enter to the next page) median {median_same:.2f} s, p90 {p90_same:.2f} s")
        print(
            f"  {same_wall:.1f} s wall: {same_rate:.1f} copies/min on one queue vs {pair_rate:.1f} copies/min "
            f"on two separate queues (pair); same/pair: {same_rate / pair_rate if pair_rate else 0:.2f}x"
        )
    for problem in (errors + pair_errors + same_failures)[:10]:
        print("  ", problem)
    for path in shots:
        print("screenshot:", path.relative_to(ROOT))
    return 0 if median_new <= 10 and not pair_errors and not errors and not same_failures else 1


if __name__ == "__main__":
    sys.exit(main())
