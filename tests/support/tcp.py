"""The kernel's view of a test's own TCP socket: whether the peer has ended it.

A client that reads nothing cannot learn from its WebSocket library that the server
dropped it (the library reads nothing either), but its kernel knows at once: a reset
moves the socket out of ESTABLISHED. Linux's TCP_INFO says so without reading a byte.
"""

from __future__ import annotations

import socket
from typing import Any

TCP_ESTABLISHED = 1  # `tcpi_state` of an open connection (include/net/tcp_states.h)


def tcp_state(sock: Any) -> int:
    """`tcpi_state`, the first byte of `struct tcp_info`, of a socket (or asyncio's
    wrapper of one)."""
    return int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0])


def established(sock: Any) -> bool:
    """Whether the connection is still open as far as this end's kernel knows."""
    return tcp_state(sock) == TCP_ESTABLISHED
