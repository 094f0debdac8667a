"""The room's shared notes document: one Yjs (Yrs) document with a `Y.Text` named "notes".

Updates are opaque Yjs v1 bytes from clients; the fold applies them in log order, the
same on every process (pycrdt can fail to converge when updates arrive out of causal
order, so the log's order is the only order used). The server never edits the text
itself: pycrdt offsets are UTF-8 bytes while Yjs counts UTF-16 units. Who may edit the
notes, and when, is the fold's call (`server/rooms/notes.py`); this module is the
document alone, and does not know of rooms.

Four things pycrdt 0.14 does that this module works around (docs/protocol.md, "Notes"):

- An update whose structs or deletions wait for an earlier update ("pending") is kept
  inside the Yrs document but left out of `get_update()`. A snapshot made from
  `get_update()` alone would lose an acknowledged edit, so the pending parts are tracked
  here (`pending`) and go into every encoding and snapshot.
- Out of causal order, Yrs can leave pending structs waiting for good although all they
  need has arrived (4 of 6 shuffled histories in tests/rooms/test_notes.py). What waits
  is applied again whenever the state vector moves, which lands it.
- An update that fails half-way (a struct whose parent is not a type raises
  `RuntimeError` after the structs before it were integrated; a panic in Yrs is a
  `BaseException`) leaves the document changed. `apply` is atomic: a refused update
  leaves the document as it was (it is rebuilt from the last checkpoint).
- `len(Text)` counts UTF-8 bytes (and 1 per embed), which is what `TEXT_LIMIT` counts.
"""

from __future__ import annotations

from pycrdt import Doc, Text, get_update, merge_updates

TEXT_NAME = "notes"
# The whole document's text, in UTF-8 bytes (pycrdt's unit): about 100 pages of prose.
TEXT_LIMIT = 256 * 1024
# Everything ever inserted (the sum of the state vector's clocks: text typed and later
# deleted, other roots, embeds), in Yjs units. 16 times the largest text; a bound on what
# a room's document can grow to however its text is churned.
HISTORY_LIMIT = 4 * 1024 * 1024
# What may wait for an earlier update (pending structs or deletions) at once: updates,
# and their bytes. Each is applied again whenever the document moves (see `_track`).
PENDING_LIMIT = 32
PENDING_BYTES = 256 * 1024
# Replay at most this much (or the checkpoint's size, if larger) to undo a refused update.
CHECKPOINT_MIN = 64 * 1024


class BadUpdate(ValueError):
    """A notes update that could not be applied (the document is left as it was)."""


class TooLarge(ValueError):
    """A notes update refused by a size limit (the document is left as it was)."""


def _varuint(data: bytes, pos: int) -> tuple[int, int]:
    """A lib0 variable-length unsigned integer at `pos`: (value, next position)."""
    value = shift = 0
    while True:
        if pos >= len(data):
            raise BadUpdate("truncated varuint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 70:
            raise BadUpdate("varuint too long")


def _put_varuint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def read_state_vector(sv: bytes) -> dict[int, int]:
    """A Yjs v1 state vector as {client: clock}."""
    count, pos = _varuint(sv, 0)
    clocks: dict[int, int] = {}
    for _ in range(count):
        client, pos = _varuint(sv, pos)
        clock, pos = _varuint(sv, pos)
        clocks[client] = clock
    return clocks


def _unresolved(update: bytes, sv: bytes, clocks: dict[int, int]) -> bytes | None:
    """What of `update` is still waiting in a document whose state vector is `sv`:
    None when it is all integrated, else an update holding what waits."""
    rest = bytes(get_update(update, sv))
    groups, pos = _varuint(rest, 0)
    if groups:
        return rest  # structs that wait for an earlier update (their deletions ride along)
    # Only a delete set is left: keep the ranges naming items this document lacks.
    waiting: list[tuple[int, list[tuple[int, int]]]] = []
    clients, pos = _varuint(rest, pos)
    for _ in range(clients):
        client, pos = _varuint(rest, pos)
        ranges, pos = _varuint(rest, pos)
        known = clocks.get(client, 0)
        kept = []
        for _ in range(ranges):
            clock, pos = _varuint(rest, pos)
            length, pos = _varuint(rest, pos)
            if clock + length > known:
                kept.append((clock, length))
        if kept:
            waiting.append((client, kept))
    if not waiting:
        return None
    out = bytearray([0])
    _put_varuint(out, len(waiting))
    for client, kept in waiting:
        _put_varuint(out, client)
        _put_varuint(out, len(kept))
        for clock, length in kept:
            _put_varuint(out, clock)
            _put_varuint(out, length)
    return bytes(out)


def _raw_apply(doc: Doc, update: bytes) -> None:
    try:
        doc.apply_update(update)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # ValueError, RuntimeError, or a Yrs panic
        raise BadUpdate(f"{type(exc).__name__}: {str(exc)[:200]}") from None


class NotesDoc:
    """The merged notes document of one room.

    `pending` lists what waits for an earlier update (as updates), in the order it came;
    it is part of the room's durable state (the snapshot carries it). The checkpoint
    (`_base`, `_since`) is only there to undo a refused update, and is not state.
    """

    __slots__ = ("_base", "_clocks", "_since", "_since_bytes", "doc", "pending", "text")

    def __init__(self, encoded: bytes = b"", pending: list[bytes] | None = None) -> None:
        self.doc, self.text = self._fresh()
        self.pending: list[bytes] = []
        self._clocks: dict[int, int] = {}
        if encoded:
            _raw_apply(self.doc, encoded)
        if pending is not None:  # from a snapshot: the list as the fold had it
            for update in pending:
                _raw_apply(self.doc, update)
            self.pending = [bytes(u) for u in pending]
            self._clocks = read_state_vector(self.state_vector())
        elif encoded:
            self._track(encoded)
        self._base: tuple[bytes, list[bytes]] = (b"", [])
        self._since: list[bytes] = []
        self._since_bytes = 0
        self._checkpoint()

    @staticmethod
    def _fresh() -> tuple[Doc, Text]:
        doc: Doc = Doc()
        return doc, doc.get(TEXT_NAME, type=Text)

    # -- merging -----------------------------------------------------------------------

    def apply(self, update: bytes) -> None:
        """Merge one update, atomically. Raises `BadUpdate` for bytes that are not a Yjs
        update that fits this document, `TooLarge` past a limit; either way the
        document is left exactly as it was."""
        _raw_apply(Doc(), update)  # a malformed update fails here, on a scratch document
        before = len(self.text)
        history = sum(self._clocks.values())
        try:
            _raw_apply(self.doc, update)
            self._track(update)
        except BadUpdate:
            self._restore()
            raise
        after = len(self.text)
        problem = None
        if after > TEXT_LIMIT and after > before:
            problem = f"the notes may hold {TEXT_LIMIT} bytes of text"
        elif sum(self._clocks.values()) > max(HISTORY_LIMIT, history):
            problem = f"the notes' history may hold {HISTORY_LIMIT} units"
        elif len(self.pending) > PENDING_LIMIT or sum(map(len, self.pending)) > PENDING_BYTES:
            problem = f"at most {PENDING_LIMIT} updates may wait for earlier ones"
        if problem is not None:
            self._restore()
            raise TooLarge(problem)
        self._since.append(bytes(update))
        self._since_bytes += len(update)
        if self._since_bytes > max(CHECKPOINT_MIN, len(self._base[0])):
            self._checkpoint()

    def _track(self, update: bytes) -> None:
        """Keep what of `update` waits; retry and drop what waited before."""
        sv = self.state_vector()
        clocks = read_state_vector(sv)
        rest = _unresolved(update, sv, clocks)
        if rest is not None:
            self.pending.append(rest)
        # Yrs retries its pending structs when their dependencies come, but not always
        # (out of causal order it can leave them waiting for good, with everything they
        # need present). So whenever the state vector moves, what waits is applied again,
        # until nothing more lands: the same steps, in the same order, on every process.
        while clocks != self._clocks and self.pending:
            self._clocks = clocks
            for waiting in self.pending:
                _raw_apply(self.doc, waiting)
            sv = self.state_vector()
            clocks = read_state_vector(sv)
            kept = []
            for waiting in self.pending:
                left = _unresolved(waiting, sv, clocks)
                if left is not None:
                    kept.append(left)
            self.pending = kept
        self._clocks = clocks

    def _checkpoint(self) -> None:
        self._base = (bytes(self.doc.get_update()), list(self.pending))
        self._since = []
        self._since_bytes = 0

    def _restore(self) -> None:
        """Rebuild the document as of the last accepted update."""
        integrated, pending = self._base
        self.doc, self.text = self._fresh()
        if integrated:
            _raw_apply(self.doc, integrated)
        for update in pending:
            _raw_apply(self.doc, update)
        self.pending = list(pending)
        self._clocks = read_state_vector(self.state_vector())
        for update in self._since:
            _raw_apply(self.doc, update)
            self._track(update)

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.text)

    @property
    def size(self) -> int:
        """About the bytes of the document's encoding, without encoding it (read by
        GET /metrics for every loaded room): the last checkpoint's, and the updates
        accepted since."""
        integrated, pending = self._base
        return len(integrated) + sum(map(len, pending)) + self._since_bytes

    def value(self) -> str:
        return str(self.text)

    __str__ = value

    def encode(self) -> bytes:
        """The whole document as one update (a compaction of its history), including
        whatever still waits for an earlier update."""
        whole = bytes(self.doc.get_update())
        if not self.pending:
            return whole
        return bytes(merge_updates(whole, *self.pending))

    def state_vector(self) -> bytes:
        return bytes(self.doc.get_state())

    def missing(self, state_vector: bytes) -> bytes:
        """What a peer with `state_vector` lacks, as one update."""
        try:
            return bytes(self.doc.get_update(state_vector))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            raise BadUpdate(str(exc)[:200]) from None
