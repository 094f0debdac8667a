"""protocol.codes: the one registry of error and close codes, and what each means."""

from __future__ import annotations

from pathlib import Path

from protocol import codes_js
from protocol.codes import CloseCode, ErrorCode, ProtocolError
from protocol.frames import Err

CODES_JS = Path(__file__).resolve().parents[2] / "client" / "web" / "src" / "codes.js"

# PROTOCOL.md, "Envelope": the complete list, in its order.
PROTOCOL_ERROR_CODES = [
    "bad_frame",
    "bad_request",
    "unknown_type",
    "too_large",
    "rate_limited",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "room_closed",
    "unavailable",
    "internal",
]


def test_error_codes_are_exactly_the_protocol_list() -> None:
    assert [str(code) for code in ErrorCode] == PROTOCOL_ERROR_CODES
    for code in ErrorCode:
        assert ErrorCode(str(code)) is code
        assert code == str(code)  # StrEnum: compares equal to its wire string


def test_retryable_error_codes() -> None:
    retryable = {code for code in ErrorCode if code.retryable}
    assert retryable == {ErrorCode.RATE_LIMITED, ErrorCode.UNAVAILABLE, ErrorCode.INTERNAL}
    # What the client did wrong, or may not do, does not get better by retrying.
    for code in ("bad_frame", "bad_request", "unknown_type", "too_large", "unauthorized"):
        assert not ErrorCode(code).retryable
    for code in ("forbidden", "not_found", "conflict", "room_closed"):
        assert not ErrorCode(code).retryable


def test_close_codes_match_the_protocol() -> None:
    assert {int(code) for code in CloseCode} == {
        1000, 1001, 1002, 1003, 1008, 1009, 1011, 1012, 4008, 4029
    }  # fmt: skip
    assert CloseCode.POLICY == 1008
    assert CloseCode.TOO_LARGE == 1009
    assert CloseCode.RESTARTING == 1012
    assert CloseCode.TOO_SLOW == 4008
    assert CloseCode.FLOODING == 4029
    for code in CloseCode:
        assert 1000 <= code <= 4999


def test_resume_close_codes() -> None:
    resume = {int(code) for code in CloseCode if code.resume}
    assert resume == {1001, 1011, 1012, 4008, 4029}
    # Stop: bad auth, or something this client sends that the server will never accept.
    for code in (1000, 1002, 1003, 1008, 1009):
        assert not CloseCode(code).resume


def test_protocol_error_reply() -> None:
    exc = ProtocolError(ErrorCode.NOT_FOUND, "no such question", 12)
    assert isinstance(exc, Exception)
    assert str(exc) == "no such question"
    assert exc.close is None
    reply = Err.of(exc).to_wire()
    assert reply == {"t": "err", "re": 12, "code": "not_found", "msg": "no such question"}
    assert type(reply["code"]) is str  # msgpack packs a plain str, not an enum member


def test_protocol_error_with_close() -> None:
    exc = ProtocolError(ErrorCode.TOO_LARGE, "big", close=CloseCode.TOO_LARGE)
    assert exc.re is None
    assert exc.close is CloseCode.TOO_LARGE


def test_the_browser_copy_of_the_registry_is_current() -> None:
    """client/web/src/codes.js is generated from this registry (STYLE.md: one source)."""
    assert CODES_JS.read_text(encoding="utf-8") == codes_js.render(), (
        f"client/web/src/codes.js is stale: rerun `{codes_js.COMMAND}`"
    )


def test_the_browser_copy_says_what_the_registry_says() -> None:
    text = codes_js.render()
    for code in ErrorCode:
        assert f'  "{code}": {"true" if code.retryable else "false"},\n' in text
    for close in CloseCode:
        assert f"  {int(close)}: {'true' if close.resume else 'false'},\n" in text
        assert f"  {close.name}: {int(close)},\n" in text
    assert "export function isRetryable(code)" in text
    assert "export function shouldResume(code)" in text
