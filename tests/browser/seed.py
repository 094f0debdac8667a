"""A busy room for the console's browser tests: questions from several people in three
languages and organisations, and polls, sent by real protocol clients (client/room_client.py)
over the real server, so the browser sees what an 80-person session would send it."""

from __future__ import annotations

import asyncio
from typing import Any

from client.room_client import RoomClient
from tests.browser.support import ROOM, run_in_own_loop
from tests.conftest import Workshop

PEOPLE = [
    ("Aiko Sato", "Sendai City", "ja"),
    ("Bat-Erdene", "Ulaanbaatar City", "mn"),
    ("Maria Lopez", "UNDRR", "en"),
    ("Kenji Ito", "Tohoku University", "ja"),
    ("Saraa D.", "NEMA Mongolia", "mn"),
    ("Tom Hill", "UNDRR", "en"),
]
TEXTS = {
    "en": "How do you keep the evacuation list current, item {i}?",
    "ja": "避難所の運営で一番難しかったことは何ですか（{i}）？",
    "mn": "Гамшгийн үед сургуулиудыг хэрхэн бэлтгэдэг вэ? ({i})",
}


async def _seed(workshop: Workshop, questions: int, polls: int, review: bool) -> None:
    url = workshop.server.ws_url
    people = [RoomClient(url, ROOM, name=n, org=o, lang=lang) for n, o, lang in PEOPLE]
    chair = RoomClient(url, ROOM, name="Seeder", org="UNDRR", key=workshop.moderator_key)
    try:
        await asyncio.gather(chair.connect(), *(p.connect() for p in people))
        if review:
            await chair.settings(premoderation=True)
        for i in range(polls):
            made = await chair.poll_create(
                f"Poll {i + 1}: which channel works best?", "single", ["Sirens", "Phones", "Radio"]
            )
            if i % 2 == 0:
                await chair.poll_open(made["poll_id"])
        for i in range(questions):
            person = people[i % len(people)]
            asked = await person.ask(TEXTS[person.lang].format(i=i + 1), lang=person.lang)
            if review and i % 3 == 2:  # a third approved, so Live has questions too
                await chair.moderate(asked["qid"], "approve")
    finally:
        await asyncio.gather(chair.close(), *(p.close() for p in people), return_exceptions=True)


def seed(workshop: Workshop, questions: int = 30, polls: int = 6, review: bool = True) -> None:
    """Asks `questions` and creates `polls` (every other one open) in ROOM; with `review`,
    premoderation is on and every third question is approved. Runs its own
    event loop in a thread: the sync Playwright API owns this thread's loop."""
    run_in_own_loop(_seed(workshop, questions, polls, review), "seeding the room", 120)


def settings(workshop: Workshop, **fields: Any) -> None:
    """Changes ROOM's settings as a moderator (e.g. premoderation=True)."""

    async def change() -> None:
        async with RoomClient(
            workshop.server.ws_url, ROOM, name="Seeder", key=workshop.moderator_key
        ) as chair:
            await chair.settings(**fields)

    run_in_own_loop(change(), "changing the settings")
