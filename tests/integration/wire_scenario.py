"""A scripted room session that makes the server send every kind of frame it can (issue 11).

`test_wire_unchanged.py` runs it against the current tree and compares what each
connection received with `wire_recording.json`. That was first recorded from the server at
commit 01b4c8ef62a3d3f3126d508ea445bd1228434835, when the frames were still dict literals
in server/session.py, live_room.py and room_signals.py, and the redesigned middle floor
(issue 11) matched it byte for byte. It was recorded again, on purpose, when `answered`
began to unpin the pinned question (PROTOCOL.md "Moderation flow", issue 13): of the 593
frames, exactly two per room member changed (that `question.status` gained
`unpinned: true`, and the scenario's later re-pin became a `question.pinned` instead of
`hidden`); and once more when a moderator's edit began to mark the question `edited: true`
(issue 13): the `question.edited` event of each member, and the edited question wherever
it is later sent whole; and once more when a poll's wire form gained `hide_until_voted`,
`seconds` and `closes_ts` (issue 13, 7015d7c): exactly the 33 frames that carry a whole
poll changed, by those three fields; and once more when presence began to count
participants only (issue 13): every frame but the side frames was byte-identical, and
each member's last `presence` lost the moderator and the rapporteur (5 to 3); and when
the snapshot gained `on_screen` (PROTOCOL.md "Polls on screen"): exactly the 8 snapshot
frames changed. The recording names the commit it was made from. What is
normalised before comparing, and how side frames (presence, queue, poll.results) are
compared, is in `wire_frames.py`.

The session is sequential: each command waits for its reply before the next is sent, so
every connection receives its replies and events in one order on every run. Before and
after each part, `settle` waits (with generous timeouts, never a fixed sleep) until every
connection has the frames that are due, side frames included.

Recording (again) needs a fresh server, with the flags below, of the tree whose frames
are the reference (the base commit, unless the wire changed on purpose in a new version):

    git worktree add /tmp/wire-base 01b4c8ef62a3d3f3126d508ea445bd1228434835
    cd /tmp/wire-base && D=$(mktemp -d) && PY=/work/main/.venv/bin/python
    PYTHONPATH=. $PY -m server.cli create-event examples/sendai-ulaanbaatar.toml \\
        --data-dir $D --json > $D/links.json
    PYTHONPATH=. $PY -m server.cli serve --port 8765 --data-dir $D \\
        $(cd /work/main && $PY -m tests.integration.wire_scenario --print-args) &
    cd /work/main && $PY -m tests.integration.wire_scenario ws://127.0.0.1:8765/ws \\
        --links $D/links.json --event-file /tmp/wire-base/examples/sendai-ulaanbaatar.toml \\
        --write tests/integration/wire_recording.json

`--check FILE` instead of `--write FILE` compares a fresh server with a recording (for a
server in a scratch copy of the tree, say).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.integration.helpers import WAIT, Frame, Raw, pack, unpack
from tests.integration.wire_frames import (
    Connection,
    Normaliser,
    differences,
    from_json,
    side_key,
    to_json,
)

BASE_COMMIT = "01b4c8ef62a3d3f3126d508ea445bd1228434835"  # the first recording's
RECORDED_AT = (
    "issue 13: answered unpins; edits are marked; polls carry hide_until_voted, seconds,"
    " closes_ts (re-recorded from commit 7015d7c); presence counts participants only"
    " (re-recorded from that tree); snapshots carry on_screen (re-recorded after 04164b2)"
)
RECORDING = Path(__file__).with_name("wire_recording.json")
# Every limit lifted but the ask rate: 4 questions per participant, then `rate_limited`
# (one token per 10,000 s, so the fifth ask is refused however slow the machine is).
SERVER_ARGS = (
    "--ask-rate", "0.0001", "--ask-burst", "4",
    "--vote-rate", "100000", "--vote-burst", "100000",
    "--command-rate", "100000", "--command-burst", "100000",
)  # fmt: skip
MUTATING = frozenset(
    {"ask", "vote", "withdraw", "moderate", "edit", "answer", "settings", "room.close",
     "room.open", "poll.create", "poll.edit", "poll.open", "poll.close", "poll.vote",
     "poll.hide_word", "notes.update"}
)  # fmt: skip
# Yjs v1 updates made once with pycrdt (client ids 101 and 202) and kept as bytes, so that
# the notes frames do not depend on the pycrdt version: "Shelters: schools first.",
# then " Check maps." after it, then "Notes: " before it (by another client).
NOTES_1 = bytes.fromhex(
    "010165000401056e6f746573185368656c746572733a207363686f6f6c732066697273742e00"
)
NOTES_2 = bytes.fromhex("010165188465170c20436865636b206d6170732e00")
NOTES_3 = bytes.fromhex("0101ca0100446500074e6f7465733a2000")


@dataclass
class Peer:
    """One recorded connection of the scenario."""

    name: str
    raw: Raw
    org: str = ""
    key: str | None = None  # a role key from the event's links
    room: str | None = None
    pid: str = ""
    token: str = ""
    epoch: str = ""
    cids: int = 0
    results_seen: set[str] = field(default_factory=set)  # polls changed while connected
    queue_seen: bool = False  # the moderation queue changed while connected
    frames: list[bytes] | None = None  # what was kept when the recording stopped
    close: int | None = None


class Scenario:
    """The scripted session; `run()` returns each connection's normalised frames."""

    def __init__(self, url: str, moderator_key: str, rapporteur_key: str) -> None:
        self.url = url
        self.keys = {"moderator": moderator_key, "rapporteur": rapporteur_key}
        self.peers: list[Peer] = []
        self.norm = Normaliser()

    # -- connections -------------------------------------------------------------------

    async def open(self, name: str, org: str = "", role: str | None = None) -> Peer:
        peer = Peer(name, await Raw.open(self.url), org=org, key=self.keys[role] if role else None)
        self.peers.append(peer)
        return peer

    async def join(self, peer: Peer, room: str = "SUB-PLAN", **extra: Any) -> Frame:
        """Join (or move) `peer`; learn its pid, token and the room's epoch."""
        fields = {"room": room, "name": peer.name.title(), "org": peer.org, **extra}
        if peer.key:
            fields["key"] = peer.key
        reply = await peer.raw.join(**fields)
        assert reply["t"] == "ok", (peer.name, reply)
        peer.room, peer.pid, peer.token = room, reply["me"]["pid"], reply["token"]
        peer.epoch = reply["epoch"]
        self.norm.learn(peer.pid, f"<pid:{peer.name}>")
        self.norm.learn(peer.token, f"<token:{peer.name}>")
        self.norm.learn(reply["epoch"], f"<epoch:{room}>")
        self.norm.learn(reply["room"]["event"]["id"], "<event>")
        return reply

    async def connect(self, name: str, org: str = "", role: str | None = None) -> Peer:
        peer = await self.open(name, org, role)
        await self.join(peer)
        return peer

    def live(self, room: str | None = None) -> list[Peer]:
        return [p for p in self.peers if p.frames is None and (room is None or p.room == room)]

    async def leave(self, peer: Peer) -> None:
        """Stop recording `peer` (after a barrier) and close it."""
        await peer.raw.sync()
        peer.frames = list(peer.raw.received)
        peer.room = None
        await peer.raw.close()

    # -- commands ----------------------------------------------------------------------

    async def do(self, peer: Peer, t: str, want: str = "ok", **fields: Any) -> Frame:
        """Send one command and wait for its reply, which must be `want` (ok, pong or an
        error code). Mutating commands get a deterministic cid unless one is given."""
        if t in MUTATING and "cid" not in fields:
            peer.cids += 1
            fields["cid"] = f"{peer.name}-{peer.cids}"
        reply = await peer.raw.request({"t": t, **fields})
        got = reply["code"] if reply["t"] == "err" else reply["t"]
        assert got == want, (peer.name, t, fields, reply)
        return reply

    async def create_poll(
        self, mod: Peer, title: str, kind: str, options: list[str] | None = None, **extra: Any
    ) -> str:
        """`mod` creates a poll (options only if given); its poll_id."""
        if options is not None:
            extra["options"] = options
        reply = await self.do(mod, "poll.create", title=title, kind=kind, **extra)
        return str(reply["poll_id"])

    def touched(self, *, queue: bool = False, poll: str | None = None) -> None:
        """A step changed the queue counts or a poll's results: its side frames are due."""
        for peer in self.live("SUB-PLAN"):
            peer.queue_seen |= queue
            if poll is not None:
                peer.results_seen.add(poll)

    # -- quiescence ----------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until every live connection has every frame that is due: a ping barrier
        for replies and events, then the latest side frames must show the room as it is
        (read from an unrecorded staff connection's snapshot)."""
        for peer in self.live():
            await peer.raw.sync()
        mod = next(p for p in self.live("SUB-PLAN") if p.name == "mod")
        observer = await Raw.open(self.url)  # same pid and org as mod: presence unchanged
        reply = await observer.join(name="Observer", org=mod.org, token=mod.token, key=mod.key)
        assert reply["t"] == "ok", reply
        state = (await observer.expect(lambda f: f.get("t") == "snapshot"))["state"]
        await observer.close()
        polls = {p["poll_id"]: p for p in state["polls"]}
        for peer in self.live():
            due: dict[str, Frame] = {"presence": self.presence(peer.room)}
            if peer.queue_seen:
                due["queue"] = {"t": "queue", **state["queue"]}
            for poll_id in peer.results_seen:
                poll = polls[poll_id]
                hidden = poll["hide_results"] and poll["status"] == "open"
                if peer.key or not hidden:
                    results = {"t": "poll.results", "poll_id": poll_id, **poll["results"]}
                    due[f"poll.results {poll_id}"] = results
            await self.await_side(peer, due)

    def presence(self, room: str | None) -> Frame:
        # Participants only (issue 13): a peer that joined with a role key is staff.
        members = {p.pid: p.org for p in self.live(room) if p.key is None}
        return {"t": "presence", "count": len(members), "by_org": dict(Counter(members.values()))}

    @staticmethod
    async def await_side(peer: Peer, due: dict[str, Frame]) -> None:
        """Read until the latest side frame of each kind in `due` equals it (as a map)."""

        def latest() -> dict[str, Frame]:
            out: dict[str, Frame] = {}
            for frame in map(unpack, peer.raw.received):
                key = side_key(frame)
                if key is not None:
                    out[key] = frame
            return out

        try:
            async with asyncio.timeout(WAIT):
                while any(latest().get(k) != v for k, v in due.items()):
                    peer.raw.inbox.append(await peer.raw._read(WAIT))
        except TimeoutError:
            raise AssertionError(f"{peer.name}: side frames {due} never came") from None

    # -- the session -------------------------------------------------------------------

    async def run(self) -> list[Connection]:
        """The whole session; each connection's frames, normalised, in the order opened."""
        await self.errors_before_join()
        mod = await self.connect("mod", "UNDRR", "moderator")
        rap = await self.connect("rap", "UNDRR", "rapporteur")
        alice = await self.connect("alice", "Sendai City")
        bob = await self.connect("bob", "Ulaanbaatar City")
        rei = await self.connect("rei", "Sendai City")
        await self.settle()
        await self.questions(mod, rap, alice, bob)
        await self.settle()
        await self.polls(mod, alice, bob, rei)
        await self.settle()
        await self.notes(mod, alice, bob, rei)
        await self.settle()
        await self.resume(mod, alice, bob, rei)
        await self.settle()
        await self.closes()
        for peer in self.live():
            peer.frames = list(peer.raw.received)  # the recording stops here
        for peer in self.peers:
            await peer.raw.close()
        frames = {p.name: [self.norm.frame(f) for f in p.frames or ()] for p in self.peers}
        return [{"name": p.name, "frames": frames[p.name], "close": p.close} for p in self.peers]

    async def errors_before_join(self) -> None:
        eve = await self.open("eve", "Khan Bank")
        await eve.raw.ws.send(b"\xc1")  # never valid msgpack
        await eve.raw.expect(lambda f: f.get("t") == "err")
        await eve.raw.ws.send(pack([1, 2]))  # msgpack, but not a map
        await eve.raw.expect(lambda f: f.get("t") == "err")
        await self.do(eve, "ask", "bad_request", text="Before joining?")
        await self.do(eve, "shout", "unknown_type")
        await eve.raw.ws.send(pack({"t": "ping"}))  # no id: the error cannot name it
        await eve.raw.expect(lambda f: f.get("t") == "err")
        await eve.raw.ws.send(pack({"t": 7, "id": 99}))
        await eve.raw.expect(lambda f: f.get("t") == "err")
        await self.do(eve, "join", "bad_request", room="SUB-PLAN")  # no name
        await self.do(eve, "join", "not_found", room="NO-SUCH", name="Eve")
        await self.do(eve, "join", "unauthorized", room="SUB-PLAN", name="Eve", key="forged")
        await self.do(eve, "ping", "pong")
        await self.join(eve, "DISCUSS", lang="mn")
        await self.join(eve, "SUB-EWS")  # a second join moves the connection

    async def questions(self, mod: Peer, rap: Peer, alice: Peer, bob: Peer) -> None:
        q1 = (await self.do(alice, "ask", text="How are shelters chosen?", cid="ask-1"))["qid"]
        await self.do(alice, "ask", text="How are shelters chosen?", cid="ask-1")  # a retry
        # The asker chose "ja" for an English text (issue 14: chosen, not detected), so the
        # frames stay those of the recording.
        q2 = (
            await self.do(
                bob, "ask", text="Who pays for drills?", lang="ja", anon=True, lang_chosen=True
            )
        )["qid"]
        await self.do(bob, "vote", qid=q1, up=True)
        await self.do(bob, "vote", qid=q1, up=True)  # changes nothing: hidden
        await self.do(alice, "vote", qid=q1, up=True)
        await self.do(alice, "vote", qid=q1, up=False)
        await self.do(alice, "vote", "not_found", qid="q999", up=True)
        await self.do(alice, "moderate", "forbidden", qid=q1, action="approve")
        await self.do(rap, "edit", "forbidden", qid=q1, text="Edited by a rapporteur")
        await self.do(alice, "ask", "bad_request", text="x" * 501)
        await self.do(mod, "edit", qid=q1, text="How are evacuation shelters chosen?")
        await self.do(mod, "edit", qid=q1, text="How are evacuation shelters chosen?")
        await self.do(mod, "answer", qid=q1, text="By the ward offices, with the city.")
        await self.do(mod, "moderate", qid=q1, action="pin")
        await self.do(mod, "moderate", qid=q1, action="pin")
        await self.do(mod, "moderate", qid=q1, action="answered")
        await self.do(bob, "vote", "conflict", qid=q1, up=True)
        await self.do(mod, "moderate", qid=q1, action="reopen")
        await self.do(mod, "moderate", qid=q1, action="pin")
        await self.do(mod, "moderate", qid=q1, action="unpin")
        await self.do(mod, "moderate", qid=q1, action="unpin")
        await self.do(alice, "withdraw", "forbidden", qid=q2)
        await self.do(bob, "withdraw", qid=q2)
        await self.do(bob, "withdraw", "conflict", qid=q2)
        await self.do(mod, "settings", premoderation=True)
        q3 = (await self.do(alice, "ask", text="Can schools host shelters?"))["qid"]
        self.touched(queue=True)
        await self.do(bob, "vote", "not_found", qid=q3, up=True)  # pending: bob cannot see it
        await self.do(mod, "moderate", qid=q3, action="approve")
        q4 = (await self.do(alice, "ask", text="Off-topic, sorry"))["qid"]
        await self.do(mod, "moderate", qid=q4, action="dismiss")
        await self.do(mod, "settings", premoderation=False, anonymous_allowed=False)
        await self.do(bob, "ask", "forbidden", text="Anonymous again?", anon=True)
        await self.do(mod, "settings", anonymous_allowed=True)
        await self.do(alice, "ask", "rate_limited", text="One question too many")

    async def polls(self, mod: Peer, alice: Peer, bob: Peer, rei: Peer) -> None:
        single = await self.create_poll(
            mod, "First step?", "single", ["Maps", "Drills", "Shelters"]
        )
        await self.do(mod, "poll.edit", poll_id=single, title="First step?", kind="single",
                      options=["Maps", "Drills", "Shelters", "Sirens"])  # fmt: skip
        await self.do(alice, "poll.vote", "not_found", poll_id=single, choice=0)  # a draft
        await self.do(alice, "poll.create", "forbidden", title="Mine", kind="rating")
        await self.do(mod, "poll.open", "not_found", poll_id="p999")
        await self.do(mod, "poll.open", poll_id=single)
        self.touched(poll=single)
        await self.do(mod, "poll.open", poll_id=single)  # already open: hidden
        await self.do(alice, "poll.vote", poll_id=single, choice=0)
        await self.do(bob, "poll.vote", poll_id=single, choice=2)
        await self.do(bob, "poll.vote", poll_id=single, choice=1)
        await self.do(bob, "poll.vote", poll_id=single, choice=1)
        await self.do(alice, "poll.vote", "bad_request", poll_id=single, choice=7)
        await self.do(mod, "poll.edit", "conflict", poll_id=single, title="Late", kind="rating")
        await self.do(mod, "poll.close", poll_id=single)
        await self.do(mod, "poll.close", "conflict", poll_id=single)
        await self.do(bob, "poll.vote", "conflict", poll_id=single, choice=0)
        hazards = ["Flood", "Quake", "Cold"]
        multi = await self.create_poll(mod, "Which hazards?", "multi", hazards, hide_results=True)
        await self.do(mod, "poll.open", poll_id=multi)
        self.touched(poll=multi)
        await self.do(alice, "poll.vote", poll_id=multi, choice=[0, 2])
        await self.do(rei, "poll.vote", poll_id=multi, choice=[1])
        await self.do(mod, "poll.close", poll_id=multi)
        rating = await self.create_poll(mod, "Rate the day", "rating")
        await self.do(mod, "poll.open", poll_id=rating)
        self.touched(poll=rating)
        await self.do(bob, "poll.vote", poll_id=rating, choice=5)
        await self.do(rei, "poll.vote", poll_id=rating, choice=3)
        await self.do(mod, "poll.hide_word", "conflict", poll_id=rating, word="x")
        words = await self.create_poll(mod, "One word", "words")
        await self.do(mod, "poll.open", poll_id=words)
        self.touched(poll=words)
        await self.do(alice, "poll.vote", poll_id=words, choice="Evacuation  Drills")
        await self.do(bob, "poll.vote", poll_id=words, choice="evacuation drills")
        await self.do(rei, "poll.vote", poll_id=words, choice="Maps")
        await self.do(mod, "poll.hide_word", poll_id=words, word="maps")
        await self.do(mod, "poll.hide_word", poll_id=words, word="maps")
        await self.create_poll(mod, "Kept for later", "single", ["A", "B"])  # stays a draft

    async def notes(self, mod: Peer, alice: Peer, bob: Peer, rei: Peer) -> None:
        await self.do(alice, "notes.sync", sv=b"\x00")
        await self.do(alice, "notes.update", u=NOTES_1)
        await self.do(bob, "notes.update", u=b"\x00\x00")  # empty: acknowledged, seq nil
        await self.do(bob, "notes.update", "bad_request", u=b"\x01\x02\x03")
        await self.do(bob, "notes.update", "too_large", u=bytes(33 * 1024))
        await self.do(bob, "notes.sync", "bad_request", sv=b"\xff")
        await self.do(mod, "settings", notes_locked=True)
        await self.do(bob, "notes.update", "forbidden", u=NOTES_2)
        await self.do(mod, "notes.update", u=NOTES_2)
        await self.do(mod, "settings", notes_locked=False)
        await self.do(rei, "notes.sync", sv=bytes.fromhex("016518"))

    async def resume(self, mod: Peer, alice: Peer, bob: Peer, rei: Peer) -> None:
        await self.leave(rei)
        seqs = [unpack(f).get("seq") for f in rei.frames or ()]
        since = max(s for s in seqs if isinstance(s, int))
        await self.do(bob, "notes.update", u=NOTES_3)
        await self.do(mod, "answer", qid="q1", text="By the ward offices, with the residents.")
        await self.do(mod, "room.close")
        await self.do(mod, "room.close")
        await self.do(bob, "ask", "room_closed", text="Is the room closed?")
        await self.do(alice, "vote", "room_closed", qid="q1", up=True)
        await self.do(mod, "room.open")
        again = await self.open("rei-again", rei.org)
        reply = await self.join(again, token=rei.token, since=since, epoch=rei.epoch)
        await self.join(again, token=rei.token, since=reply["seq"], epoch=rei.epoch)  # nothing
        await self.join(again, token=rei.token, since=since, epoch="0000000000000000")  # stale

    async def closes(self) -> None:
        """Frames the server answers with a close: a text frame (1003), too big (1009)."""
        text = await self.open("texter")
        await text.raw.ws.send("not binary")
        text.close = await text.raw.closed()
        big = await self.open("bigger")
        await big.raw.ws.send(pack({"t": "ping", "id": 1, "pad": bytes(70 * 1024)}))
        big.close = await big.raw.closed()
        for peer in (text, big):
            peer.frames = list(peer.raw.received)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="the server's ws:// URL (…/ws)")
    parser.add_argument("--links", type=Path, help="`create-event --json` output (the keys)")
    parser.add_argument("--event-file", type=Path, help="the event file (kept in the recording)")
    parser.add_argument("--write", type=Path, help="write the recording here")
    parser.add_argument("--check", type=Path, help="compare with this recording")
    parser.add_argument("--print-args", action="store_true", help="print the server's flags")
    args = parser.parse_args(argv)
    if args.print_args:
        print(" ".join(SERVER_ARGS))
        return 0
    if not args.url or not args.links or not (args.write or args.check):
        parser.error("give url, --links and --write or --check")
    links = json.loads(args.links.read_text())
    scenario = Scenario(args.url, links["moderator_key"], links["rapporteur_key"])
    connections = asyncio.run(scenario.run())
    if args.write:
        if not args.event_file:
            parser.error("--write needs --event-file")
        recording = to_json(
            connections,
            about="Frames of tests/integration/wire_scenario.py, normalised (wire_frames.py).",
            commit=RECORDED_AT,
            server_args=list(SERVER_ARGS),
            event_file=args.event_file.read_text(encoding="utf-8"),
        )
        args.write.write_text(json.dumps(recording, indent=1, ensure_ascii=False) + "\n")
        print(f"{sum(len(c['frames']) for c in connections)} frames -> {args.write}")
        return 0
    diffs = differences(from_json(json.loads(args.check.read_text())), connections)
    print("\n".join(diffs) or "byte-identical")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
