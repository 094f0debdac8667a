"""Every option and limit of a server process, from flags and the environment.

Each field is a `workshop serve` flag (`--replay-limit`) and an environment variable
(`WORKSHOP_REPLAY_LIMIT`); flags win. Defaults are the safe ones for a live workshop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("data")
    public_url: str = ""  # base URL printed in links; default http://host:port
    redis_url: str = ""
    workers: int = 1  # server processes sharing the port; more than 1 needs redis_url
    # Connections the kernel holds for accept(): a reconnect storm of thousands must not
    # overflow it (bench/storm.py; capped by net.core.somaxconn). uvicorn's own is 2,048.
    backlog: int = 4096
    allowed_origins: tuple[str, ...] = ()  # besides the server's own origin
    allowed_hosts: tuple[str, ...] = ()  # Host names besides public_url's and loopback
    # WebSocket and protocol limits
    frame_limit: int = 64 * 1024  # bytes; a bigger frame closes with 1009
    replay_limit: int = 1000  # events replayed on resume before a snapshot is sent instead
    send_queue: int = 1024  # frames queued per socket before it is closed with 4008
    send_queue_bytes: int = 4 * 1024 * 1024  # ...or bytes queued (issue 12, item 10)
    send_timeout: float = 5.0  # seconds frames may wait with none taken: closed with 4008
    drop_grace: float = 5.0  # seconds a 4008 socket may take to close before it is dropped
    conns_per_ip: int = 600  # a venue of 300 behind one NAT, a second tab each
    join_timeout: float = 10.0  # seconds a socket may stay open without joining a room (1008)
    request_timeout: float = 10.0  # seconds to send an HTTP request's head (or a handshake)
    request_head_limit: int = 64 * 1024  # bytes of an HTTP request's head (400 beyond)
    ask_rate: float = 5 / 60  # questions per second per participant (5 a minute)
    ask_burst: int = 5
    vote_rate: float = 10.0  # votes per second per participant
    vote_burst: int = 10
    command_rate: float = 20.0  # any command, per connection
    command_burst: int = 40
    flood_limit: int = 20  # rate_limited replies within 10 s before closing with 4029
    # Per client address, across identities (issue 12, item 7; docs/reliability.md,
    # "Limits per address"): generous enough for ~300 people behind one NAT. 0 = off.
    ip_identity_rate: float = 2.0  # new identities per second per address (120 a minute)
    ip_identity_burst: int = 300
    ip_ask_rate: float = 1.0  # questions per second per address (12 people's 5 a minute)
    ip_ask_burst: int = 100
    ip_vote_rate: float = 30.0  # question and poll votes per second per address
    ip_vote_burst: int = 600
    # A peer that stops answering pings is closed within interval + timeout (issue 12: an
    # abrupt drop leaves presence within 30 s; it took 40 s at 20 + 20).
    ws_ping_interval: float = 10.0
    ws_ping_timeout: float = 10.0
    snapshot_every: int = 500  # events between room snapshots
    room_idle_grace: float = 60.0  # seconds a room without members stays loaded
    presence_ttl: float = 20.0  # seconds a dead process's presence set lives (dropped in 1.25x)
    position_check: float = 5.0  # seconds between checks of each tailed room's head (Redis)
    sqlite_sync: str = "FULL"
    # Serve the browser bundle's source maps (client/web/build/maps/) under /static/: for
    # debugging only, they are the whole client source (issue 13).
    source_maps: bool = False
    # GET /metrics (issue 16): with a token, for `Authorization: Bearer <token>` only;
    # without one, for loopback clients only. Per-room series are opt-in (cardinality).
    metrics_token: str = ""
    allow_eviction: bool = False  # start on a Redis that evicts keys (server/cli/doctor.py)
    allow_open_redis: bool = False  # start on a Redis off loopback without a password
    log_format: str = "text"  # or "json": JSON lines (server/logs.py); links not printed
    log_level: str = "info"  # or debug, warning, error: no level logs a key or a text
    metrics_per_room: bool = False
    # Where `--workers N` processes leave their figures for each other's /metrics
    # (server/metrics_workers.py); empty: a temporary folder the supervisor makes.
    metrics_dir: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


def env_name(name: str) -> str:
    return "WORKSHOP_" + name.upper()


def from_sources(flags: dict[str, Any], environ: dict[str, str] | None = None) -> Settings:
    """Build settings: flags (non-None) win over `WORKSHOP_*` variables over defaults."""
    environ = dict(os.environ) if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        raw: Any = flags.get(f.name)
        if raw is None:
            raw = environ.get(env_name(f.name))
            if raw is None and f.name == "redis_url":
                raw = environ.get("REDIS_URL")
            if raw is None and f.name == "port" and "PORT" in environ:
                raw = environ["PORT"]
        if raw is None:
            continue
        values[f.name] = _convert(f.name, raw)
    return Settings(**values)


def _convert(name: str, raw: Any) -> Any:
    default = getattr(Settings(), name)
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, tuple):
        if isinstance(raw, str):
            return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
        return tuple(raw)
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return str(raw)
