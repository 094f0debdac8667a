"""Field checks for client commands: each returns the normalised value or raises
`ProtocolError` (`bad_request` unless told otherwise). Readings in protocol/messages.py.

The room-code rule lives here too (`ROOM_CODE`, `room_code`): `join` reads it, and so
do the server's event files and command line, so that there is one rule (issue 11).
"""

from __future__ import annotations

import re
import unicodedata

from protocol.codes import ErrorCode, ProtocolError

CHOICE_LIMIT = 1000  # largest option index or rating a poll vote may name
REF_LIMIT = 32  # characters of a `qid` or `poll_id` (the fold makes them "q17", "p20")
SPACES = re.compile(r"\s+")
# A room code as typed: 2-32 of A-Z, a-z, 0-9 and '-' (case-insensitive; PROTOCOL.md
# "Joining"). ASCII letters are spelled out: `str.upper()` would turn "ß" into "SS", and
# re.IGNORECASE would let "K" (the Kelvin sign) match "k". The browser's copy of this
# rule is `CODE` in client/web/src/route.js (it checks the upper-cased code).
ROOM_CODE = re.compile(r"[A-Za-z0-9-]{2,32}")


def room_code(value: object, *, new: bool = False) -> str | None:
    """The room code `value` spells, upper-cased, or None when it is not a room code.

    `new` is for a code that names a room being made (an event file, an import): it must
    also start with a letter or digit, so that the command line never reads it as an
    option (`workshop export -AB`). A join for such a code is well formed and finds no room.
    """
    if not isinstance(value, str) or not ROOM_CODE.fullmatch(value):
        return None
    if new and value.startswith("-"):
        return None
    return value.upper()


def bad(msg: str) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_REQUEST, msg)


def check_text(value: object, name: str, lo: int, hi: int, *, multiline: bool = False) -> str:
    """A string of lo..hi code points after stripping, free of control characters."""
    if not isinstance(value, str):
        raise bad(f"{name} must be a string")
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    allowed = "\n\t" if multiline else ""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") and char not in allowed:
            raise bad(f"{name} holds a control character (U+{ord(char):04X})")
    if not lo <= len(value) <= hi:
        raise bad(f"{name} must be {lo}-{hi} characters")
    return value


def check_ref(value: object, name: str) -> str:
    """An id the fold gave a question or a poll (`qid`, `poll_id`): one line, 1-32 chars."""
    return check_text(value, name, 1, REF_LIMIT)


def check_opt_text(value: object, name: str, hi: int) -> str | None:
    """An optional token-like string; "" reads as absent."""
    if value is None:
        return None
    return check_text(value, name, 0, hi) or None


def check_flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise bad(f"{name} must be true or false")
    return value


def check_int(value: object, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise bad(f"{name} must be an integer {lo}..{hi}")
    return value


def check_one_of(value: object, name: str, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise bad(f"{name} must be one of {', '.join(sorted(allowed))}")
    return value


def check_binary(
    value: object, name: str, hi: int, code: ErrorCode = ErrorCode.BAD_REQUEST
) -> bytes:
    if not isinstance(value, bytes | bytearray):
        raise bad(f"{name} must be binary")
    if len(value) > hi:
        raise ProtocolError(code, f"{name} is {len(value)} bytes, over the {hi}-byte limit")
    return bytes(value)


def check_choice(value: object) -> int | tuple[int, ...] | str:
    """A poll choice: an option index or rating, a set of indexes, or a word."""
    if isinstance(value, str):
        word = SPACES.sub(" ", value).strip()
        return check_text(word, "choice", 1, 40)
    if isinstance(value, list | tuple):
        picks = tuple(check_int(item, "choice item", 0, CHOICE_LIMIT) for item in value)
        if not 1 <= len(picks) <= 10 or len(set(picks)) != len(picks):
            raise bad("choice must list 1-10 distinct options")
        return tuple(sorted(picks))
    return check_int(value, "choice", 0, CHOICE_LIMIT)


def set_field(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass in __post_init__
