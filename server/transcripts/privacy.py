"""Who may be named in a transcript, and the pseudonyms that stand in for the rest.

Two kinds of acts never carry their actor into any export:

- **anonymous** acts: an `ask` with `anon: true`, and a `withdraw` of an anonymous
  question by its author (withdrawing is author-only, so its actor *is* the author);
- **ballots**: `vote` and `poll.vote`. PROTOCOL.md: voting is anonymous to other
  participants; a report needs totals, never who voted for what.

The JSON transcript must still fold back to the same room (`workshop import`), so each
such act carries a stable pseudonym instead of an actor:

- anonymous: `"anon-" + HMAC(k, "anon" | room | pid)[:12]`: the same for every anonymous
  act of one person in one room, so their own withdraw still matches their question;
- ballot: `"v-" + HMAC(k, "ballot" | room | target | pid)[:12]` with target the qid or
  poll_id: stable per person *and* question/poll (so a vote and its removal still meet),
  but unlinkable across questions, so no voting profile can be rebuilt.

`k` is derived from the server secret, so pseudonyms are the same in every export of a
room and cannot be reversed without the secret; a named act keeps its real actor.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from server.rooms import RoomState
from server.rooms.record import Entry

ANONYMOUS = "anonymous"
BALLOT = "ballot"
BALLOT_TYPES = frozenset({"vote", "poll.vote"})
PSEUDONYM_LEN = 12


def privacy_of(rec: Entry, state: RoomState) -> str | None:
    """ANONYMOUS, BALLOT, or None (the actor may be named). `state` may be before or after
    folding `rec`: a question's author and anonymity never change.

    `rec.data` is a map: `Record.from_wire` and the importer refuse any other."""
    data = rec.data
    if rec.type in BALLOT_TYPES:
        return BALLOT
    if rec.type == "ask" and data.get("anon"):
        return ANONYMOUS
    if rec.type == "withdraw" and isinstance(rec.actor, dict):
        q = state.questions.get(str(data.get("qid")))
        if q is not None and q.anon and q.author_pid == rec.actor.get("pid"):
            return ANONYMOUS
    return None


def is_pseudonymous(actor: dict[str, Any] | None) -> bool:
    """An actor rebuilt by `workshop import` from a pseudonym (it has no name or org)."""
    return bool(actor and actor.get("pseudonymous"))


class Pseudonyms:
    """Stable, secret-keyed stand-ins for the actors of anonymous acts and ballots."""

    def __init__(self, secret: bytes, room: str) -> None:
        self._key = hmac.new(secret, b"workshop.transcript.pseudonym", hashlib.sha256).digest()
        self._room = room
        # (target, pid) -> pseudonym: an HMAC per ballot was a sixth of a big JSON export
        # (issue 17). It holds one entry per person and question voted on, as the room's
        # state does (the voters of each question).
        self._known: dict[tuple[str | None, str], str] = {}

    def _mac(self, *parts: str) -> str:
        message = "\x00".join((self._room, *parts)).encode()
        return hmac.digest(self._key, message, "sha256").hex()[:PSEUDONYM_LEN]

    def for_record(self, rec: Entry, privacy: str) -> str:
        pid = str((rec.actor or {}).get("pid", ""))
        target = None
        if privacy == BALLOT:
            target = str(rec.data.get("qid") or rec.data.get("poll_id") or "")
        known = self._known.get((target, pid))
        if known is None:
            if target is not None:
                known = "v-" + self._mac("ballot", target, pid)
            else:
                known = "anon-" + self._mac("anon", pid)
            self._known[target, pid] = known
        return known
