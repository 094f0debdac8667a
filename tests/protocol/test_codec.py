"""protocol.codec: frames round-trip, and every malformed input is one ProtocolError."""

from __future__ import annotations

import random
import struct

import msgpack
import pytest

from protocol.codec import MAX_SAFE_INT, Limits, decode_frame, encode_frame
from protocol.codes import CloseCode, ErrorCode, ProtocolError
from protocol.frames import Err

VALID = {
    "t": "ask",
    "id": 7,
    "cid": "4f0c2a9e8b1d4e3f9a7b6c5d4e3f2a1b",
    "text": "Evacuation shelters in Ulaanbaatar: 避難所 / Хамгаалах байр 🏠",
    "lang": "ja",
    "anon": False,
    "nested": {"list": [1, -1, 2.5, None, True, b"\x00\xff"], "map": {"k": "v"}},
}


def bad_frame(data: bytes) -> ProtocolError:
    """Decode `data`, which must fail with bad_frame (and nothing else)."""
    with pytest.raises(ProtocolError) as info:
        decode_frame(data)
    assert info.value.code is ErrorCode.BAD_FRAME
    assert info.value.close is None  # the connection stays open (PROTOCOL.md, Transport)
    assert info.value.re is None
    return info.value


# -- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        VALID,
        {},
        {"t": "notes.update", "id": 0, "cid": "c", "u": b""},
        {"t": "ping", "id": MAX_SAFE_INT},
        {"n": -MAX_SAFE_INT, "f": -0.5, "deep": [[[[{"a": [1]}]]]]},
        {"ts": 1732700000.123456, "empty": [], "none": None, "s": ""},
    ],
)
def test_round_trip(frame: dict[str, object]) -> None:
    data = encode_frame(frame)
    assert isinstance(data, bytes)
    assert decode_frame(data) == frame


def test_binary_stays_binary_and_text_stays_text() -> None:
    decoded = decode_frame(encode_frame({"u": b"abc", "s": "abc"}))
    assert type(decoded["u"]) is bytes
    assert type(decoded["s"]) is str


# -- random and truncated input -------------------------------------------------------------


def test_random_bytes_only_ever_raise_bad_frame() -> None:
    rng = random.Random(20241127)
    for _ in range(20_000):
        data = rng.randbytes(rng.randrange(0, 80))
        try:
            value = decode_frame(data)
        except ProtocolError as exc:
            assert exc.code is ErrorCode.BAD_FRAME, (data, exc)
        else:
            assert isinstance(value, dict)


def test_mutated_valid_frames_only_ever_raise_bad_frame() -> None:
    rng = random.Random(53)
    base = bytearray(encode_frame(VALID))
    for _ in range(5000):
        data = bytearray(base)
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            value = decode_frame(bytes(data))
        except ProtocolError as exc:
            assert exc.code is ErrorCode.BAD_FRAME, (bytes(data), exc)
        else:
            assert isinstance(value, dict)


def test_every_truncation_of_a_valid_frame_is_bad_frame() -> None:
    data = encode_frame(VALID)
    for end in range(len(data)):
        bad_frame(data[:end])


# -- wrong shapes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [[], [1, 2], 1, -1, 1.5, "ask", b"ask", None, True, False], ids=repr
)
def test_top_level_must_be_a_map(value: object) -> None:
    bad_frame(msgpack.packb(value, use_bin_type=True))


def test_two_values_in_one_frame() -> None:
    bad_frame(encode_frame({"t": "ping", "id": 1}) + encode_frame({"t": "ping", "id": 2}))
    bad_frame(encode_frame({}) + b"\xc0")


def test_empty_frame_and_reserved_byte() -> None:
    bad_frame(b"")
    bad_frame(b"\xc1")  # "never used" in the msgpack spec
    bad_frame(b"\x81\xa1a\xc1")


# -- declared lengths far beyond the data ---------------------------------------------------

FOUR_GB = b"\xff\xff\xff\xff"


@pytest.mark.parametrize(
    "header",
    [
        b"\xdb" + FOUR_GB,  # str32
        b"\xc6" + FOUR_GB,  # bin32
        b"\xdd" + FOUR_GB,  # array32
        b"\xdf" + FOUR_GB,  # map32
        b"\xda\xff\xff",  # str16
        b"\xc5\xff\xff",  # bin16
        b"\xdc\xff\xff",  # array16
        b"\xde\xff\xff",  # map16
        b"\xc9" + FOUR_GB + b"\x01",  # ext32
    ],
    ids=["str32", "bin32", "array32", "map32", "str16", "bin16", "array16", "map16", "ext32"],
)
def test_huge_declared_lengths(header: bytes) -> None:
    bad_frame(header)  # as the whole frame
    bad_frame(header + b"\x00" * 16)
    bad_frame(b"\x81\xa1a" + header)  # as a value
    bad_frame(b"\x81\xa1a" + header + b"\x00" * 16)


def test_long_but_honest_containers_over_the_limits() -> None:
    limits = Limits()
    bad_frame(encode_frame({"a": list(range(limits.array + 1))}))
    bad_frame(encode_frame({str(i): i for i in range(limits.map + 1)}))
    bad_frame(encode_frame({"a": "x" * (limits.string + 1)}))


# -- nesting --------------------------------------------------------------------------------


def nested(depth: int) -> dict[str, object]:
    """A map whose containers nest `depth` deep (the frame itself is depth 1)."""
    value: dict[str, object] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = Limits().depth
    assert decode_frame(encode_frame(nested(depth))) == nested(depth)
    as_lists: object = []
    for _ in range(depth - 2):
        as_lists = [as_lists]
    assert decode_frame(encode_frame({"a": as_lists})) == {"a": as_lists}


def test_nesting_beyond_the_limit() -> None:
    depth = Limits().depth
    bad_frame(encode_frame(nested(depth + 1)))
    as_lists: object = []
    for _ in range(depth - 1):
        as_lists = [as_lists]
    bad_frame(encode_frame({"a": as_lists}))


def test_nesting_far_beyond_msgpack_own_stack() -> None:
    bad_frame(b"\x81\xa1a" + b"\x91" * 50_000 + b"\xc0")
    bad_frame(b"\x81\xa1a" * 20_000 + b"\xc0")


# -- strings and keys -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]
)
def test_invalid_utf8(raw: bytes) -> None:
    text = bytes([0xA0 | len(raw)]) + raw
    bad_frame(b"\x81\xa1a" + text)  # in a value
    bad_frame(b"\x81" + text + b"\x01")  # in a key
    bad_frame(b"\x81\xa1a\x81" + text + b"\x01")  # in a nested key


@pytest.mark.parametrize(
    "key",
    [b"\x01", b"\xc0", b"\xc3", b"\xcb" + struct.pack(">d", 1.0), b"\xc4\x01k", b"\x90", b"\x80"],
    ids=["int", "nil", "bool", "float", "bin", "array", "map"],
)
def test_non_string_keys(key: bytes) -> None:
    bad_frame(b"\x81" + key + b"\x01")  # at the top
    bad_frame(b"\x81\xa1a\x81" + key + b"\x01")  # nested in a map
    bad_frame(b"\x81\xa1a\x91\x81" + key + b"\x01")  # in a map in a list


# -- ext types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ext",
    [
        b"\xd4\x05\x00",  # fixext1
        b"\xd8\x05" + b"\x00" * 16,  # fixext16
        b"\xc7\x03\x05abc",  # ext8
        b"\xd6\xff\x00\x00\x00\x00",  # timestamp32
        b"\xd7\xff" + b"\x00" * 8,  # timestamp64
        b"\xc7\x0c\xff" + b"\x00" * 12,  # timestamp96
        b"\xc7\x00\xff",  # empty timestamp
    ],
    ids=["fixext1", "fixext16", "ext8", "ts32", "ts64", "ts96", "empty-ts"],
)
def test_ext_types(ext: bytes) -> None:
    bad_frame(b"\x81\xa1a" + ext)
    bad_frame(b"\x81\xa1a\x91" + ext)


def test_empty_ext_type() -> None:
    bad_frame(b"\x81\xa1a\xc7\x00\x05")


# -- integers -------------------------------------------------------------------------------


def test_integers_within_safe_range() -> None:
    for n in (MAX_SAFE_INT, -MAX_SAFE_INT, 0, 2**32, -(2**31)):
        assert decode_frame(encode_frame({"n": n, "l": [n], "m": {"n": n}}))["n"] == n


@pytest.mark.parametrize(
    "n", [MAX_SAFE_INT + 1, -MAX_SAFE_INT - 1, 2**63, 2**64 - 1, -(2**63)], ids=str
)
def test_integers_beyond_safe_range(n: int) -> None:
    bad_frame(encode_frame({"n": n}))
    bad_frame(encode_frame({"l": [0, n]}))
    bad_frame(encode_frame({"m": {"x": [{"n": n}]}}))


# -- size -----------------------------------------------------------------------------------


def test_frame_over_the_size_limit_is_too_large_and_closes_1009() -> None:
    limit = Limits().frame
    padding = limit - len(encode_frame({"u": b""})) - 4  # bin16/32 header slack
    at_limit = encode_frame({"u": b"x" * padding})
    assert len(at_limit) <= limit
    assert decode_frame(at_limit)["u"] == b"x" * padding
    over = b"\x80" + b"\x00" * limit  # size is checked before any decoding
    with pytest.raises(ProtocolError) as info:
        decode_frame(over)
    assert info.value.code is ErrorCode.TOO_LARGE
    assert info.value.close is CloseCode.TOO_LARGE
    assert int(info.value.close) == 1009


def test_limits_are_adjustable() -> None:
    small = Limits(frame=16)
    with pytest.raises(ProtocolError) as info:
        decode_frame(encode_frame({"text": "x" * 32}), small)
    assert info.value.code is ErrorCode.TOO_LARGE
    assert decode_frame(encode_frame({"n": 1}), small) == {"n": 1}


def test_reply_carries_the_code() -> None:
    exc = bad_frame(b"\xc1")
    assert Err.of(exc).to_wire() == {"t": "err", "re": None, "code": "bad_frame", "msg": exc.msg}
