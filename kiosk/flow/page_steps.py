"""The document pages of a visit: scan, rescan, remove, a page scanned twice, and the errors on the way.

Part of `VisitFlow` (a mixin, like `print_step.PrintSteps`). Issue 25's walk (W2): an error on the scan step
after the first page (a blank page, an empty glass, a blurred page, a scanner fault) never traps the
citizen. Besides scanning again, its screen offers to go on with the pages kept ("Done, continue with N
pages", `Action.finish_pages`) and to go back to the scan screen with them (`Action.back_to_pages`); only
"start over" gives way, since it would throw away the card, the face check and the pages. A page scanned
twice is held until the citizen keeps it, drops it and scans again at once (like the card's "Scan again"),
goes back with it dropped, or cancels the visit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.flow.contracts import Report
from kiosk.flow.errors import RESCAN_ACTIONS, Action, ErrorInfo, classify_error
from kiosk.flow.record import Screen, wipe_array
from kiosk.services.delivery import note_count

if TYPE_CHECKING:
    from kiosk.flow.machine import VisitFlow
    from ocr import PageResult

MAX_PAGES = 20
# A document the kiosk keeps refusing (handwritten, oversized, faded) is one it cannot certify: after this
# many refused pages the error offers a queue ticket ("unsupported_document") for the counter.
MAX_PAGE_REJECTS = 3
MAX_ERROR_ACTIONS = 4  # the error screen's buttons
DUPLICATE_ACTIONS = (Action.rescan, Action.keep_page, Action.back_to_pages, Action.cancel)


class PageSteps:
    """Mixed into VisitFlow; uses its _go, _run, _fail, show_error, touch, visit and services."""

    def scan_page(self: VisitFlow, replace: int | None = None) -> None:  # type: ignore[misc]
        """Scan a new page (add), or scan again over page `replace` (rescan)."""
        if self.screen != Screen.scan or self.busy:
            return
        if replace is None and len(self.visit.pages) >= MAX_PAGES:
            return
        self.visit.laid_on_glass.add("pages")

        texts = [str(getattr(p, "text", "")) for i, p in enumerate(self.visit.pages) if i != replace]
        # Issue 25: the same page scanned twice is flagged (services.find_duplicate, when it has one)
        earlier = [(i, p) for i, p in enumerate(self.visit.pages) if i != replace]
        find_duplicate = getattr(self.services, "find_duplicate", None)

        def work(report: Report) -> tuple[PageResult, str, int | None]:
            page = self.services.read_page(self.services.scan_page())
            guess, duplicate_of = "", None
            if getattr(getattr(page, "quality", None), "ok", True):
                guess = str(self.services.classify_document([*texts, str(getattr(page, "text", ""))]))
                if find_duplicate is not None and earlier:
                    found = find_duplicate(page, [p for _, p in earlier])
                    duplicate_of = earlier[found][0] if found is not None else None
            return page, guess, duplicate_of

        def read(result: tuple[PageResult, str, int | None]) -> None:
            page, guess, duplicate_of = result
            if duplicate_of is not None:
                self._duplicate_read(page, guess, duplicate_of, replace)
                return
            self._page_read(page, guess, replace)

        self._run("read_page", work, read, self._page_failed)
        self._changed()

    def _duplicate_read(  # type: ignore[misc]
        self: VisitFlow, page: PageResult, guess: str, duplicate_of: int, replace: int | None
    ) -> None:
        """The page has the content of page `duplicate_of`: held, and the citizen asked to drop or keep it."""
        note_count(self.visit, "pages_scanned")
        self.visit.pending_duplicate = (page, guess, duplicate_of if replace is None else -1 - replace)
        self.visit.pending_duplicate_of = self.visit.pages[duplicate_of]
        self.show_error(
            ErrorInfo("duplicate_page", str(duplicate_of + 1), DUPLICATE_ACTIONS), back_to=Screen.scan
        )

    def keep_duplicate(self: VisitFlow, keep: bool) -> None:  # type: ignore[misc]
        """The citizen's answer about a page scanned twice: keep it as a page, or drop it."""
        visit = self.visit
        pending, earlier = visit.pending_duplicate, visit.pending_duplicate_of
        visit.pending_duplicate = visit.pending_duplicate_of = None
        self.visit.error = None
        if pending is None:
            self._go(Screen.scan)
            return
        page, guess, where = pending
        if not keep:
            wipe_array(getattr(page, "image", None))
            self._go(Screen.scan)
            return
        self.screen = Screen.scan
        if earlier is not None:  # issue 25: its thumbnail says which page it repeats
            self.visit.kept_duplicates.append((page, earlier))
        self._page_read(page, guess, -1 - where if where < 0 else None)
        self._go(Screen.scan)

    def _page_read(self: VisitFlow, page: PageResult, guess: str, replace: int | None) -> None:  # type: ignore[misc]
        quality = getattr(page, "quality", None)
        note_count(self.visit, "pages_scanned")
        if replace is not None or (quality is not None and not getattr(quality, "ok", True)):
            note_count(self.visit, "rescans")  # refused (it must be scanned again) or scanned over
        if quality is not None and not getattr(quality, "ok", True):
            self.visit.page_quality = quality
            self.visit.page_rejects += 1
            wipe_array(getattr(page, "image", None))
            actions: tuple[Action, ...] = RESCAN_ACTIONS
            if self.visit.page_rejects >= MAX_PAGE_REJECTS and getattr(self.services, "tickets", None):
                actions = (Action.rescan, Action.ticket, Action.call_staff, Action.start_over)
            reason = str(getattr(quality, "reason", "") or "")
            self.show_error(
                ErrorInfo("page_quality", reason, self._scan_error_actions(actions)), back_to=Screen.scan
            )
            return
        if replace is not None and 0 <= replace < len(self.visit.pages):
            wipe_array(getattr(self.visit.pages[replace], "image", None))
            self.visit.pages[replace] = page
        else:
            self.visit.pages.append(page)
        if guess:
            self.visit.doc_type_guess = guess
        self.touch()
        self._changed()

    def _page_failed(self: VisitFlow, exc: BaseException) -> None:  # type: ignore[misc]
        """The scanner or the reading failed (an empty glass, the cover open, a fault): its error screen,
        with the pages kept as ways on once there are some."""
        error = classify_error(exc)
        self.show_error(replace(error, actions=self._scan_error_actions(error.actions)), back_to=Screen.scan)

    def _scan_error_actions(self: VisitFlow, actions: tuple[Action, ...]) -> tuple[Action, ...]:  # type: ignore[misc]
        """W2: with pages already scanned, an error on the scan step offers its main way (scan again, try
        again), then "done, continue with the N pages" and "back to the pages", then the rest of its ways
        (a ticket, a staff call) as room allows. "Start over" goes: it would lose the pages, the card and
        the face check (the scan screen's "Cancel" still ends the visit)."""
        if not self.visit.pages:
            return actions
        rest = [a for a in actions[1:] if a not in (Action.start_over, Action.cancel)]
        return (*actions[:1], Action.finish_pages, Action.back_to_pages, *rest)[:MAX_ERROR_ACTIONS]

    def page_error_action(self: VisitFlow, action: Action) -> bool:  # type: ignore[misc]
        """The error screen's answer when it came from the scan step; False when it is not one of the scan
        step's own ways on (the caller's general handling applies)."""
        error = self.visit.error
        if error is not None and error.kind == "duplicate_page":
            if action == Action.keep_page:
                self.keep_duplicate(True)
                return True
            if action in (Action.rescan, Action.back_to_pages):
                self.keep_duplicate(False)  # dropped; "scan again" then scans what lies on the glass now
                if action == Action.rescan:
                    self.scan_page()
                return True
            if action == Action.call_staff:  # help comes; the page stays held until the citizen answers
                return False
            self.keep_duplicate(False)
            return False  # cancel or start over: the caller ends the visit
        if action not in (Action.finish_pages, Action.back_to_pages):
            return False
        self.visit.error = None
        if action == Action.back_to_pages or not self.visit.pages:
            self._go(Screen.scan)
            return True
        self.screen = Screen.scan
        self.pages_done()
        return True

    def remove_page(self: VisitFlow, index: int) -> None:  # type: ignore[misc]
        if self.screen == Screen.scan and 0 <= index < len(self.visit.pages):
            wipe_array(getattr(self.visit.pages.pop(index), "image", None))
            self.touch()
            self._changed()

    def pages_done(self: VisitFlow) -> None:  # type: ignore[misc]
        if self.screen != Screen.scan or self.busy:
            return
        if not self.visit.pages:
            self.show_error(ErrorInfo("no_pages", "", RESCAN_ACTIONS), back_to=Screen.scan)
            return
        self._go(Screen.review)
