"""Backends: where each room's log is ordered, kept and tailed (DESIGN.md §3).

`base` is the interface, split by concern (`RoomLog`, `PresenceBoard`, `Catalogue`,
and `Backend`, the three with a lifecycle), and its guarantees; `embedded` is the
one-process SQLite implementation, `redis` the many-process one, `select` chooses
between them from the settings. Import from those modules: this package re-exports
nothing, so `redis` stays an optional import for the embedded default.
"""
