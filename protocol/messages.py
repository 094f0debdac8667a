"""Client commands as frozen dataclasses (the server's frames are `protocol/frames.py`):
the registry and `parse_command` here, the base classes in `protocol/command.py`, the
poll commands in `protocol/poll_commands.py`.

`parse_command` turns a decoded frame (a `dict` from `protocol.codec.decode_frame`)
into one of the command classes below or raises `ProtocolError`. Each class
validates and normalises its fields in `__post_init__` (h11 style), so a command
that exists is a valid one, whoever built it. Field rules follow PROTOCOL.md
("Joining", "Commands") and docs/protocol.md (Part 2).

Each class also carries the rules that need no state (issue 11: one source for each):
`T`, its wire type, and `moderator_only`, PROTOCOL.md's "who" column. The server's
admission reads them on arrival and the fold reads them again (`needs_moderator`), since
a log may be imported from elsewhere.

Readings that PROTOCOL.md leaves open (see docs/protocol.md (Part 2) for the rest):

- Lengths count Unicode code points after `str.strip()`. A browser's `maxlength`
  counts UTF-16 units, which is never fewer, so what a form allows passes here.
- `nil` for an optional field means "absent" (a JS encoder writes `undefined`
  as nil); `nil` for a required field is a missing field.
- Text fields refuse control characters other than newline and tab; `\\r\\n` and
  `\\r` are first turned into `\\n`. One-line fields (name, org, titles, options,
  ids) refuse newlines and tabs too.
- Field order is the log's and the wire's order (`data()`, `frame()`): a base class's
  fields come first, so a new base may only take fields that were first already.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from protocol.codes import ErrorCode, ProtocolError
from protocol.command import MAX_ID, Command, Mutating, fields_of
from protocol.fields import (
    bad,
    check_binary,
    check_flag,
    check_int,
    check_one_of,
    check_opt_text,
    check_ref,
    check_text,
    room_code,
    set_field,
)
from protocol.lang_detect import detect_lang
from protocol.lang_text import LANGUAGES
from protocol.poll_commands import (
    POLL_KINDS,
    POLL_SECONDS,
    PollClose,
    PollCommand,
    PollCreate,
    PollDelete,
    PollEdit,
    PollHideWord,
    PollOpen,
    PollShow,
    PollVote,
)
from protocol.translate import Translate

__all__ = [
    "ACTIONS", "COMMANDS", "LANGS", "LANGUAGES", "MAX_ID", "MUTATING", "NOTES_UPDATE_LIMIT",
    "POLL_KINDS", "POLL_SECONDS", "ROOM_SETTINGS", "STATE_VECTOR_LIMIT",
    "Answer", "Ask", "Command", "Edit", "Join", "Moderate", "Mutating", "NotesSync",
    "NotesUpdate", "Ping", "PollClose", "PollCommand", "PollCreate", "PollDelete", "PollEdit",
    "PollHideWord", "PollOpen", "PollShow", "PollVote", "QuestionCommand", "QuestionText",
    "RoomClose", "RoomOpen", "RoomSettings", "Translate", "Vote", "Withdraw", "needs_moderator",
    "parse_command", "refusal_for", "required_roles",
]  # fmt: skip

NOTES_UPDATE_LIMIT = 32 * 1024  # bytes per notes.update (too_large beyond)
STATE_VECTOR_LIMIT = 64 * 1024  # bytes per notes.sync state vector
LANGS = frozenset(LANGUAGES)
ACTIONS = frozenset({"approve", "dismiss", "answered", "reopen", "pin", "unpin", "next"})
ROOM_SETTINGS = ("premoderation", "anonymous_allowed", "notes_locked")


# -- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionCommand(Mutating):
    """A command about one question: `qid` names it."""

    qid: str

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        set_field(self, "qid", check_ref(self.qid, "qid"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Join(Command):
    T: ClassVar[str] = "join"
    room: str
    name: str
    org: str = ""
    lang: str = "en"
    token: str | None = None
    key: str | None = None
    since: int | None = None
    epoch: str | None = None
    screen: bool = False  # a projector page: receives presence, is not counted in it
    org_id: str | None = None  # an id of the event's registry (PROTOCOL.md "Additions")

    def __post_init__(self) -> None:
        Command.__post_init__(self)
        code = room_code(self.room)
        if code is None:
            raise bad("room must be 2-32 characters of A-Z, 0-9 and '-'")
        set_field(self, "room", code)
        set_field(self, "name", check_text(self.name, "name", 1, 60))
        set_field(self, "org", check_text(self.org, "org", 0, 80))
        check_one_of(self.lang, "lang", LANGS)
        set_field(self, "token", check_opt_text(self.token, "token", 512))
        set_field(self, "key", check_opt_text(self.key, "key", 512))
        set_field(self, "epoch", check_opt_text(self.epoch, "epoch", 64))
        if self.since is not None:
            check_int(self.since, "since", 0, MAX_ID)
        check_flag(self.screen, "screen")
        set_field(self, "org_id", check_opt_text(self.org_id, "org_id", 40))

    def data(self) -> dict[str, Any]:
        out = Command.data(self)
        if not self.screen:
            del out["screen"]  # an addition to v1 (issue 13): other joins stay as they were
        if self.org_id is None:
            del out["org_id"]  # likewise (issue 14)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Ask(Mutating):
    """A question. Its `lang` is the language of its text (issue 14): detected from the
    text's script unless the asker chose it (`lang_chosen`, an extension); a text whose
    script says nothing (digits, emoji, a tie) keeps the `lang` sent."""

    T: ClassVar[str] = "ask"
    text: str
    lang: str = "en"
    anon: bool = False
    lang_chosen: bool = False

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        set_field(self, "text", check_text(self.text, "text", 1, 500, multiline=True))
        check_one_of(self.lang, "lang", LANGS)
        check_flag(self.anon, "anon")
        check_flag(self.lang_chosen, "lang_chosen")
        if not self.lang_chosen:
            set_field(self, "lang", detect_lang(self.text) or self.lang)

    def data(self) -> dict[str, Any]:
        out = Mutating.data(self)
        if not self.lang_chosen:
            del out["lang_chosen"]  # an addition (issue 14): other asks log as they did
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Vote(QuestionCommand):
    T: ClassVar[str] = "vote"
    up: bool

    def __post_init__(self) -> None:
        QuestionCommand.__post_init__(self)
        check_flag(self.up, "up")


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdraw(QuestionCommand):
    T: ClassVar[str] = "withdraw"


@dataclass(frozen=True, slots=True, kw_only=True)
class Moderate(Mutating):
    """A moderator acts on the question `qid`; `next` acts on the queue and needs no
    `qid` (nil, or ignored): it marks the pinned question answered and pins the next."""

    T: ClassVar[str] = "moderate"
    moderator_only: ClassVar[bool] = True
    qid: str | None = None
    action: str

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        check_one_of(self.action, "action", ACTIONS)
        if self.action != "next" or self.qid is not None:
            set_field(self, "qid", check_ref(self.qid, "qid"))


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionText(QuestionCommand):
    """A moderator's text for a question: `edit` replaces the question's, `answer` writes
    the answer. One shape; only the type and the length differ."""

    moderator_only: ClassVar[bool] = True
    text_limit: ClassVar[int]  # each subclass sets it
    text: str

    def __post_init__(self) -> None:
        QuestionCommand.__post_init__(self)
        text = check_text(self.text, "text", 1, self.text_limit, multiline=True)
        set_field(self, "text", text)


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit(QuestionText):
    T: ClassVar[str] = "edit"
    text_limit: ClassVar[int] = 500  # what `ask` allows


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer(QuestionText):
    T: ClassVar[str] = "answer"
    text_limit: ClassVar[int] = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class NotesSync(Command):
    T: ClassVar[str] = "notes.sync"
    sv: bytes

    def __post_init__(self) -> None:
        Command.__post_init__(self)
        set_field(self, "sv", check_binary(self.sv, "sv", STATE_VECTOR_LIMIT))


@dataclass(frozen=True, slots=True, kw_only=True)
class NotesUpdate(Mutating):
    """A Yjs update. An empty one is valid: the server acknowledges it without a log entry.

    Any participant may send one; whether the notes are locked is the fold's call."""

    T: ClassVar[str] = "notes.update"
    u: bytes

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        set_field(self, "u", check_binary(self.u, "u", NOTES_UPDATE_LIMIT, ErrorCode.TOO_LARGE))


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomSettings(Mutating):
    """The room's settings (wire type `settings`; not the server process's settings, which
    are `server.settings.Settings`). `None` leaves a setting as it is, and at least one
    must be given."""

    T: ClassVar[str] = "settings"
    moderator_only: ClassVar[bool] = True
    premoderation: bool | None = None
    anonymous_allowed: bool | None = None
    notes_locked: bool | None = None

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        given = [name for name in ROOM_SETTINGS if getattr(self, name) is not None]
        if not given:
            raise bad(f"settings needs at least one of {', '.join(ROOM_SETTINGS)}")
        for name in given:
            check_flag(getattr(self, name), name)

    def data(self) -> dict[str, Any]:
        """Only the settings this command changes."""
        return {
            name: getattr(self, name) for name in ROOM_SETTINGS if getattr(self, name) is not None
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomClose(Mutating):
    T: ClassVar[str] = "room.close"
    moderator_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class RoomOpen(Mutating):
    T: ClassVar[str] = "room.open"
    moderator_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Ping(Command):
    T: ClassVar[str] = "ping"


COMMANDS: dict[str, type[Command]] = {
    cls.T: cls
    for cls in (
        Join, Ask, Vote, Withdraw, Moderate, Edit, Answer,
        PollCreate, PollEdit, PollOpen, PollClose, PollDelete, PollShow, PollVote, PollHideWord,
        NotesSync, NotesUpdate, RoomSettings, RoomClose, RoomOpen, Ping, Translate,
    )
}  # fmt: skip
MUTATING: frozenset[str] = frozenset(t for t, cls in COMMANDS.items() if issubclass(cls, Mutating))


def required_roles(t: str) -> frozenset[str]:
    """The roles of which a command (or its record) of type `t` needs one; empty when
    anyone may send it, or for a type no command has (its reader refuses it for that)."""
    cls = COMMANDS.get(t)
    if cls is None:
        return frozenset()
    return frozenset({"moderator"}) if cls.moderator_only else cls.roles


def refusal_for(needed: frozenset[str]) -> str:
    """The `forbidden` message for a command that needs one of `needed`."""
    if needed == {"moderator"}:
        return "only moderators can do this"
    return "only " + " or ".join(f"{role}s" for role in sorted(needed)) + " can do this"


def needs_moderator(t: str) -> bool:
    """Whether a command (or the log record it became) of type `t` needs a moderator.

    False for a type no command has: whoever reads the record refuses it for that."""
    cls = COMMANDS.get(t)
    return cls is not None and cls.moderator_only


def parse_command(frame: Mapping[str, Any]) -> Command:
    """Validate one decoded client frame and return its command.

    Raises `ProtocolError` with `re` set to the frame's `id` whenever that id is valid:
    `unknown_type` for a `t` no command has, `too_large` for a notes update over
    `NOTES_UPDATE_LIMIT`, `bad_request` for anything else wrong. Unknown fields are
    ignored, so later versions may add optional ones.
    """
    if not isinstance(frame, Mapping):
        raise ProtocolError(ErrorCode.BAD_FRAME, "frame must be a map")
    raw_id = frame.get("id")
    re_id = (
        raw_id
        if isinstance(raw_id, int) and not isinstance(raw_id, bool) and 0 <= raw_id <= MAX_ID
        else None
    )
    t = frame.get("t")
    if not isinstance(t, str):
        raise ProtocolError(ErrorCode.BAD_REQUEST, "t must be a string", re_id)
    cls = COMMANDS.get(t)
    if cls is None:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown command type {t[:40]!r}", re_id)
    if re_id is None:
        raise ProtocolError(ErrorCode.BAD_REQUEST, f"id must be an integer 0..{MAX_ID}")
    fields: dict[str, Any] = {}
    for name, required in fields_of(cls):
        value = frame.get(name)
        if value is not None:
            fields[name] = value
        elif required:
            raise ProtocolError(ErrorCode.BAD_REQUEST, f"{t} needs {name}", re_id)
    try:
        return cls(**fields)
    except ProtocolError as exc:
        raise ProtocolError(exc.code, f"{t}: {exc.msg}", re_id) from None
