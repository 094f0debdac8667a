"""The workshop room wire protocol, v1 (see docs/protocol.md).

Pure: msgpack and dataclasses only. No asyncio, no Starlette, no Redis.
"""

from protocol.codec import Limits, decode_frame, encode_frame
from protocol.codes import CloseCode, ErrorCode, ProtocolError

SUBPROTOCOL = "workshop.v1"

__all__ = [
    "SUBPROTOCOL",
    "CloseCode",
    "ErrorCode",
    "Limits",
    "ProtocolError",
    "decode_frame",
    "encode_frame",
]
