"""The room's memory of replies: bounded, and the same after a trip through a snapshot."""

from __future__ import annotations

import msgpack

from protocol.codes import ErrorCode
from server.live.outcomes import RecentOutcomes
from server.rooms.outcome import Outcome, accept, refuse


def test_remembers_only_the_last_seqs() -> None:
    memory = RecentOutcomes(limit=3)
    for seq in range(1, 6):
        memory.remember(seq, accept(votes=seq))
    assert len(memory) == 3
    assert memory.get(2) is None
    got = memory.get(5)
    assert got is not None and got.result == {"votes": 5}


def test_a_snapshot_round_trip_keeps_each_reply() -> None:
    memory = RecentOutcomes()
    memory.remember(7, accept(qid="q7", status="live"))
    memory.remember(8, refuse(ErrorCode.NOT_FOUND, "no such question"))
    blob = msgpack.packb(memory.dump(), use_bin_type=True)

    loaded = RecentOutcomes()
    loaded.load(msgpack.unpackb(blob, raw=False))
    assert loaded.get(7) == Outcome(result={"qid": "q7", "status": "live"})
    refused = loaded.get(8)
    assert refused is not None
    assert (refused.code, refused.msg) == (ErrorCode.NOT_FOUND, "no such question")


def test_loading_a_longer_dump_keeps_the_newest() -> None:
    memory = RecentOutcomes()
    for seq in range(1, 11):
        memory.remember(seq, accept())
    small = RecentOutcomes(limit=4)
    small.load(memory.dump())
    assert [seq for seq in range(1, 11) if small.get(seq) is not None] == [7, 8, 9, 10]


def test_a_snapshot_saved_before_the_replies_were_packed_still_loads() -> None:
    old = [[7, None, "", {"qid": "q7"}], [8, "not_found", "no such question", {}]]
    blob = msgpack.packb({"outcomes": old}, use_bin_type=True)
    loaded = RecentOutcomes()
    loaded.load(msgpack.unpackb(blob, raw=False)["outcomes"])
    assert loaded.get(7) == Outcome(result={"qid": "q7"})
    refused = loaded.get(8)
    assert refused is not None and refused.code == ErrorCode.NOT_FOUND


def test_a_reply_is_kept_as_it_was_when_remembered() -> None:
    memory = RecentOutcomes()
    result = {"votes": 1}
    memory.remember(3, accept(**result))
    memory.remember(3, accept(votes=2))  # the same seq again (a refold): one entry, the last
    loaded = RecentOutcomes()
    loaded.load(memory.dump())
    assert len(loaded) == 1 and loaded.get(3) == Outcome(result={"votes": 2})
