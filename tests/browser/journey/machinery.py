"""The journey's step machinery: a step records its result and screenshot and never stops the
run; every page passes through axe-core at 1280 and 400 px the first time it shows; timings
leave out the time spent on screenshots and axe."""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page


@dataclass
class Waits:
    """How long the journey waits for things the merchant does not do herself (seconds)."""

    order_webhook: float = 30.0
    order_zero_setup: float = 20.0
    tracking: float = 30.0
    stock: float = 65.0  # the goal is 60 s: waiting a little longer tells whether it is met


@dataclass
class StepResult:
    name: str
    ok: bool
    seconds: float
    error: str = ""


class StepMachinery:
    """Mixed into Journey (which holds the fields these methods use)."""

    def step(self, name: str, action: Callable[[], None]) -> bool:
        self._n += 1
        started = time.monotonic()
        try:
            action()
            ok, error = True, ""
        except Exception as exc:  # a failed step is recorded; the journey goes on
            ok = False
            error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            error += " @ " + _where(exc)
        self.steps.append(StepResult(name, ok, round(time.monotonic() - started, 2), error))
        self.shot(name)
        return ok

    def shot(self, name: str) -> None:
        """The step's screenshot of the wixoms tab (and axe, the first time a page shows)."""
        self.look(self.page, name)

    def look(self, page: Page, name: str) -> None:
        """A full-page screenshot at 1280 px; the first time a page (wixoms' or the Wix
        sandbox's) shows, axe-core at 1280 and 400 px and a 400 px screenshot too."""
        began = time.monotonic()
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
        shot = self.artifacts / f"journey-{self._n:02d}-{slug}"
        try:
            page.screenshot(path=f"{shot}.png", full_page=True)
            if self.run_axe:
                self.axe(page, shot)
        finally:
            self._overhead += time.monotonic() - began

    def axe(self, page: Page, shot: Path) -> None:
        key = _page_key(page.url, wix=self.wix.url)
        for width in (1280, 400):
            if (key, width) in self._axe_seen:
                continue
            self._axe_seen.add((key, width))
            page.set_viewport_size({"width": width, "height": 900})
            if width == 400:
                page.screenshot(path=f"{shot}-400.png", full_page=True)
            for v in _axe().run(page).response["violations"]:
                if v.get("impact") in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"]][:3]
                    self.axe_findings[(key, width, v["id"])] = f"{v['help']} — {targets}"
        page.set_viewport_size({"width": 1280, "height": 900})

    @contextmanager
    def clock(self) -> Iterator[Callable[[], float]]:
        """Elapsed time without the screenshots' and axe's share."""
        start, overhead = time.monotonic(), self._overhead
        yield lambda: round(time.monotonic() - start - (self._overhead - overhead), 2)

    def wait_until(self, check: Callable[[], bool], timeout: float) -> float | None:
        """Seconds until check() holds (polled), or None if it did not within timeout."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if check():
                return round(time.monotonic() - start, 2)
            time.sleep(0.2)
        return None

    def open(self, path: str) -> None:
        self.page.goto(f"{self.stack.app_url}{path}")
        settled(self.page)

    def save_channel(self) -> None:
        self.page.get_by_role("button", name="Save", exact=True).first.click()
        settled(self.page)


@cache
def _axe():
    """One axe-core runner (it reads axe's script once)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def settled(page: Page) -> None:
    """Wait until htmx has swapped and processed new content."""
    page.wait_for_load_state()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def _page_key(url: str, wix: str) -> str:
    """One key per page, tab and wizard step (ids and tokens left out); Wix's pages marked."""
    parts = urlsplit(url)
    path = re.sub(r"/[0-9a-f-]{8,}|/\d+", "/N", parts.path)
    path = re.sub(r"/wizard/[^/]{20,}", "/wizard/S", path)
    view = re.search(r"(?:tab|step)=\w+", parts.query)  # a channel tab, a wizard step
    return ("wix:" if url.startswith(wix) else "") + path + (f"?{view.group(0)}" if view else "")


def _where(exc: Exception) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "journey" in f.filename]
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
