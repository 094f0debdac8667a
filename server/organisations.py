"""The event's registry of organisations (PROTOCOL.md "Additions", "Event file"): an id,
its name in the workshop's languages, and the city or body it belongs to.

People pick an organisation from the registry on the join form (`org_id`), or type one
("other"). A typed name that is one of a registry entry's names, in any language and
whatever its case or spacing, is that entry: "仙台市" and "Sendai City" are counted once,
under `sendai`, in presence, on the projector and in every transcript.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from protocol.lang_text import LangText, text_in

__all__ = ["ORG_ID", "Organisation", "Registry", "organisation_from_dict"]

ORG_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")  # a registry id: "sendai", "undrr-kobe"


@dataclass(frozen=True, slots=True)
class Organisation:
    org_id: str
    name: LangText
    city: str | None = None  # a grouping for the projector ("sendai"); None: its own

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.org_id, "name": self.name, "city": self.city}


def organisation_from_dict(d: Mapping[str, Any]) -> Organisation:
    """The inverse of `Organisation.to_dict` (stored catalogue entries)."""
    return Organisation(str(d["id"]), d["name"], d.get("city"))


def _fold(name: str) -> str:
    """A name as compared: NFKC, case-folded, spaces squeezed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class Registry:
    """Lookups over an event's organisations."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self.by_id = {org.org_id: org for org in organisations}
        self._by_name: dict[str, str] = {}
        for org in self.by_id.values():
            names = [org.name] if isinstance(org.name, str) else list(org.name.values())
            for name in [*names, org.org_id]:
                self._by_name.setdefault(_fold(name), org.org_id)

    def __bool__(self) -> bool:
        return bool(self.by_id)

    def resolve(self, org_id: str | None, org: str) -> str | None:
        """The registry id a join names: its `org_id` when the registry has it, else the
        entry whose name the typed `org` is; None for an organisation outside it."""
        if org_id and org_id in self.by_id:
            return org_id
        return self._by_name.get(_fold(org)) if org else None

    def name(self, org_id: str, lang: str | None) -> str:
        """An entry's name for a reader of `lang` (the id itself if unknown)."""
        org = self.by_id.get(org_id)
        return org_id if org is None else text_in(org.name, lang)
