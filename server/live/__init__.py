"""The middle floor: a connection's path to its room and back.

    endpoint    the /ws ASGI app: handshake checks, then one Connection per socket
    connection  one participant's connection: identity, limits, admission of commands
    outbound    one socket's send side: direct writes, bounded queue, stall clock, close
    wire        the adapter onto uvicorn's transport (the one place that knows its insides)
    actor       who is in a room and who sent a command (a person, or a poll's timer)
    room        a room hot on this process: submit a command, welcome a member, fan out
    signals     side frames that follow from a room: queue counts, poll results
    presence    who is here on every process: posts, pushed hints, reads, coalesced frames
    poll_timers the server closes a timed poll when its time is up
    hub         the rooms hot on this process, loaded on first use, unloaded when idle
"""
