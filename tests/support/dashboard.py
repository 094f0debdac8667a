"""The expressions of examples/grafana/workshop-dashboard.json and
examples/prometheus/workshop-alerts.yml, and the metric names they use (issue 16, "Dashboard
and alerts" in docs/operations.md): read by tests/integration/test_dashboard_names.py (every
name must be in a real scrape) and by examples/check_prometheus.py (every expression must
evaluate on a real Prometheus)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML, with uvicorn[standard]
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "examples" / "grafana" / "workshop-dashboard.json"
PROMETHEUS = ROOT / "examples" / "prometheus"
RULES = PROMETHEUS / "workshop-alerts.yml"

NAME = re.compile(r"\b(?:workshop|process|python)_[a-z_]+\b")
BUCKET_LE = re.compile(r"\b([a-z_]+_bucket)\{[^}]*\ble=\"([^\"]+)\"")
# A name with one of these endings is a sample of the family without it, of these types.
SUFFIXES = (
    ("_bucket", frozenset({"histogram", "gaugehistogram"})),
    ("_count", frozenset({"histogram", "gaugehistogram", "summary"})),
    ("_sum", frozenset({"histogram", "gaugehistogram", "summary"})),
    ("_total", frozenset({"counter"})),
    ("_created", frozenset({"counter", "histogram", "summary"})),
)
BARE = frozenset({"gauge", "unknown", "untyped"})  # sampled under the family's own name


@dataclass(frozen=True)
class Expr:
    """One PromQL expression and where it comes from (a panel's title or an alert's name)."""

    where: str
    promql: str


def all_panels(panels: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def dashboard() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return found


def panel_exprs() -> list[Expr]:
    """Every panel target of the dashboard, as written (with `$instance`, `$__rate_interval`)."""
    return [
        Expr(f"panel {panel['title']!r} {target['refId']}", target["expr"])
        for panel in all_panels(dashboard()["panels"])
        for target in panel.get("targets", [])
    ]


def variable_queries() -> list[Expr]:
    """The dashboard's query variables: Grafana's `label_values(METRIC, LABEL)`."""
    return [
        Expr(f"variable {v['name']}", v["definition"])
        for v in dashboard()["templating"]["list"]
        if v["type"] == "query"
    ]


def rule_exprs() -> list[Expr]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [
        Expr(f"alert {rule['alert']}", str(rule["expr"]))
        for group in groups
        for rule in group["rules"]
    ]


def substitute(promql: str, rate_interval: str, whole_range: str) -> str:
    """A panel's expression as Grafana sends it: variables replaced (`$instance` by All)."""
    return (
        promql.replace("$__rate_interval", rate_interval)
        .replace("$__range", whole_range)
        .replace("$instance", ".+")
    )


def names(promql: str) -> set[str]:
    """The metric names an expression uses (`workshop_*`, `process_*`, `python_*`)."""
    return set(NAME.findall(promql))


def bucket_bounds(promql: str) -> set[tuple[str, str]]:
    """`(NAME_bucket, le)` pairs an expression selects a bucket by."""
    return set(BUCKET_LE.findall(promql))


@dataclass
class Scrape:
    """A scrape's families (name to type), sample names, and bucket bounds by sample name."""

    families: dict[str, str]
    samples: set[str]
    bounds: dict[str, set[str]]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        families: dict[str, str] = {}
        samples: set[str] = set()
        bounds: dict[str, set[str]] = {}
        for family in text_string_to_metric_families(text):
            families[family.name] = family.type
            for sample in family.samples:
                samples.add(sample.name)
                if "le" in sample.labels:
                    bounds.setdefault(sample.name, set()).add(sample.labels["le"])
        return cls(families, samples, bounds)

    def merge(self, other: Scrape) -> Scrape:
        bounds = {k: self.bounds.get(k, set()) | other.bounds.get(k, set())
                  for k in self.bounds.keys() | other.bounds.keys()}  # fmt: skip
        return Scrape({**self.families, **other.families}, self.samples | other.samples, bounds)

    def has(self, name: str) -> bool:
        """Whether Prometheus would have series named `name` from this endpoint: a sample of
        that name, or a family (perhaps without samples yet) that `name` is a sample of."""
        if name in self.samples:
            return True
        for suffix, types in SUFFIXES:
            if name.endswith(suffix) and self.families.get(name[: -len(suffix)]) in types:
                return True
        return self.families.get(name) in BARE


__all__ = [
    "DASHBOARD",
    "PROMETHEUS",
    "RULES",
    "Expr",
    "Scrape",
    "all_panels",
    "bucket_bounds",
    "dashboard",
    "names",
    "panel_exprs",
    "rule_exprs",
    "substitute",
    "variable_queries",
]
