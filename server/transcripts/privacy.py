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
        key = hmac.new(secret, b"workshop.transcript.pseudonym", hashlib.sha256).digest()
        # HMAC(k, room | kind | ...) with the key and the message's fixed start absorbed
        # once: each pseudonym copies the state and adds its own end, at half the cost of
        # a fresh `hmac.digest` (issue 17: a ballot pseudonym per vote of a 100k log; a
        # memo of them grew to megabytes, one per person and question).
        self._ballot = hmac.new(key, f"{room}\x00ballot\x00".encode(), "sha256")
        self._anon = hmac.new(key, f"{room}\x00anon\x00".encode(), "sha256")

    def _mac(self, start: hmac.HMAC, end: str) -> str:
        mac = start.copy()
        mac.update(end.encode())
        return mac.hexdigest()[:PSEUDONYM_LEN]

    def for_record(self, rec: Entry, privacy: str) -> str:
        pid = str((rec.actor or {}).get("pid", ""))
        if privacy == BALLOT:
            target = str(rec.data.get("qid") or rec.data.get("poll_id") or "")
            return "v-" + self._mac(self._ballot, f"{target}\x00{pid}")
        return "anon-" + self._mac(self._anon, pid)
