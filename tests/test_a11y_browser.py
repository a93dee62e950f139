"""axe-core in a real Chromium on every page template: logged out and in, at 1280 and 390 px, light and dark.

Zero violations at any impact for WCAG 2.0/2.1/2.2 A and AA and the best-practice rules. One browser, one context
per (login, colour scheme), each page loaded once per context and audited at both widths; about 2 minutes here.
"""

import time

import pytest
from django.conf import settings

from tests.a11y_pages import axe_run, page_prepare, page_routes, pages_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
SCHEMES = ("light", "dark")


@pytest.fixture
def no_grading_messages(monkeypatch):
    """Interviews are graded in-process here: nothing is sent to the broker."""
    from quiz.exams.services import interview

    monkeypatch.setattr(interview, "interview_grade_enqueue", lambda *, interview_id: None)


def _session_cookie(client, user, live_server) -> dict:
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}  # fmt: skip


def test_every_page_has_no_axe_violations_in_both_widths_and_colour_schemes(
    browser, live_server, user, client, no_grading_messages
):
    pages = pages_build(user=user)
    cookie = _session_cookie(client, user, live_server)
    found, audits, started = [], 0, time.monotonic()
    for logged_in in (False, True):
        for scheme in SCHEMES:
            # axe is injected as an inline script, which the site's CSP (rightly) refuses
            context = browser.new_context(viewport=WIDTHS[0], color_scheme=scheme, bypass_csp=True)
            page_routes(context, live_server.url)
            if logged_in:
                context.add_cookies([cookie])
            page = context.new_page()
            for item in pages:
                if item.login and not logged_in:
                    continue
                page.set_viewport_size(WIDTHS[0])
                page.goto(f"{live_server.url}{item.path}")
                page.wait_for_load_state()
                page_prepare(page, item.action)
                for width in WIDTHS:
                    page.set_viewport_size(width)
                    audits += 1
                    for violation in axe_run(page):
                        where = f"{item.name} {'in' if logged_in else 'out'} {scheme} {width['width']}"
                        found.append({"where": where, **violation})
            context.close()
    elapsed = time.monotonic() - started
    print(f"\naxe: {audits} audits, {len(found)} violations, {elapsed:.0f} s")
    for violation in found:
        print(violation)
    assert audits >= 4 * len(pages)
    assert not found, f"{len(found)} axe violations in {audits} audits: " + "; ".join(
        f"{v['where']}: {v['id']} ({v['impact']}, {v['nodes']} nodes) {v['targets']}" for v in found[:40]
    )
