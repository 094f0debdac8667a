"""Event files with language maps, a registry of organisations and the rooms' slots
(PROTOCOL.md "Additions", "Event file"); old files with plain strings still load."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from server.event_file import EventFileError, load_event, parse_event
from server.organisations import Organisation

ROOT = Path(__file__).resolve().parents[2]

FILE = """
title = { en = "City-to-city learning", ja = "都市間学習", mn = "Хот хоорондын суралцахуй" }
languages = ["ja", "mn", "en"]

[[organisations]]
id = "sendai"
name = { en = "Sendai City", ja = "仙台市", mn = "Сендай хот" }
city = "sendai"

[[organisations]]
id = "undrr-kobe"
name = "UNDRR Kobe Office"

[[rooms]]
code = "SUB-PLAN"
title = { en = "Planning and Investment", ja = "計画と投資" }
starts = 2026-12-10T10:00:00+09:00
ends = 2026-12-10T11:30:00+09:00

[[rooms]]
code = "DISCUSS"
title = "Open discussion"
"""


def test_maps_registry_and_slots_are_read() -> None:
    event = parse_event(tomllib.loads(FILE))
    assert event.title == {
        "en": "City-to-city learning",
        "ja": "都市間学習",
        "mn": "Хот хоорондын суралцахуй",
    }
    assert event.languages == ("ja", "mn", "en")
    assert event.organisations == (
        Organisation("sendai", {"en": "Sendai City", "ja": "仙台市", "mn": "Сендай хот"}, "sendai"),
        Organisation("undrr-kobe", "UNDRR Kobe Office", None),
    )
    plan, discuss = event.rooms
    assert plan.title == {"en": "Planning and Investment", "ja": "計画と投資"}
    assert (plan.starts, plan.ends) == ("2026-12-10T10:00:00+09:00", "2026-12-10T11:30:00+09:00")
    assert discuss.title == "Open discussion" and discuss.starts is None
    # what the join reply and the room API carry: both keys with a slot, none without
    assert plan.slot() == {
        "starts": "2026-12-10T10:00:00+09:00",
        "ends": "2026-12-10T11:30:00+09:00",
    }
    assert discuss.slot() == {}


def test_the_demo_event_is_the_workshops_programme() -> None:
    """Issue 14: the four sessions in three languages with their slots, the registry of
    the organisations that run the workshop, and the three guiding questions."""
    event = load_event(ROOT / "examples" / "sendai-ulaanbaatar.toml")
    assert [r.code for r in event.rooms] == ["SUB-PLAN", "SUB-EWS", "SUB-ECC", "DISCUSS"]
    for item in (event.title, *(r.title for r in event.rooms)):
        assert isinstance(item, dict) and set(item) == {"en", "ja", "mn"}, item
    starts = [r.starts for r in event.rooms]
    assert all(starts) and starts == sorted(starts)  # one day, in order, with an offset
    assert all(s is not None and s.endswith("+09:00") for s in starts)
    assert [o.org_id for o in event.organisations] == [
        "sendai", "ulaanbaatar", "undrr-onea-geti", "undrr-kobe",
    ]  # fmt: skip
    sendai = event.organisations[0]
    assert sendai.name == {"en": "Sendai City", "ja": "仙台市", "mn": "Сендай хот"}
    assert {o.city for o in event.organisations} == {"sendai", "ulaanbaatar", "undrr"}
    prompts = event.rooms[-1].prompts
    assert len(prompts) == 3
    assert all(isinstance(p, dict) and set(p) == {"en", "ja", "mn"} for p in prompts)
    assert prompts[1]["en"] == "What led you to make this commitment or initiative?"
    assert "仙台防災枠組" in prompts[0]["ja"] and "Сендай" in prompts[0]["mn"]


def test_a_first_round_event_file_still_loads() -> None:
    """The tests' event is written as first-round files were: plain strings, no registry."""
    event = load_event(ROOT / "tests" / "support" / "workshop.toml")
    assert len(event.rooms) == 4 and isinstance(event.title, str)
    assert event.organisations == () and all(r.prompts == () for r in event.rooms)


def test_prompts_are_read_and_limited() -> None:
    room = '[[rooms]]\ncode = "X1"\ntitle = "X"\n'
    ok = parse_event(tomllib.loads(f'title = "T"\n{room}prompts = ["Why?", {{ ja = "なぜ？" }}]'))
    assert ok.rooms[0].prompts == ("Why?", {"ja": "なぜ？"})
    for bad, field in (
        ('prompts = "Why?"', "rooms[0].prompts"),
        ("prompts = [" + ", ".join(['"Q"'] * 11) + "]", "rooms[0].prompts"),
        (f'prompts = ["{"x" * 501}"]', "rooms[0].prompts[0]"),
        ('prompts = [{ fr = "Pourquoi ?" }]', "rooms[0].prompts[0]"),
    ):
        with pytest.raises(EventFileError, match=re.escape(f"{field}:")):
            parse_event(tomllib.loads(f'title = "T"\n{room}{bad}'))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ('title = { fr = "Apprentissage" }', "title"),
        ("title = {}", "title"),
        ('[[organisations]]\nid = "Sendai City"\nname = "Sendai City"', "organisations[0].id"),
        ('[[organisations]]\nid = "sendai"', "organisations[0].name"),
        ('[[organisations]]\nid = "a"\nname = "A"\n[[organisations]]\nid = "a"\nname = "B"',
         "organisations[1].id"),
        ('[[organisations]]\nid = "a"\nname = "A"\ncity = "Sendai City"', "organisations[0].city"),
        ('[[rooms]]\ncode = "X1"\ntitle = "X"\nstarts = 2026-12-10T10:00:00', "rooms[1].starts"),
        ('[[rooms]]\ncode = "X1"\ntitle = "X"\nstarts = 2026-12-10T10:00:00+09:00\n'
         'ends = 2026-12-10T09:00:00+09:00', "rooms[1].ends"),
        ('[[rooms]]\ncode = "X1"\ntitle = { en = "" }', "rooms[1].title"),
    ],
)  # fmt: skip
def test_bad_fields_are_named(change: str, field: str) -> None:
    base = 'title = "Event"\n[[rooms]]\ncode = "A1"\ntitle = "Room"\n'
    if change.startswith("title"):
        text = change + '\n[[rooms]]\ncode = "A1"\ntitle = "Room"\n'
    elif change.startswith("[[organisations]]"):
        text = 'title = "Event"\n' + change + '\n[[rooms]]\ncode = "A1"\ntitle = "Room"\n'
    else:
        text = base + change + "\n"
    with pytest.raises(EventFileError) as err:
        parse_event(tomllib.loads(text))
    assert f": {field}: " in str(err.value)
