"""The sandbox in a real browser: what a person sees and clicks reaches the real app and back.

Each test drives the page only (no shortcuts into the app): the slash command box, card buttons,
the rating and window modals, the Home tab and the clock control. The Slack stand-in behind the
page checks every Web API call; the module ends by asserting there was no violation.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from hiring_bot.sandbox import demo
from hiring_bot.sandbox.server import Sandbox
from tests.browser.conftest import shot

Page = Any  # playwright.sync_api.Page (imported lazily: the tests skip without playwright)
TIMEOUT = 30_000  # generous: CI machines are shared


def cards(page: Page) -> Any:
    return page.locator("#messages .message:not(.ephemeral)")


def card_for(page: Page, ref: int) -> Any:
    """The application's card (a reminder listing the application is not its card)."""
    return cards(page).filter(has_text=re.compile(rf" · #{ref} · "))


def wait_for_cards(page: Page, at_least: int = 20) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('#messages .message:not(.ephemeral)').length >= {at_least}",
        timeout=TIMEOUT,
    )


def act_as(page: Page, person: demo.Person) -> None:
    page.select_option("#user-select", person.user_id)


def run_command(page: Page, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")


def test_channel_shows_the_cards_rendered_from_block_kit(page: Page) -> None:
    wait_for_cards(page)
    first = cards(page).first
    # Section fields, a context line, buttons and the stage menu of a real card.
    assert first.locator(".fields").count() >= 1
    page.locator("#messages .block.context").first.wait_for(timeout=TIMEOUT)
    assert page.locator("#messages button[data-action-id='card_claim']").count() >= 1
    assert page.locator("#messages select[data-action-id='card_stage']").count() >= 1
    # mrkdwn: bold names, links to code, mentions of claimers, dates from <!date^…>.
    assert page.locator("#messages .message b").count() > 0
    assert page.locator("#messages a[href^='https://github.com/']").count() > 0
    assert page.locator("#messages .mention", has_text="@Alice Moreau").count() > 0
    assert page.locator("#messages time").count() > 0
    # Nothing of Slack's raw markup leaks into the page.
    text = page.locator("#messages").inner_text()
    for markup in ("<!date^", "<@U", "*"):
        assert markup not in text
    shot(page, "channel")


def test_a_cards_thread_holds_the_shared_resume(page: Page) -> None:
    wait_for_cards(page)
    link = page.locator("#messages .thread-link").first
    link.wait_for(timeout=TIMEOUT)
    link.click()
    thread = page.locator("#thread")
    thread.locator(".message").nth(1).wait_for(timeout=TIMEOUT)
    assert "resume" in thread.locator(".file").first.inner_text().lower()
    shot(page, "thread")
    page.click("#thread-close")
    assert thread.is_hidden()


def test_intern_list_answers_only_the_user_who_asked(page: Page) -> None:
    wait_for_cards(page)
    run_command(page, "/intern list")
    answer = page.locator("#messages .message.ephemeral", has_text="Applications")
    answer.first.wait_for(timeout=TIMEOUT)
    assert "Only visible to you" in answer.first.inner_text()
    # The list is paged with buttons and each item has an overflow menu: use one.
    answer.first.locator("button[data-action-id='list_item_menu']").first.click()
    page.locator("#menu-layer .menu button", has_text="Details").click()
    details = page.locator("#modal-layer .modal")
    details.wait_for(timeout=TIMEOUT)
    assert "Application #" in details.locator(".modal-head").inner_text()
    assert "Cover letter" in details.inner_text()
    shot(page, "intern-list-details")
    details.locator(".modal-foot button").first.click()
    page.wait_for_selector("#modal-layer .modal", state="detached", timeout=TIMEOUT)
    shot(page, "intern-list")

    act_as(page, demo.OMAR)
    page.wait_for_function(
        "!document.querySelector('#messages .message.ephemeral')", timeout=TIMEOUT
    )
    run_command(page, "/intern list")
    refusal = page.locator("#messages .message.ephemeral")
    refusal.first.wait_for(timeout=TIMEOUT)
    assert "Applications" not in refusal.first.inner_text()


def test_claim_and_rate_from_a_card(page: Page, sandbox: Sandbox) -> None:
    wait_for_cards(page)
    unclaimed = (
        cards(page)
        .filter(has=page.locator("button[data-action-id='card_claim']"))
        .filter(has=page.locator("select[data-action-id='card_stage']"))
    )
    text = unclaimed.first.inner_text()
    ref = int(re.search(r" · #(\d+) · ", text).group(1))  # type: ignore[union-attr]
    card = card_for(page, ref)
    card.locator("button[data-action-id='card_claim']").click()
    # The card is updated in place (chat.update) and now offers Rate and Unclaim.
    card.locator("button[data-action-id='card_unclaim']").wait_for(timeout=TIMEOUT)
    assert "claimed by @Alice Moreau" in card.inner_text()

    card.locator("button[data-action-id='card_rate']").click()
    modal = page.locator("#modal-layer .modal")
    modal.wait_for(timeout=TIMEOUT)
    assert f"Rate #{ref}" in modal.locator(".modal-head").inner_text()
    # Submitting without the required overall score: the field says so, the modal stays.
    modal.locator("button[type=submit]").click()
    error = modal.locator(".field-error")
    error.first.wait_for(timeout=TIMEOUT)
    assert "required" in error.first.inner_text()
    shot(page, "rating-modal-error")
    modal.locator("select.sb-input").first.select_option("4")
    modal.locator("textarea").fill("Clear letter; solid sequence-learning project.")
    modal.locator("button[type=submit]").click()
    page.wait_for_selector("#modal-layer .modal", state="detached", timeout=TIMEOUT)
    page.wait_for_function(
        "([ref]) => [...document.querySelectorAll('#messages .message')].some("
        "m => m.innerText.includes('#' + ref + ' ') && /1 rating/.test(m.innerText))",
        arg=[ref],
        timeout=TIMEOUT,
    )
    shot(page, "card-after-rating")


def test_rate_from_the_details_modal_pushes_onto_the_stack(page: Page) -> None:
    wait_for_cards(page)
    act_as(page, demo.DANA)
    card = cards(page).filter(has=page.locator("select[data-action-id='card_stage']")).first
    ref = int(re.search(r" · #(\d+) · ", card.inner_text()).group(1))  # type: ignore[union-attr]
    card_for(page, ref).locator("button[data-action-id='card_details']").click()
    modal = page.locator("#modal-layer .modal")
    modal.wait_for(timeout=TIMEOUT)
    assert f"Application #{ref}" in modal.locator(".modal-head").inner_text()
    modal.locator("button[data-action-id='card_rate']").click()
    page.wait_for_function(
        "document.querySelector('#modal-layer .modal-head')?.innerText.startsWith('Rate #')",
        timeout=TIMEOUT,
    )
    assert "2 views in this stack" in modal.inner_text()
    shot(page, "pushed-rating-modal")
    modal.locator(".modal-foot button", has_text="Cancel").click()  # back to the details
    page.wait_for_function(
        "document.querySelector('#modal-layer .modal-head')?.innerText.startsWith('Application')",
        timeout=TIMEOUT,
    )
    modal.locator(".modal-head button").click()
    page.wait_for_selector("#modal-layer .modal", state="detached", timeout=TIMEOUT)


def test_window_modal_shows_the_apps_inline_errors(page: Page, sandbox: Sandbox) -> None:
    wait_for_cards(page)
    act_as(page, demo.DANA)
    window = demo.demo_windows(sandbox.clock.now().date())[1].name
    run_command(page, f"/intern window edit {window}")
    modal = page.locator("#modal-layer .modal")
    modal.wait_for(timeout=TIMEOUT)
    ends = modal.locator("[data-block-id='window_ends_on'] input")
    ends.fill("2000-01-01")  # before the start: only the app knows that is wrong
    modal.locator("button[type=submit]").click()
    error = modal.locator("[data-block-id='window_ends_on'] .field-error")
    error.wait_for(timeout=TIMEOUT)
    assert "must be on or after" in error.inner_text()
    shot(page, "window-modal-app-error")
    modal.locator("button", has_text="Cancel").click()
    page.wait_for_selector("#modal-layer .modal", state="detached", timeout=TIMEOUT)


def test_purge_asks_for_confirmation_then_replaces_its_question(page: Page) -> None:
    wait_for_cards(page)
    act_as(page, demo.DANA)
    card = cards(page).filter(has=page.locator("select[data-action-id='card_stage']")).nth(3)
    ref = int(re.search(r" · #(\d+) · ", card.inner_text()).group(1))  # type: ignore[union-attr]
    run_command(page, f"/intern purge {ref}")
    question = page.locator("#messages .message.ephemeral", has_text=f"Purge #{ref} · ")
    question.first.wait_for(timeout=TIMEOUT)
    question.first.locator("button[data-action-id='retention_purge_confirm']").click()
    dialog = page.locator("#confirm-layer .modal")
    dialog.wait_for(timeout=TIMEOUT)
    assert f"Purge #{ref}?" in dialog.inner_text()
    shot(page, "purge-confirm")
    dialog.locator("button", has_text="Purge").click()
    answer = page.locator("#messages .message.ephemeral", has_text=f"Anonymised #{ref}")
    answer.first.wait_for(timeout=TIMEOUT)
    # replace_original: the question is gone, the answer took its place.
    assert page.locator("#messages button[data-action-id='retention_purge_confirm']").count() == 0
    card_for(page, ref).filter(has_text="Anonymised").first.wait_for(timeout=TIMEOUT)


def test_app_home_tab(page: Page) -> None:
    wait_for_cards(page)
    page.click("#nav-home")
    home = page.locator("#home .blocks")
    home.wait_for(timeout=TIMEOUT)
    assert home.locator(".block").count() > 1
    shot(page, "app-home")
    # Claiming from the Home tab: the app re-publishes it with the item in "Awaiting your rating".
    claim = page.locator("#home button[data-action-id='home_claim']").first
    item = claim.locator("xpath=ancestor::div[contains(@class,'section')]").inner_text()
    ref = re.search(r"#(\d+)", item).group(1)  # type: ignore[union-attr]
    claim.click()
    page.wait_for_function(
        "([ref]) => [...document.querySelectorAll('#home .section')].some(s => "
        "s.innerText.includes('#' + ref + ' ') "
        "&& s.querySelector(\"[data-action-id='home_rate']\"))",
        arg=[ref],
        timeout=TIMEOUT,
    )


def jump(page: Page, label: str) -> None:
    option = page.locator("#jump-select option", has_text=label).first
    page.select_option("#jump-select", option.get_attribute("value"))
    page.click("#jump-button")


def test_next_morning_brings_stale_claim_dms(page: Page) -> None:
    wait_for_cards(page)
    act_as(page, demo.BOB)  # holds demo claims from days ago, not rated yet
    page.click("#nav-dms")
    # Started after 09:00, the bot has already caught up with this morning's DMs: count them.
    page.wait_for_timeout(1500)
    before = page.locator("#dms .message", has_text="waiting for your rating").count()
    jump(page, "next morning")
    page.wait_for_function(
        "[...document.querySelectorAll('#dms .message')]"
        f".filter(m => m.innerText.includes('waiting for your rating')).length > {before}",
        timeout=TIMEOUT,
    )
    dm = page.locator("#dms .message", has_text="waiting for your rating")
    assert page.locator("#dm-count").inner_text() != ""
    shot(page, "stale-claim-dm")
    # A button in a DM answers in that DM, for Bob only.
    dm.first.locator("button", has_text="Open my list").click()
    mine = page.locator("#dms .message.ephemeral", has_text="Applications")
    mine.first.wait_for(timeout=TIMEOUT)
    assert "claimed by @Bob Tanaka" in mine.first.inner_text()


def test_clock_jump_brings_the_deadline_reminder(page: Page) -> None:
    wait_for_cards(page)
    before = page.locator("#messages .message", has_text="application deadline").count()
    jump(page, "application deadline")
    page.wait_for_function(
        f"[...document.querySelectorAll('#messages .message')]"
        f".filter(m => m.innerText.includes('application deadline')).length > {before}",
        timeout=TIMEOUT,
    )
    reminder = page.locator("#messages .message", has_text="application deadline").last
    assert "tomorrow" in reminder.inner_text()
    assert "+" in page.locator("#clock-label").inner_text()  # the page shows the offset
    reminder.scroll_into_view_if_needed()
    shot(page, "reminder-after-clock-jump")


def test_sample_email_goes_through_the_real_intake(page: Page) -> None:
    wait_for_cards(page)
    count = cards(page).count()
    page.click("#ingest-button")
    page.wait_for_function(
        f"document.querySelectorAll('#messages .message:not(.ephemeral)').length > {count}",
        timeout=TIMEOUT,
    )
    assert "stored #" in page.locator(".toast").first.inner_text()


def test_checks_pane_lists_no_violations(page: Page, sandbox: Sandbox) -> None:
    wait_for_cards(page)
    page.click("#nav-checks")
    checks = page.locator("#checks")
    checks.wait_for(timeout=TIMEOUT)
    assert sandbox.standin.violations == []
    assert sandbox.problems == []
    assert "No violations" in checks.inner_text()
    assert "/intern" in page.locator("#activity").inner_text()
    shot(page, "checks")


@pytest.fixture(scope="module", autouse=True)
def _clean_at_the_end(sandbox: Sandbox) -> Any:
    yield
    sandbox.standin.assert_clean()
    assert sandbox.problems == []
