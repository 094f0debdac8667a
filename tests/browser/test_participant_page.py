"""The participant page and the rapporteur's timeline in real browsers (issue 13,
"Participant page"): several people at once on a real server.

- On a 360x740 phone the ask box is in the first screen, and Q&A, Polls and Notes are an
  ARIA tablist; a badge counts open polls this participant has not answered.
- With six polls (five closed) the ask box still starts in the first screen, and the
  closed polls are folded into "Past polls (5)".
- Presence by organisation counts participants only, with English plurals.
- The rapporteur reloads and still sees the earlier timeline.
- axe-core: no critical or serious violation in en, ja and mn on the phone layout.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import ROOM, TIMEOUT, Pages, join
from tests.browser.test_accessibility import LANGS, axe, in_lang
from tests.browser.test_polls_browser import act, create_poll, poll, vote_option

PHONE = {"width": 360, "height": 740}
# The words of each tab's label that are broken over two lines or stick out of the tab.
WORDS_OUTSIDE = """tabs => tabs.flatMap((tab) => {
  const node = tab.querySelector(".tab-label").firstChild;
  const text = node.textContent;
  const box = tab.getBoundingClientRect();
  const found = [];
  let at = 0;
  for (const word of text.split(/\\s+/).filter(Boolean)) {
    const start = text.indexOf(word, at);
    at = start + word.length;
    const range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, at);
    const rects = [...range.getClientRects()];
    if (rects.length > 1) found.push(`${word}: broken`);
    const outside = rects.some((r) => r.left < box.left - 0.5 || r.right > box.right + 0.5);
    if (outside) found.push(`${word}: outside`);
  }
  return found;
})"""


def phone(pages: Pages, name: str, org: str = "Sendai City", lang: str = "en") -> Page:
    page = in_lang(pages, lang, viewport=PHONE)
    join(page, f"{pages.workshop.server.url}/r/{ROOM}", name, org)
    return page


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def open_polls(mod: Page, count: int, closed: int) -> list[str]:
    """`count` single-choice polls, all opened; the first `closed` closed again."""
    ids = []
    for i in range(count):
        poll_id = create_poll(mod, f"Poll {i + 1}: which warning channel works best?", "single",
                              ["Sirens", "SMS", "Radio"])  # fmt: skip
        act(mod, poll_id, "open", "open")
        ids.append(poll_id)
    for poll_id in ids[:closed]:
        act(mod, poll_id, "close", "closed")
    return ids


def test_phone_ask_box_first_and_tabs_switch_sections(pages: Pages) -> None:
    mod = pages.moderator()
    aiko = phone(pages, "Aiko", "Sendai City")
    bold = phone(pages, "Bold", "Ulaanbaatar City")
    box = aiko.locator("#ask").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    tabs = aiko.get_by_role("tablist")
    expect(tabs).to_be_visible()
    expect(aiko.get_by_role("tab")).to_have_count(3)
    qa, polls, notes = (aiko.locator(f"#tab-{s}") for s in ("qa", "polls", "notes"))
    expect(qa).to_have_attribute("aria-selected", "true")
    expect(aiko.locator("#panel-qa")).to_be_visible()
    expect(aiko.locator("#panel-polls")).to_be_hidden()
    expect(aiko.locator("#panel-notes")).to_be_hidden()
    expect(aiko.locator("#panel-qa")).to_have_attribute("role", "tabpanel")

    # A poll opens: both participants get a badge on Polls until they answer it.
    [poll_id] = open_polls(mod, 1, 0)
    for page in (aiko, bold):
        expect(page.locator("#tab-polls .tab-badge")).to_have_text("1", timeout=TIMEOUT)
        expect(page.get_by_role("tab", name="Polls 1")).to_have_attribute(
            "aria-describedby", "tab-polls-about"
        )
        expect(page.locator("#tab-polls-about")).to_have_text("1 open poll to answer")
    polls.click()
    expect(polls).to_have_attribute("aria-selected", "true")
    expect(aiko.locator("#panel-polls")).to_be_visible()
    expect(aiko.locator("#panel-qa")).to_be_hidden()
    vote_option(aiko, poll_id, 1)
    expect(aiko.locator("#tab-polls .tab-badge")).to_be_hidden(timeout=TIMEOUT)
    expect(bold.locator("#tab-polls .tab-badge")).to_have_text("1")  # Bold has not voted

    # Keyboard: Right moves to Notes and selects it; Home goes back to Q&A.
    polls.focus()
    aiko.keyboard.press("ArrowRight")
    expect(notes).to_be_focused()
    expect(aiko.locator("#panel-notes")).to_be_visible()
    expect(aiko.locator("#notes-text")).to_be_visible()
    aiko.keyboard.press("Home")
    expect(qa).to_be_focused()
    expect(aiko.locator("#panel-qa")).to_be_visible()
    # The ask box stays on top whatever the tab, and asking works from it.
    aiko.fill("#ask-text", "Do schools get the SMS warnings too?")
    aiko.click("#ask-submit")
    expect(bold.locator(".q-text", has_text="Do schools get the SMS")).to_be_visible(
        timeout=TIMEOUT
    )
    no_horizontal_scroll(aiko)


def test_six_polls_five_closed_fold_into_past_polls(pages: Pages) -> None:
    mod = pages.moderator()
    ids = open_polls(mod, 6, 5)
    aiko = phone(pages, "Aiko")
    box = aiko.locator("#ask").bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"], box
    assert box["y"] + box["height"] <= PHONE["height"], box
    aiko.click("#tab-polls")
    past = aiko.locator("#past-polls")
    expect(past).to_be_visible()
    expect(past).not_to_have_attribute("open", "")
    expect(past.locator("summary")).to_have_text("Past polls (5)")
    expect(aiko.locator("#poll-list [data-poll-id]")).to_have_count(1)
    expect(aiko.locator(f'#poll-list [data-poll-id="{ids[5]}"]')).to_be_visible()
    for poll_id in ids[:5]:
        expect(poll(aiko, poll_id)).to_be_hidden()
    past.locator("summary").click()
    expect(aiko.locator("#past-poll-list [data-poll-id]")).to_have_count(5)
    expect(poll(aiko, ids[4])).to_be_visible()
    no_horizontal_scroll(aiko)

    # A wide screen shows every section at once, no tablist, the ask box first.
    wide = in_lang(pages, "en", viewport={"width": 1280, "height": 800})
    join(wide, f"{pages.workshop.server.url}/r/{ROOM}", "Chimeg", "Ulaanbaatar City")
    expect(wide.locator("#participant-tabs")).to_be_hidden()
    for panel in ("#panel-qa", "#panel-polls", "#panel-notes"):
        expect(wide.locator(panel)).to_be_visible()
    ask = wide.locator("#ask").bounding_box()
    assert ask is not None and ask["y"] + ask["height"] <= 800, ask
    expect(wide.locator("#past-polls summary")).to_have_text("Past polls (5)")
    no_horizontal_scroll(wide)
    wide.set_viewport_size({"width": 1920, "height": 1080})
    expect(wide.locator("#participant-tabs")).to_be_hidden()
    polls_box = wide.locator("#panel-polls").bounding_box()
    ask_box = wide.locator("#ask").bounding_box()
    assert (
        polls_box and ask_box and polls_box["x"] > ask_box["x"] + ask_box["width"]
    )  # side by side
    no_horizontal_scroll(wide)


def test_presence_by_organisation_and_plurals_in_english(pages: Pages) -> None:
    mod = pages.moderator()  # staff: never counted
    aiko = phone(pages, "Aiko", "Sendai City")
    line = aiko.locator("#presence-orgs")
    expect(line).to_have_text("1 participant here: Sendai City 1", timeout=TIMEOUT)
    phone(pages, "Bold", "Ulaanbaatar City")
    phone(pages, "Chiaki", "Sendai City")
    expect(line).to_have_text(
        "3 participants here: Sendai City 2 · Ulaanbaatar City 1", timeout=TIMEOUT
    )
    # Votes: "1 vote", "2 votes" on the result counts.
    [poll_id] = open_polls(mod, 1, 0)
    aiko.click("#tab-polls")
    vote_option(aiko, poll_id, 1)
    count = poll(mod, poll_id).locator('.poll-result[data-option="1"] .poll-count')
    expect(count).to_have_attribute("title", "1 vote", timeout=TIMEOUT)
    bold = pages.pages[2]
    bold.click("#tab-polls")
    vote_option(bold, poll_id, 1)
    expect(count).to_have_attribute("title", "2 votes", timeout=TIMEOUT)
    for page in pages.pages:
        assert not re.search(r"\b1 (votes|voters|participants)\b", page.inner_text("body"))


def test_rapporteur_timeline_survives_a_reload(pages: Pages) -> None:
    room = next(r for r in pages.workshop.links["rooms"] if r["code"] == ROOM)
    mod = pages.moderator()
    aiko = phone(pages, "Aiko")
    aiko.fill("#ask-text", "How are evacuation drills run in schools?")
    aiko.click("#ask-submit")
    question = mod.locator("[data-qid]", has_text="How are evacuation drills")
    expect(question).to_be_visible(timeout=TIMEOUT)
    rap = in_lang(pages, "en", viewport={"width": 1280, "height": 800})
    join(rap, room["rapporteur_url"], "Rapporteur", "UNDRR")
    timeline = rap.locator("#timeline li")
    asked = rap.locator("#timeline li", has_text="Question asked: How are evacuation drills")
    expect(asked).to_have_count(1, timeout=TIMEOUT)  # from before this page opened
    [poll_id] = open_polls(mod, 1, 0)
    expect(rap.locator("#timeline li", has_text="Poll opened: Poll 1")).to_have_count(
        1, timeout=TIMEOUT
    )
    before = timeline.evaluate_all("els => els.map(e => e.dataset.seq + ' ' + e.textContent)")
    assert len(before) >= 3, before

    rap.reload()
    expect(rap.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(asked).to_have_count(1, timeout=TIMEOUT)
    expect(timeline).to_have_count(len(before), timeout=TIMEOUT)
    after = timeline.evaluate_all("els => els.map(e => e.dataset.seq + ' ' + e.textContent)")
    assert after == before
    # And it keeps growing live, one line per seq, newest first.
    act(mod, poll_id, "close", "closed")
    expect(timeline.first).to_contain_text("Poll closed: Poll 1", timeout=TIMEOUT)
    seqs = [int(s) for s in timeline.evaluate_all("els => els.map(e => e.dataset.seq)")]
    assert seqs == sorted(set(seqs), reverse=True), seqs
    expect(rap.locator("#timeline-status")).to_be_hidden()


@pytest.mark.parametrize("lang", LANGS)
def test_phone_layout_has_no_serious_axe_violations(pages: Pages, lang: str) -> None:
    mod = pages.moderator()
    open_polls(mod, 2, 1)
    aiko = phone(pages, "Aiko", lang=lang)
    expect(aiko.locator("#tab-polls .tab-badge")).to_have_text("1", timeout=TIMEOUT)
    # Every tab label fits its tab, each word on one line, even the longer Mongolian ones.
    clipped = aiko.locator(".section-tab").evaluate_all(WORDS_OUTSIDE)
    assert clipped == [], clipped
    assert axe(aiko) == [], "Q&A tab"
    aiko.click("#tab-polls")
    aiko.locator("#past-polls summary").click()
    assert axe(aiko) == [], "Polls tab, past polls open"
    aiko.click("#tab-notes")
    assert axe(aiko) == [], "Notes tab"
    no_horizontal_scroll(aiko)
