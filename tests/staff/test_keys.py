"""Staff keys (issue 15): scope, kid, revoked, rotated, forged, and first-round keys."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from server.identity import Identity
from server.staff.book import KID, StaffBook
from server.staff.keys import Grant, StaffKeys, founding_invitations, new_kid

SECRET = b"s" * 32
OTHER = b"o" * 32


def invited(kid: str, role: str, room: str | None, label: str = "Chair - Sendai") -> tuple:
    return ("staff.invited", {"kid": kid, "role": role, "room": room, "label": label}, 100.0)


def book_of(*records: tuple) -> StaffBook:
    return StaffBook().replay(records)


def roles(keys: StaffKeys, book: StaffBook, key: str, event: str, room: str) -> list[str]:
    """What a join with `key` gets in `room` of `event` (the check the server makes)."""
    grant = keys.read(key)
    if grant is None or grant.event_id != event:
        return []
    return book.room_roles(grant.kid, grant.role, grant.room, room)


def test_a_key_carries_its_kid_event_role_and_scope() -> None:
    keys = StaffKeys(SECRET)
    key = keys.sign("k1", "mcr2030", "moderator", "SUB-PLAN")
    assert keys.read(key) == Grant("k1", "mcr2030", "moderator", "SUB-PLAN")
    assert keys.read(keys.sign("k2", "mcr2030", "rapporteur", None)) == Grant(
        "k2", "mcr2030", "rapporteur", None
    )


def test_a_room_scoped_moderator_moderates_that_room_only() -> None:
    keys = StaffKeys(SECRET)
    book = book_of(invited("k1", "moderator", "SUB-PLAN"))
    key = keys.sign("k1", "mcr2030", "moderator", "SUB-PLAN")
    assert roles(keys, book, key, "mcr2030", "SUB-PLAN") == ["moderator", "rapporteur"]
    assert roles(keys, book, key, "mcr2030", "SUB-WARN") == []
    assert roles(keys, book, key, "another-event", "SUB-PLAN") == []


def test_an_event_wide_link_opens_every_room_of_its_event() -> None:
    keys = StaffKeys(SECRET)
    book = book_of(invited("k1", "interpreter", None))
    key = keys.sign("k1", "mcr2030", "interpreter", None)
    for room in ("SUB-PLAN", "SUB-WARN", "DISCUSS"):
        assert roles(keys, book, key, "mcr2030", room) == ["interpreter"]


def test_an_organiser_runs_every_room_and_is_never_room_scoped() -> None:
    book = book_of(invited("org", "organiser", None), invited("bad", "organiser", "SUB-PLAN"))
    assert book.room_roles("org", "organiser", None, "DISCUSS") == [
        "organiser",
        "moderator",
        "rapporteur",
    ]
    assert "bad" not in book.links


def test_a_revoked_link_gives_nothing_and_others_keep_working() -> None:
    keys = StaffKeys(SECRET)
    book = book_of(invited("k1", "moderator", None), invited("k2", "moderator", None))
    first, second = (keys.sign(k, "mcr2030", "moderator", None) for k in ("k1", "k2"))
    assert book.apply("staff.revoked", {"kid": "k1"}, 200.0) is not None
    assert roles(keys, book, first, "mcr2030", "SUB-PLAN") == []
    assert roles(keys, book, second, "mcr2030", "SUB-PLAN") == ["moderator", "rapporteur"]
    assert book.links["k1"].revoked == 200.0
    assert [link.kid for link in book.active()] == ["k2"]


def test_revoking_twice_or_an_unknown_kid_changes_nothing() -> None:
    book = book_of(invited("k1", "rapporteur", None))
    assert book.apply("staff.revoked", {"kid": "k1"}, 200.0) is not None
    assert book.apply("staff.revoked", {"kid": "k1"}, 300.0) is None
    assert book.links["k1"].revoked == 200.0
    assert book.apply("staff.revoked", {"kid": "nobody"}, 300.0) is None
    assert book.apply("staff.revoked", {"kid": 7}, 300.0) is None


def test_a_kid_is_invited_once() -> None:
    book = book_of(
        invited("k1", "rapporteur", None, "Rapporteur UNDRR"), invited("k1", "moderator", None)
    )
    assert book.links["k1"].role == "rapporteur"
    assert book.links["k1"].label == "Rapporteur UNDRR"


def test_a_key_not_matching_its_invitation_gives_nothing() -> None:
    """A signed key whose role or scope is not the book's for that kid (a link re-made
    under a kid, or a book from elsewhere) is refused: the book is the authority."""
    keys = StaffKeys(SECRET)
    book = book_of(invited("k1", "rapporteur", "SUB-PLAN"))
    assert (
        roles(
            keys, book, keys.sign("k1", "mcr2030", "moderator", "SUB-PLAN"), "mcr2030", "SUB-PLAN"
        )
        == []
    )
    assert (
        roles(keys, book, keys.sign("k1", "mcr2030", "rapporteur", None), "mcr2030", "SUB-PLAN")
        == []
    )
    assert (
        roles(
            keys, book, keys.sign("k9", "mcr2030", "rapporteur", "SUB-PLAN"), "mcr2030", "SUB-PLAN"
        )
        == []
    )


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "x" * 10_000,
        "not.a.key",
        URLSafeSerializer(OTHER, salt="workshop.staff").dumps(["k1", "mcr2030", "moderator", None]),
        URLSafeSerializer(SECRET, salt="workshop.identity").dumps(
            ["k1", "mcr2030", "moderator", None]
        ),
        URLSafeSerializer(SECRET, salt="workshop.staff").dumps(["k1", "mcr2030", "admin", None]),
        URLSafeSerializer(SECRET, salt="workshop.staff").dumps(["k1", "mcr2030", "moderator"]),
        URLSafeSerializer(SECRET, salt="workshop.staff").dumps({"kid": "k1"}),
        URLSafeSerializer(SECRET, salt="workshop.staff").dumps(["k1", "mcr2030", "moderator", 5]),
    ],
)
def test_forged_or_malformed_keys_are_refused(forged: str) -> None:
    assert StaffKeys(SECRET).read(forged) is None


def test_a_participant_token_is_not_a_key_and_a_key_is_not_a_token() -> None:
    identity = Identity(SECRET)
    keys = StaffKeys(SECRET)
    token = identity.issue_token("p1")
    assert keys.read(token) is None
    assert identity.read_token(keys.sign("k1", "mcr2030", "moderator", None)) is None


def test_rotation_reads_keys_of_the_retired_secret_and_signs_with_the_new() -> None:
    old_keys, new_keys = StaffKeys(OTHER), StaffKeys(SECRET, retired=[OTHER])
    old_key = old_keys.sign("k1", "mcr2030", "moderator", None)
    assert new_keys.read(old_key) == Grant("k1", "mcr2030", "moderator", None)
    fresh = new_keys.sign("k1", "mcr2030", "moderator", None)
    assert StaffKeys(SECRET).read(fresh) is not None  # after the window: still good
    assert StaffKeys(SECRET).read(old_key) is None  # the window closed: the old key is not


def test_rotation_keeps_participants_identities_through_the_window() -> None:
    token = Identity(OTHER).issue_token("p1")
    assert Identity(SECRET, retired=[OTHER]).read_token(token) == "p1"
    assert Identity(SECRET).read_token(token) is None


def test_first_round_keys_read_as_revocable_event_wide_invitations() -> None:
    keys = StaffKeys(SECRET)
    book = StaffBook().replay((t, d, 1.0) for t, d in founding_invitations())
    first_round = URLSafeSerializer(SECRET, salt="workshop.role")
    old = first_round.dumps(["mcr2030", "moderator"])
    assert keys.read(old) == Grant("event-moderator", "mcr2030", "moderator", None)
    assert roles(keys, book, old, "mcr2030", "SUB-PLAN") == ["moderator", "rapporteur"]
    book.apply("staff.revoked", {"kid": "event-moderator"}, 2.0)
    assert roles(keys, book, old, "mcr2030", "SUB-PLAN") == []
    rapporteur = first_round.dumps(["mcr2030", "rapporteur"])
    assert roles(keys, book, rapporteur, "mcr2030", "SUB-PLAN") == ["rapporteur"]
    founding = keys.founding_key("mcr2030", "moderator")  # what `workshop links` prints now
    assert keys.read(founding) == Grant("event-moderator", "mcr2030", "moderator", None)
    assert founding == keys.founding_key("mcr2030", "moderator")  # the same each time
    assert roles(keys, book, founding, "mcr2030", "SUB-PLAN") == []  # revoked with the old


def test_new_kids_are_distinct_and_valid() -> None:
    kids = {new_kid() for _ in range(1000)}
    assert len(kids) == 1000
    keys = StaffKeys(SECRET)
    for kid in list(kids)[:20]:
        assert keys.read(keys.sign(kid, "e", "rapporteur", None)) is not None


@pytest.mark.parametrize(
    "data",
    [
        {"kid": "", "role": "moderator", "room": None, "label": ""},
        {"kid": "a b", "role": "moderator", "room": None, "label": ""},
        {"kid": "k", "role": "participant", "room": None, "label": ""},
        {"kid": "k", "role": "moderator", "room": 5, "label": ""},
        {"kid": "k", "role": "moderator", "room": None, "label": "x" * 81},
        {"kid": "k", "role": "moderator", "room": None},
        {},
    ],
)
def test_invalid_invitations_are_not_folded(data: dict) -> None:
    assert StaffBook().apply("staff.invited", data, 1.0) is None


def test_a_new_kid_never_reads_as_a_command_line_option() -> None:
    kids = [new_kid() for _ in range(2000)]  # about 60 would start with '-' if left to chance
    assert all(kid[0].isalnum() and KID.fullmatch(kid) for kid in kids)
    assert len(set(kids)) == len(kids)
