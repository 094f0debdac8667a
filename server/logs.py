"""How the server writes its log (issue 16; docs/protocol.md "Operations"): uvicorn's plain
lines for a person at a terminal (`--log-format text`, the default), or JSON lines for
Loki or ELK (`--log-format json`, python-json-logger): one object a line with `timestamp`,
`level`, `process`, `logger`, `message`, and where known `room`, `connection` and `event`.

`room` and `connection` come from context variables the WebSocket endpoint sets for each
connection's task (a counter, not a secret), so every line a connection's work writes
carries them without each call naming them. What a log line may never carry (keys,
tokens, secrets, message bodies) is checked by tests/integration/test_canary_keys.py.
"""

from __future__ import annotations

import copy
import itertools
import logging
from contextvars import ContextVar
from typing import Any

from server.log_limit import StateLines

ROOM: ContextVar[str | None] = ContextVar("workshop_room", default=None)
CONNECTION: ContextVar[str | None] = ContextVar("workshop_connection", default=None)
FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")
_ids = itertools.count(1)


def new_connection() -> None:
    """Name the current task's connection (call once, in its own task)."""
    CONNECTION.set(f"c{next(_ids):x}")


class Context(logging.Filter):
    """Puts the task's room and connection (and an `event`, if the call gave none) on
    every record, for the JSON formatter to write."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "room"):
            record.room = ROOM.get()
        if not hasattr(record, "connection"):
            record.connection = CONNECTION.get()
        if not hasattr(record, "event"):
            record.event = None
        return True


JSON_FIELDS = (
    "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s %(room)s %(connection)s %(event)s"
)


def log_config(fmt: str, level: str = "info") -> dict[str, Any]:
    """uvicorn's `log_config` (a dictConfig) for `fmt` at `level`, for the serving process
    and for each of `--workers N`. State changes are held to a budget in both formats
    (server/log_limit.py)."""
    level = level.upper()
    if fmt == "text":
        return _text_config(level)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": Context}, "state_lines": {"()": StateLines}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": JSON_FIELDS,
                "rename_fields": {
                    "asctime": "timestamp",
                    "levelname": "level",
                    "name": "logger",
                },
                "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json",
                "filters": ["context", "state_lines"],
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            name: {"level": level, "handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def _text_config(level: str) -> dict[str, Any]:
    """uvicorn's own lines as uvicorn writes them, and ours as plain lines beside them."""
    from uvicorn.config import LOGGING_CONFIG  # only when serving (uvicorn is the server)

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"state_lines": {"()": StateLines}}
    config["formatters"]["workshop"] = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    config["handlers"]["workshop"] = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
        "formatter": "workshop",
        "filters": ["state_lines"],
    }
    config["root"] = {"level": level, "handlers": ["workshop"]}
    return config
