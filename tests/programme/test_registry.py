"""The registry of organisations: one id whatever language a name was picked or typed in."""

from __future__ import annotations

from server.organisations import Organisation, Registry

REGISTRY = Registry(
    [
        Organisation("sendai", {"en": "Sendai City", "ja": "仙台市", "mn": "Сендай хот"}, "sendai"),
        Organisation("ub", {"en": "Ulaanbaatar City", "ja": "ウランバートル市",
                            "mn": "Улаанбаатар хот"}, "ub"),
        Organisation("undrr-kobe", "UNDRR Kobe Office"),
    ]
)  # fmt: skip


def test_an_org_id_in_the_registry_is_taken() -> None:
    assert REGISTRY.resolve("ub", "") == "ub"


def test_a_typed_name_in_any_language_is_its_entry() -> None:
    assert REGISTRY.resolve(None, "仙台市") == "sendai"
    assert REGISTRY.resolve(None, "  sendai   city ") == "sendai"
    assert REGISTRY.resolve(None, "СЕНДАЙ ХОТ") == "sendai"
    assert REGISTRY.resolve(None, "ｳﾗﾝﾊﾞｰﾄﾙ市") == "ub"  # half-width katakana, NFKC
    assert REGISTRY.resolve(None, "undrr kobe office") == "undrr-kobe"


def test_other_organisations_and_unknown_ids_stay_outside() -> None:
    assert REGISTRY.resolve("nope", "Tohoku University") is None
    assert REGISTRY.resolve(None, "") is None
    assert not Registry([])


def test_names_in_the_readers_language() -> None:
    assert REGISTRY.name("ub", "mn") == "Улаанбаатар хот"
    assert REGISTRY.name("undrr-kobe", "ja") == "UNDRR Kobe Office"
    assert REGISTRY.name("gone", "en") == "gone"
