"""Clients of the workshop room service: the asyncio Python client (the browser app is in web/)."""

from client.errors import CommandError, Disconnected, RoomClientError
from client.room_client import RoomClient

__all__ = ["CommandError", "Disconnected", "RoomClient", "RoomClientError"]
