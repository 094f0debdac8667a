"""An interpreter in the room (issue 14), on a real server: a question asked in Japanese is
translated into Mongolian on another connection and a Mongolian participant sees it live;
a participant cannot translate; a rejoin's snapshot carries the translation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from client.errors import CommandError
from client.room_client import RoomClient
from tests.conftest import Workshop

from .helpers import WAIT, snapshot_state

Frame = dict[str, Any]


async def next_event(client: RoomClient, match: Callable[[Frame], bool]) -> Frame:
    async with asyncio.timeout(WAIT):
        while True:
            frame = await client.events().get()
            if match(frame):
                return frame

ROOM = "SUB-PLAN"


async def test_a_japanese_question_translated_into_mongolian_reaches_ulaanbaatar_live(
    workshop: Workshop,
) -> None:
    url = workshop.server.ws_url
    aiko = RoomClient(url, ROOM, name="Aiko", org="Sendai City", lang="ja")
    bat = RoomClient(url, ROOM, name="Bat", org="Ulaanbaatar City", lang="mn")
    interpreter = RoomClient(
        url, ROOM, name="Interpreter", org="UNDRR", key=workshop.links["interpreter_key"]
    )
    try:
        for c in (aiko, bat, interpreter):
            await c.connect()
        assert interpreter.me is not None and "interpreter" in interpreter.me["roles"]
        asked = await aiko.command("ask", text="避難所の基準は何ですか？", lang="ja", anon=False)
        qid = asked["qid"]
        await interpreter.command(
            "translate", qid=qid, field="text", lang="mn", text="Хоргодох байрны шалгуур юу вэ?"
        )
        frame = await next_event(
            bat, lambda f: f.get("t") == "ev" and f.get("type") == "question.translated"
        )
        assert frame["data"] == {
            "qid": qid, "field": "text", "lang": "mn",
            "text": "Хоргодох байрны шалгуур юу вэ?", "by": "interpreter",
        }  # fmt: skip
        with pytest.raises(CommandError) as refused:
            await bat.command("translate", qid=qid, field="text", lang="en", text="Criteria?")
        assert refused.value.code == "forbidden"
    finally:
        for c in (aiko, bat, interpreter):
            await c.close()

    late = RoomClient(url, ROOM, name="Oyun", org="Ulaanbaatar City", lang="mn")
    try:
        await late.connect()
        state = await snapshot_state(late)
        q = next(q for q in state["questions"] if q["qid"] == qid)
        assert q["translations"] == {"text": {"mn": "Хоргодох байрны шалгуур юу вэ?"}}
        assert q["lang"] == "ja"
    finally:
        await late.close()
