"""The registry of organisations in transcripts (issue 14): attendance counts one registry
organisation once, whether its people picked it (`org_id`) or typed one of its names in
any language (old records, from before the registry, carry only the text), and every
report names it, in attendance and beside a question's author, in the report's language.
Free text stays as typed."""

from __future__ import annotations

import dataclasses
from typing import Any

from server.backends.embedded import EmbeddedBackend
from server.organisations import Organisation

from .conftest import export
from .support import EVENT, MOD, ROOM, person

REGISTRY = (
    Organisation("sendai", {"en": "Sendai City", "ja": "仙台市", "mn": "Сендай хот"}, "sendai"),
    Organisation(
        "ub", {"en": "Ulaanbaatar City", "ja": "ウランバートル市", "mn": "Улаанбаатар хот"}
    ),
)


def picked(pid: str, name: str, org: str, org_id: str) -> dict[str, Any]:
    return {**person(pid, name, org), "org_id": org_id}


ASKERS = [
    person("a000000000000001", "Aiko", "仙台市"),  # typed, before the registry
    person("a000000000000002", "Ben", "sendai  CITY"),  # typed, another language and case
    picked("a000000000000003", "Bold", "Сендай хот", "sendai"),  # picked, in Mongolian
    picked("a000000000000004", "Oyun", "Улаанбаатар хот", "ub"),
    person("a000000000000005", "Sara", "Tohoku University"),  # free text
]


async def _session(backend: EmbeddedBackend) -> None:
    await backend.create_event(dataclasses.replace(EVENT, organisations=REGISTRY))
    for i, actor in enumerate(ASKERS):
        data = {"text": f"Question {i} from {actor['name']}", "lang": "en", "anon": False}
        await backend.append(ROOM, "ask", data, actor, f"reg-{i}")
    await backend.append(ROOM, "settings", {"premoderation": False}, MOD, "reg-mod")


async def test_attendance_counts_each_registry_organisation_once(backend: EmbeddedBackend) -> None:
    await _session(backend)
    ja = (await export(backend, "md", "ja")).decode()
    assert "| 仙台市 | 3 |" in ja, ja
    assert "| ウランバートル市 | 1 |" in ja
    assert "| Tohoku University | 1 |" in ja
    assert "sendai  CITY" not in ja and "| Сендай хот" not in ja
    mn = (await export(backend, "md", "mn")).decode()
    assert "| Сендай хот | 3 |" in mn and "| Улаанбаатар хот | 1 |" in mn
    html = (await export(backend, "html", "en")).decode()
    assert "Sendai City" in html and "仙台市" not in html


async def test_a_question_s_author_organisation_is_in_the_report_s_language(
    backend: EmbeddedBackend,
) -> None:
    await _session(backend)
    en = (await export(backend, "md", "en")).decode()
    for name in ("Aiko", "Ben", "Bold"):
        assert f"{name} (Sendai City)" in en, en
    assert "Oyun (Ulaanbaatar City)" in en
    assert "Sara (Tohoku University)" in en
    ja = (await export(backend, "md", "ja")).decode()
    assert "Ben (仙台市)" in ja and "Oyun (ウランバートル市)" in ja
    assert "Ben (仙台市) が質問" in ja  # the timeline too
    assert "Ben (Sendai City)" not in ja and "sendai  CITY" not in ja
