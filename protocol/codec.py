"""Bytes <-> frames, with every limit of PROTOCOL.md ("Transport").

`decode_frame` turns one binary WebSocket frame into a plain `dict` or raises
`ProtocolError`; it never raises anything else, whatever the bytes. `encode_frame`
is the inverse. Typed commands are built from the dict by `protocol.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgpack

from protocol.codes import CloseCode, ErrorCode, ProtocolError

MAX_SAFE_INT = 2**53  # JavaScript reads integers within ±2^53 exactly


@dataclass(frozen=True, slots=True)
class Limits:
    """Decoder limits. The defaults suit client commands; the server may lift `frame`."""

    frame: int = 64 * 1024  # bytes per frame (closes with 1009 beyond)
    string: int = 16 * 1024  # bytes per string
    binary: int = 64 * 1024  # bytes per bin
    array: int = 1024  # items per array
    map: int = 64  # pairs per map
    depth: int = 8  # nesting of containers


DEFAULT_LIMITS = Limits()


def encode_frame(message: dict[str, Any]) -> bytes:
    """Encode one frame (a map with string keys) as msgpack."""
    packed: bytes = msgpack.packb(message, use_bin_type=True)
    return packed


def decode_frame(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Decode one frame, enforcing the limits. Raises `ProtocolError` only."""
    if len(data) > limits.frame:
        raise ProtocolError(
            ErrorCode.TOO_LARGE,
            f"frame of {len(data)} bytes is over the {limits.frame}-byte limit",
            close=CloseCode.TOO_LARGE,
        )
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            use_list=True,
            strict_map_key=True,
            max_str_len=limits.string,
            max_bin_len=limits.binary,
            max_array_len=limits.array,
            max_map_len=limits.map,
            max_ext_len=0,
            ext_hook=_refuse_ext,  # max_ext_len=0 still lets a zero-length ext through
        )
    except (ValueError, TypeError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
        # ValueError covers truncated data, invalid UTF-8, limits exceeded and ext types.
        raise ProtocolError(ErrorCode.BAD_FRAME, "frame is not one valid msgpack value") from None
    except Exception:  # msgpack's C decoder may raise others on hostile input
        raise ProtocolError(ErrorCode.BAD_FRAME, "frame is not one valid msgpack value") from None
    if not isinstance(value, dict):
        raise ProtocolError(ErrorCode.BAD_FRAME, "frame must be a msgpack map")
    _check(value, limits.depth, 1)
    return value


def _refuse_ext(code: int, data: bytes) -> Any:
    raise ValueError("ext types are not allowed")


def _check(value: Any, max_depth: int, depth: int) -> None:
    """Walk the decoded value: depth, string keys, safe integers."""
    if depth > max_depth:
        raise ProtocolError(ErrorCode.BAD_FRAME, f"nesting deeper than {max_depth}")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProtocolError(ErrorCode.BAD_FRAME, "map keys must be strings")
            if isinstance(item, dict | list):
                _check(item, max_depth, depth + 1)
            elif isinstance(item, int) and not -MAX_SAFE_INT <= item <= MAX_SAFE_INT:
                raise ProtocolError(ErrorCode.BAD_FRAME, "integer outside ±2^53")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                _check(item, max_depth, depth + 1)
            elif isinstance(item, int) and not -MAX_SAFE_INT <= item <= MAX_SAFE_INT:
                raise ProtocolError(ErrorCode.BAD_FRAME, "integer outside ±2^53")
