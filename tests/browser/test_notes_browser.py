"""Shared notes in real browsers (issue 5): a plain textarea bound to Yjs.

Three participants type into `#notes-text` at once and converge on one text holding
everyone's words; an IME composition in one page holds back the others' edits until it
ends; a lock makes the textarea read-only for participants; edits made offline (even by
a page closed before it could send them) reach the room. Every page is watched for CSP
violations and script errors.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import Pages, close_settings, open_settings
from tests.conftest import Workshop

ROOM = "SUB-EWS"
TIMEOUT = 15_000


def notes_text(page: Page) -> str:
    return str(page.locator("#notes-text").input_value())


def wait_saved(*pages: Page) -> None:
    for page in pages:
        expect(page.locator("#notes-state")).to_have_attribute(
            "data-state", "saved", timeout=TIMEOUT
        )


def wait_same(*pages: Page, timeout: float = TIMEOUT) -> str:
    """Wait until every page shows one text; return it."""
    first = pages[0]
    deadline = timeout
    step = 100
    while True:
        wait_saved(*pages)
        texts = [notes_text(p) for p in pages]
        if len(set(texts)) == 1:
            return texts[0]
        if deadline <= 0:
            raise AssertionError(f"no convergence: {texts!r}")
        first.wait_for_timeout(step)
        deadline -= step


def caret_to(page: Page, where: str) -> None:
    """Put the caret at the start or end of the notes (clicking first focuses them)."""
    page.click("#notes-text")
    page.keyboard.press("Control+Home" if where == "start" else "Control+End")


def test_three_browsers_typing_at_once_converge(pages: Pages) -> None:
    aiko = pages.participant("Aiko", "Sendai City")
    bat = pages.participant("Bat", "Ulaanbaatar City")
    ren = pages.participant("Ren", "Tohoku University")
    caret_to(aiko, "end")
    aiko.keyboard.type("Agenda: evacuation drills\n", delay=5)
    wait_same(aiko, bat, ren)
    caret_to(aiko, "end")
    caret_to(bat, "start")
    caret_to(ren, "end")
    ren.keyboard.press("ArrowUp")  # ren types in the middle: the end of the first line
    ren.keyboard.press("End")
    words = {
        aiko: ["alpha ", "bravo ", "charlie "],
        bat: ["delta ", "echo ", "foxtrot "],
        ren: [" golf", " hotel", " india"],
    }
    japanese = {aiko: "避難所を確認 ", bat: "Нүүлгэлт ", ren: " 津波"}
    for i in range(3):
        for page, mine in words.items():
            page.keyboard.type(mine[i], delay=15)  # the others' edits land meanwhile
        for page in words:
            if i == 1:
                page.keyboard.insert_text(japanese[page])
    text = wait_same(aiko, bat, ren)
    # Each person's run is unbroken: the others' edits moved their caret along with the
    # text (bat typed at the start, ren in the middle, aiko at the end).
    for page, mine in words.items():
        run = mine[0] + mine[1] + japanese[page] + mine[2]
        assert text.count(run) == 1, (run, text)
    assert text.startswith("delta echo Нүүлгэлт foxtrot Agenda: evacuation drills golf hotel")
    # Every keystroke is there exactly once.
    typed = sum(len("".join(w)) + len(japanese[p]) for p, w in words.items())
    assert len(text) == len("Agenda: evacuation drills\n") + typed
    expect(aiko.locator("#notes-editors")).to_contain_text("Bat (Ulaanbaatar City)")
    # A reload syncs from the server alone.
    bat.reload()
    expect(bat.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    expect(bat.locator("#notes-text")).to_have_value(text, timeout=TIMEOUT)


def test_remote_edits_wait_while_an_ime_composition_is_in_progress(pages: Pages) -> None:
    composer = pages.participant("Aiko", "Sendai City")
    other = pages.participant("Bat", "Ulaanbaatar City")
    caret_to(composer, "end")
    composer.keyboard.type("Start ", delay=5)
    wait_same(composer, other)
    caret_to(composer, "end")
    composer.dispatch_event("#notes-text", "compositionstart", {"data": ""})
    composer.keyboard.insert_text("避難")  # what the IME has put in the textarea so far
    caret_to(other, "start")
    other.keyboard.type("remote words ", delay=5)
    wait_saved(other)
    expect(composer.locator("#notes-editors")).to_contain_text("Bat", timeout=TIMEOUT)
    composer.wait_for_timeout(500)
    assert notes_text(composer) == "Start 避難"  # nothing moved under the composition
    composer.keyboard.insert_text("所")
    composer.dispatch_event("#notes-text", "compositionend", {"data": "避難所"})
    text = wait_same(composer, other)
    assert text == "remote words Start 避難所"
    caret = composer.locator("#notes-text").evaluate("t => t.selectionStart")
    assert caret == len(text)  # the caret stayed after the composed text


def test_locked_notes_are_read_only_for_participants(pages: Pages) -> None:
    chair = pages.moderator()
    aiko = pages.participant("Aiko", "Sendai City")
    caret_to(aiko, "end")
    aiko.keyboard.type("draft ", delay=5)
    wait_same(chair, aiko)
    open_settings(chair)  # the settings are in a drawer now
    chair.check("#set-notes-locked")
    close_settings(chair)
    expect(aiko.locator("#notes-text")).to_have_attribute("readonly", "", timeout=TIMEOUT)
    expect(aiko.locator("#notes-locked")).to_be_visible()
    expect(chair.locator("#notes-locked")).to_be_visible()
    assert chair.locator("#notes-text").get_attribute("readonly") is None
    caret_to(chair, "end")
    chair.keyboard.type("final wording", delay=5)
    assert wait_same(chair, aiko) == "draft final wording"
    aiko.click("#notes-text")
    aiko.keyboard.type("ignored")
    assert notes_text(aiko) == "draft final wording"
    open_settings(chair)
    chair.uncheck("#set-notes-locked")
    close_settings(chair)
    expect(aiko.locator("#notes-text")).not_to_have_attribute("readonly", "", timeout=TIMEOUT)
    expect(aiko.locator("#notes-locked")).to_be_hidden()


def test_offline_edits_are_kept_and_merged(pages: Pages, workshop: Workshop) -> None:
    aiko = pages.participant("Aiko", "Sendai City")
    bat = pages.participant("Bat", "Ulaanbaatar City")
    caret_to(aiko, "end")
    aiko.keyboard.type("online ", delay=5)
    wait_same(aiko, bat)
    aiko.context.set_offline(True)
    caret_to(aiko, "end")
    aiko.keyboard.type("offline one ", delay=5)
    state = aiko.locator("#notes-state")
    expect(state).to_have_attribute("data-state", "offline", timeout=TIMEOUT)
    expect(state).to_contain_text("Not synced")
    caret_to(bat, "start")
    bat.keyboard.type("meanwhile ", delay=5)
    aiko.context.set_offline(False)
    assert wait_same(aiko, bat) == "meanwhile online offline one "
    # A page closed before it could send: its edits wait in localStorage, and the next
    # page of this browser sends them.
    aiko.context.set_offline(True)
    caret_to(aiko, "end")
    aiko.keyboard.type("after reload", delay=5)
    expect(state).to_have_attribute("data-state", "offline", timeout=TIMEOUT)
    aiko.wait_for_timeout(400)  # the queue is written to localStorage within 250 ms
    stored = aiko.evaluate(f"localStorage.getItem('workshop.notes.{ROOM}')")
    assert stored
    context = aiko.context
    pages.pages.remove(aiko)
    aiko.close()
    context.set_offline(False)
    again = context.new_page()
    pages.pages.append(again)
    again.goto(f"{workshop.server.url}/r/{ROOM}")
    expect(again.locator("#conn-state")).to_have_attribute("data-state", "live", timeout=TIMEOUT)
    assert wait_same(again, bat) == "meanwhile online offline one after reload"
    expect(again.locator("#notes-state")).to_have_attribute("data-state", "saved")
    again.wait_for_function(  # acknowledged: nothing left to keep
        "key => localStorage.getItem(key) === null", arg=f"workshop.notes.{ROOM}", timeout=TIMEOUT
    )
