"""Fuzz parse_command: a mutated frame of any command type is a command or a ProtocolError.

Anything else escaping (a TypeError from a field that is not a string, say) would fail
the connection with 1011 instead of answering with the protocol's error code.
"""

from __future__ import annotations

from typing import Any

import msgpack
from hypothesis import HealthCheck, example, given, settings

from protocol.codec import Limits, decode_frame
from protocol.codes import ErrorCode, ProtocolError
from protocol.messages import Command, parse_command

from .fuzz_support import mutated_frames

FUZZ = settings(
    max_examples=600,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CODES = {str(code) for code in ErrorCode} - {"internal"}


def parsed(frame: dict[str, Any]) -> Command | ProtocolError:
    try:
        return parse_command(frame)
    except ProtocolError as exc:
        return exc


# What the server fuzz first found: a `word` that was not a string crashed the session (1011).
HIDE_A_LIST = {"t": "poll.hide_word", "id": 1, "cid": "c", "poll_id": "p1", "word": []}


@FUZZ
@given(mutated_frames())
@example(HIDE_A_LIST)
def test_a_mutated_command_parses_or_is_a_protocol_error(frame: dict[str, Any]) -> None:
    out = parsed(frame)
    if isinstance(out, ProtocolError):
        assert str(out.code) in CODES and out.msg and out.close is None
        if out.re is not None:
            assert out.re == frame.get("id")
    else:
        assert frame["t"] == out.T
        again = parse_command(out.frame())  # a parsed command is valid, and stays so
        assert again == out


@FUZZ
@given(mutated_frames())
def test_a_mutated_frame_on_the_wire_decodes_parses_or_is_a_protocol_error(
    frame: dict[str, Any],
) -> None:
    data = msgpack.packb(frame, use_bin_type=True)
    try:
        parse_command(decode_frame(data, Limits()))
    except ProtocolError as exc:
        assert str(exc.code) in CODES
