"""The poll commands (PROTOCOL.md "Commands", "Polls on screen"; docs/protocol.md Part 2,
"Polls"): create, edit, open, close, delete, show on screen, vote, hide a word."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from protocol.command import Mutating
from protocol.fields import (
    SPACES,
    bad,
    check_choice,
    check_flag,
    check_int,
    check_one_of,
    check_ref,
    check_text,
    set_field,
)
from protocol.lang_text import LangText, check_lang_text, lang_key

POLL_KINDS = frozenset({"single", "multi", "rating", "words"})
POLL_SECONDS = (10, 3600)  # a poll's timer, when it has one


@dataclass(frozen=True, slots=True, kw_only=True)
class PollCommand(Mutating):
    """A command about one poll: `poll_id` names it."""

    poll_id: str

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        set_field(self, "poll_id", check_ref(self.poll_id, "poll_id"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PollCreate(Mutating):
    T: ClassVar[str] = "poll.create"
    moderator_only: ClassVar[bool] = True
    title: LangText  # a string or a language map (PROTOCOL.md "Multilingual text")
    kind: str
    options: tuple[LangText, ...] = ()
    hide_results: bool = False
    hide_until_voted: bool = False  # extension: each participant sees results once voted
    seconds: int | None = None  # extension: the server closes the poll this long after open

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        set_field(self, "title", check_lang_text(self.title, "title", 1, 200))
        check_one_of(self.kind, "kind", POLL_KINDS)
        if not isinstance(self.options, list | tuple):
            raise bad("options must be a list of strings or language maps")
        options = tuple(check_lang_text(option, "option", 1, 100) for option in self.options)
        if self.kind in ("single", "multi"):
            if not 2 <= len(options) <= 10:
                raise bad(f"a {self.kind} poll needs 2-10 options")
            if len({lang_key(option) for option in options}) != len(options):
                raise bad("options must be distinct")
        elif options:
            raise bad(f"a {self.kind} poll takes no options")
        set_field(self, "options", options)
        check_flag(self.hide_results, "hide_results")
        check_flag(self.hide_until_voted, "hide_until_voted")
        if self.seconds is not None:
            check_int(self.seconds, "seconds", POLL_SECONDS[0], POLL_SECONDS[1])


@dataclass(frozen=True, slots=True, kw_only=True)
class PollEdit(PollCreate):
    """Extension: replace a draft poll's title, kind, options and setting.

    Not a `PollCommand`: its `poll_id` comes last in the log, after `poll.create`'s
    fields, as it always has (see "Field order" above)."""

    T: ClassVar[str] = "poll.edit"
    poll_id: str

    def __post_init__(self) -> None:
        PollCreate.__post_init__(self)
        set_field(self, "poll_id", check_ref(self.poll_id, "poll_id"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PollHideWord(PollCommand):
    """Extension: hide (or show again) one word of a `words` poll's cloud."""

    T: ClassVar[str] = "poll.hide_word"
    moderator_only: ClassVar[bool] = True
    word: str
    hidden: bool = True

    def __post_init__(self) -> None:
        PollCommand.__post_init__(self)
        if not isinstance(self.word, str):  # before the regex, which would raise TypeError
            raise bad("word must be a string")
        set_field(self, "word", check_text(SPACES.sub(" ", self.word).strip(), "word", 1, 40))
        check_flag(self.hidden, "hidden")


@dataclass(frozen=True, slots=True, kw_only=True)
class PollOpen(PollCommand):
    T: ClassVar[str] = "poll.open"
    moderator_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PollClose(PollCommand):
    T: ClassVar[str] = "poll.close"
    moderator_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PollDelete(PollCommand):
    """Extension: remove a poll, its votes and results, for everyone."""

    T: ClassVar[str] = "poll.delete"
    moderator_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PollShow(Mutating):
    """Put one poll on the projector, or clear it (`poll_id` nil): PROTOCOL.md "Polls on
    screen". At most one poll is on screen."""

    T: ClassVar[str] = "poll.show"
    moderator_only: ClassVar[bool] = True
    poll_id: str | None = None

    def __post_init__(self) -> None:
        Mutating.__post_init__(self)
        if self.poll_id is not None:
            set_field(self, "poll_id", check_ref(self.poll_id, "poll_id"))


@dataclass(frozen=True, slots=True, kw_only=True)
class PollVote(PollCommand):
    """A poll vote. Whether `choice` fits the poll's kind is the fold's call."""

    T: ClassVar[str] = "poll.vote"
    choice: int | tuple[int, ...] | str

    def __post_init__(self) -> None:
        PollCommand.__post_init__(self)
        set_field(self, "choice", check_choice(self.choice))
