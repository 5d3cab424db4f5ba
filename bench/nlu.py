"""NLU benchmark of the rule-based router on a labelled JSON-lines set (default: the shared dev set).

    .venv/bin/python bench/nlu.py [--data PATH] [--catalog PATH] [--strict] [--errors]

Prints intent accuracy per intent and per difficulty, and exact item match (product and quantity) over the order
lines; `--strict` exits 1 when intent accuracy < 90% or item match < 85%.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from agents.routing.catalog import Catalog  # noqa: E402
from agents.routing.rules import route_by_rules  # noqa: E402

INTENT_TARGET, ITEM_TARGET = 0.90, 0.85


def _args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "nlu" / "dev.jsonl")
    parser.add_argument("--catalog", type=Path, default=REPO.parent / "shared" / "nlu" / "catalog.dev.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 when below target")
    parser.add_argument("--errors", action="store_true", help="print every miss")
    return parser.parse_args(argv)


def _item_hits(expected: list[dict], got: list) -> int:
    remaining = [(item.product_code, float(item.quantity)) for item in got]
    hits = 0
    for line in expected:
        key = next((k for k in remaining if k[0] == line["product_code"] and abs(k[1] - line["quantity"]) < 1e-6), None)
        if key:
            remaining.remove(key)
            hits += 1
    return hits


def evaluate(rows: list[dict], catalog: Catalog, show_errors: bool = False) -> dict:
    per_intent = defaultdict(lambda: [0, 0])
    per_level = defaultdict(lambda: [0, 0])
    lines = defaultdict(lambda: [0, 0])
    for row in rows:
        decision = route_by_rules(row["text"], order_state=row.get("order_state"), catalog=catalog)
        ok = decision.intent == row["intent"]
        level = row.get("difficulty", "all")
        for bucket in (per_intent[row["intent"]], per_intent[(row["intent"], level)], per_level[level]):
            bucket[0] += ok
            bucket[1] += 1
        hits = _item_hits(row.get("items", []), decision.items)
        lines[level][0] += hits
        lines[level][1] += len(row.get("items", []))
        if show_errors and (not ok or hits < len(row.get("items", []))):
            got = [(i.product_code, i.quantity) for i in decision.items]
            print(f"MISS {row['text']!r} [{row.get('order_state')}] want {row['intent']} got {decision.intent} {got}")
    return {"intent": dict(per_intent), "level": dict(per_level), "lines": dict(lines)}


def _ratio(pair) -> str:
    return f"{pair[0]:>3}/{pair[1]:<3} {pair[0] / pair[1]:6.1%}" if pair[1] else "  -"


def _total(buckets: dict) -> list[int]:
    return [sum(b[0] for b in buckets.values()), sum(b[1] for b in buckets.values())]


def main(argv=None) -> int:
    args = _args(argv)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = evaluate(rows, Catalog.from_json(args.catalog), args.errors)
    levels = sorted(result["level"])
    print(f"{'intent':<16} {'all':>16}" + "".join(f" {level:>16}" for level in levels))
    for intent in sorted(key for key in result["intent"] if isinstance(key, str)):
        cells = "".join(f" {_ratio(result['intent'].get((intent, level), [0, 0])):>16}" for level in levels)
        print(f"{intent:<16} {_ratio(result['intent'][intent]):>16}{cells}")
    print(f"\n{'difficulty':<16} {'intent acc':>16} {'item match':>16}")
    for level in sorted(result["level"]):
        print(f"{level:<16} {_ratio(result['level'][level]):>16} {_ratio(result['lines'][level]):>16}")
    intent_total, line_total = _total(result["level"]), _total(result["lines"])
    intent_acc = intent_total[0] / intent_total[1]
    item_acc = line_total[0] / line_total[1] if line_total[1] else 1.0
    print(f"\nintent accuracy: {intent_acc:.1%} ({intent_total[0]}/{intent_total[1]}, target {INTENT_TARGET:.0%})")
    print(f"item exact match: {item_acc:.1%} ({line_total[0]}/{line_total[1]} order lines, target {ITEM_TARGET:.0%})")
    below = intent_acc < INTENT_TARGET or item_acc < ITEM_TARGET
    return 1 if args.strict and below else 0


if __name__ == "__main__":
    sys.exit(main())
