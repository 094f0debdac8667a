"""Anonymous questions never reveal their author, in any format (issue 6).

HIDDEN asks only anonymously (and votes, which no export attributes either): their name
and pid must not appear in any byte of any export, compressed members included. The
other askers' names do appear, which shows the search would find a name if it were there.
"""

from __future__ import annotations

import json

import pytest

from server.backends.base import Record
from server.backends.embedded import EmbeddedBackend
from server.transcripts.privacy import ANONYMOUS, Pseudonyms

from .conftest import export
from .support import AIKO, BAT, HIDDEN, MOD, ROOM, Session, all_bytes, script

FORMATS = ["json", "csv", "md", "html", "docx", "zip"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_no_format_names_an_anonymous_author(
    backend: EmbeddedBackend, session: Session, fmt: str, lang: str
) -> None:
    seen = all_bytes(fmt, await export(backend, fmt, lang))
    for secret in (HIDDEN["name"], HIDDEN["pid"], "Hinata", "Kakure"):
        assert secret.encode() not in seen, f"{secret!r} in the {fmt} export"
    assert AIKO["name"].encode() in seen  # the search does find a name that is there
    if fmt in ("json", "zip"):
        assert BAT["pid"].encode() in seen  # named acts keep their actor


async def test_anonymous_acts_and_ballots_carry_pseudonyms(
    backend: EmbeddedBackend, session: Session
) -> None:
    entries = json.loads(await export(backend, "json"))
    by_seq = {e["seq"]: e for e in entries}
    pseudonyms = Pseudonyms(await backend.get_secret(), ROOM)
    anon_asks = [e for e in entries if e["type"] == "ask" and e["data"]["anon"]]
    assert len(anon_asks) == 4
    for e in anon_asks:
        assert "actor" not in e and e["pseudonym"].startswith("anon-")
    # One person's anonymous acts share one pseudonym (so the withdraw still matches).
    hidden = {by_seq[s]["pseudonym"] for s in (3, 4, 17, 20)}
    assert by_seq[17]["type"] == "withdraw" and len(hidden) == 1
    assert by_seq[22]["pseudonym"] != by_seq[3]["pseudonym"]  # the moderator's own
    # Ballots: pseudonymous, stable per person and question, unlinkable across questions.
    ballots = [e for e in entries if e["type"] in ("vote", "poll.vote")]
    assert ballots and all("actor" not in e and e["pseudonym"].startswith("v-") for e in ballots)
    assert by_seq[8]["pseudonym"] == by_seq[9]["pseudonym"]  # HIDDEN's vote and un-vote on q2
    assert by_seq[6]["pseudonym"] != by_seq[8]["pseudonym"]  # HIDDEN on q1 vs q2
    # Named acts keep their actor, moderators included.
    assert by_seq[1]["actor"] == AIKO and by_seq[13]["actor"] == MOD
    # Stable across exports: the key comes from the server secret.
    again = json.loads(await export(backend, "json"))
    assert [e.get("pseudonym") for e in again] == [e.get("pseudonym") for e in entries]
    type_, data, actor = script()[2]
    assert actor is HIDDEN and data["anon"] is True
    record = Record(3, 0.0, type_, data, actor, None)
    assert by_seq[3]["pseudonym"] == pseudonyms.for_record(record, ANONYMOUS)
