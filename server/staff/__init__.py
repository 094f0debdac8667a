"""Staff links (issue 15): invitations that give a role in one room or a whole event,
each with a key id that the event's staff book can list and revoke.

- `book`: the pure fold of the event's staff records (`staff.invited`, `staff.revoked`).
- `keys`: signing and reading the keys that invite links carry after `#`.
"""
