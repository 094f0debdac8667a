"""The workshop room wire protocol, v1 (see docs/protocol.md).

Pure: msgpack and dataclasses only. No asyncio, no Starlette, no Redis.
"""

from protocol.codec import Limits, decode_frame, encode_frame
from protocol.codes import CloseCode, ErrorCode, ProtocolError
from protocol.fields import ROOM_CODE, room_code

SUBPROTOCOL = "workshop.v1"

__all__ = [
    "ROOM_CODE",
    "SUBPROTOCOL",
    "CloseCode",
    "ErrorCode",
    "Limits",
    "ProtocolError",
    "decode_frame",
    "encode_frame",
    "room_code",
]
