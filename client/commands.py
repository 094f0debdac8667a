"""One method per room command (PROTOCOL.md "Commands"), on top of `command()`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from protocol.codes import ErrorCode, ProtocolError
from protocol.frames import NotesSynced, Ok, read_frame


class RoomCommands:
    """Mixed into `RoomClient`: each method sends one command and returns its `ok` reply."""

    async def command(self, t: str, **fields: Any) -> dict[str, Any]:
        raise NotImplementedError

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def ask(self, text: str, lang: str = "en", anon: bool = False) -> dict[str, Any]:
        """Ask a question; the reply has `qid, seq, status`."""
        return await self.command("ask", text=text, lang=lang, anon=anon)

    async def vote(self, qid: str, up: bool = True) -> dict[str, Any]:
        """Set (or with up=False remove) this participant's vote; the reply has `votes, seq`."""
        return await self.command("vote", qid=qid, up=up)

    async def withdraw(self, qid: str) -> dict[str, Any]:
        """Withdraw one's own question."""
        return await self.command("withdraw", qid=qid)

    async def moderate(self, qid: str, action: str) -> dict[str, Any]:
        """approve, dismiss, answered, reopen, pin or unpin a question (moderator)."""
        return await self.command("moderate", qid=qid, action=action)

    async def edit(self, qid: str, text: str) -> dict[str, Any]:
        """Edit a question's text (moderator)."""
        return await self.command("edit", qid=qid, text=text)

    async def answer(self, qid: str, text: str) -> dict[str, Any]:
        """Write an answer to a question (moderator)."""
        return await self.command("answer", qid=qid, text=text)

    async def settings(
        self,
        *,
        premoderation: bool | None = None,
        anonymous_allowed: bool | None = None,
        notes_locked: bool | None = None,
    ) -> dict[str, Any]:
        """Change room settings (moderator); settings left as None stay as they are."""
        flags = {
            "premoderation": premoderation,
            "anonymous_allowed": anonymous_allowed,
            "notes_locked": notes_locked,
        }
        return await self.command("settings", **{k: v for k, v in flags.items() if v is not None})

    async def close_room(self) -> dict[str, Any]:
        """Make the room read-only (moderator)."""
        return await self.command("room.close")

    async def open_room(self) -> dict[str, Any]:
        """Open a closed room again (moderator)."""
        return await self.command("room.open")

    async def poll_create(
        self,
        title: str,
        kind: str,
        options: Sequence[str] = (),
        hide_results: bool = False,
        *,
        hide_until_voted: bool = False,
        seconds: int | None = None,
    ) -> dict[str, Any]:
        """Create a draft poll (moderator); the reply has `poll_id, seq`. Extensions:
        `hide_until_voted` shows each participant the results once they voted, and
        `seconds` (10-3600) makes the server close the poll that long after it opens."""
        extra: dict[str, Any] = {}
        if hide_until_voted:
            extra["hide_until_voted"] = True
        if seconds is not None:
            extra["seconds"] = seconds
        return await self.command(
            "poll.create",
            title=title,
            kind=kind,
            options=list(options),
            hide_results=hide_results,
            **extra,
        )

    async def poll_edit(
        self,
        poll_id: str,
        title: str,
        kind: str,
        options: Sequence[str] = (),
        hide_results: bool = False,
    ) -> dict[str, Any]:
        """Replace a draft poll's title, kind, options and setting (moderator; extension
        `poll.edit`). An open or closed poll gets `conflict`; the reply has `poll_id, seq`."""
        return await self.command(
            "poll.edit",
            poll_id=poll_id,
            title=title,
            kind=kind,
            options=list(options),
            hide_results=hide_results,
        )

    async def poll_hide_word(self, poll_id: str, word: str, hidden: bool = True) -> dict[str, Any]:
        """Hide (or with hidden=False show again) a word of a `words` poll's cloud
        (moderator; extension `poll.hide_word`). The word is matched as results count it."""
        return await self.command("poll.hide_word", poll_id=poll_id, word=word, hidden=hidden)

    async def poll_open(self, poll_id: str) -> dict[str, Any]:
        """Open a poll for votes (moderator); opening a closed poll reopens it."""
        return await self.command("poll.open", poll_id=poll_id)

    async def poll_close(self, poll_id: str) -> dict[str, Any]:
        """Close a poll (moderator)."""
        return await self.command("poll.close", poll_id=poll_id)

    async def poll_delete(self, poll_id: str) -> dict[str, Any]:
        """Delete a poll, its votes and results, for everyone (moderator; extension)."""
        return await self.command("poll.delete", poll_id=poll_id)

    async def poll_vote(self, poll_id: str, choice: int | Sequence[int] | str) -> dict[str, Any]:
        """Vote: an option index, a list of them (multi), 1-5 (rating) or a word."""
        if not isinstance(choice, int | str):
            choice = list(choice)
        return await self.command("poll.vote", poll_id=poll_id, choice=choice)

    async def notes_sync(self, sv: bytes) -> dict[str, Any]:
        """Send a Yjs state vector; the reply has `u` (what we lack) and `sv` (the server's).

        Raises `ProtocolError` when the reply is not a `notes.sync` ok (`NotesSynced`).
        """
        reply = await self.command("notes.sync", sv=sv)
        ok = read_frame(reply)
        if not isinstance(ok, Ok):
            raise ProtocolError(ErrorCode.BAD_FRAME, "notes.sync is answered by ok")
        NotesSynced.from_ok(ok)
        return reply

    async def notes_update(self, u: bytes) -> dict[str, Any]:
        """Send a Yjs update to the shared notes."""
        return await self.command("notes.update", u=u)

    async def ping(self) -> dict[str, Any]:
        """Round trip to the server; the reply is `{"t": "pong", "re": id}`."""
        return await self.command("ping")
