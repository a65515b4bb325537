"""The document reader in Chromium: one claim panel at a time, however the first one was opened."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Page, expect  # noqa: E402

from test_browser import CHROMIUM, browser, page, server, shot  # noqa: E402,F401 - fixtures

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")


@pytest.mark.parametrize("opened_by", ["click", "link"])
def test_a_second_claim_closes_the_first_panel(server: str, page: Page, opened_by: str) -> None:
    page.goto(server + "/documents")
    page.locator("table.list a").first.click()
    reader = page.url.split("#")[0]
    ids = list(dict.fromkeys(c.get_attribute("data-claim") for c in page.locator("a.claim[data-claim]").all()))
    if opened_by == "click":
        page.locator(f'a.claim[data-claim="{ids[0]}"]').first.click()
    else:  # the URL's #claim-… opens it (CSS :target), as a link from the claims list does
        page.goto(f"{reader}#claim-{ids[0]}")
        page.reload()
    expect(page.locator(".claim-detail:visible")).to_have_count(1)
    page.locator(f'a.claim[data-claim="{ids[1]}"]').first.click()
    expect(page.locator(".claim-detail:visible")).to_have_count(1)
    expect(page.locator(f'[id="claim-{ids[1]}"]')).to_be_visible()
    shot(page, f"one-claim-panel-{opened_by}")
