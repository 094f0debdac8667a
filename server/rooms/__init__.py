"""The room fold: pure, deterministic state from the room log (DESIGN.md §1).

No I/O here: every server process folds the same records in the same order and so
holds the same state and sends the same replies.
"""

from server.rooms.fold import apply
from server.rooms.outcome import EVERYONE, STAFF, Audience, Event, Outcome, Variant, Viewer
from server.rooms.state import RoomState

__all__ = [
    "EVERYONE",
    "STAFF",
    "Audience",
    "Event",
    "Outcome",
    "RoomState",
    "Variant",
    "Viewer",
    "apply",
]
