"""Applies a patch to a session document (pure; the compare-and-set write lives in `store`).

A patch is a JSON merge patch (RFC 7396, except that null sets the key to null: the schema's keys are fixed) plus
two operators whose effect must compose when a patch is re-applied on top of someone else's write:
    {"$append": {"dialogue": [entry, ...]}}   appended, then the list is capped (oldest dropped)
    {"$inc": {"counters.turns": 1}}           added to the current number
Appending and incrementing (instead of writing the whole list or the new count) is what makes "re-read and
re-apply" on a version conflict lose nothing.
"""

from __future__ import annotations

import copy

from agents.session.schema import DIALOGUE_CAP

LIST_CAPS = {"dialogue": DIALOGUE_CAP}


def apply_patch(document: dict, patch: dict) -> dict:
    """Returns a new document; neither argument is modified."""
    result = copy.deepcopy(document)
    for key, value in patch.items():
        if key == "$append":
            _append(result, value)
        elif key == "$inc":
            _increment(result, value)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def _merge(target, value):
    if not isinstance(value, dict) or not isinstance(target, dict):
        return copy.deepcopy(value)
    merged = dict(target)
    for key, item in value.items():
        merged[key] = _merge(target.get(key), item)
    return merged


def _walk(document: dict, path: str) -> tuple[dict, str]:
    *parents, leaf = path.split(".")
    node = document
    for part in parents:
        node = node.setdefault(part, {})
    return node, leaf


def _append(document: dict, appends: dict) -> None:
    for path, items in appends.items():
        node, leaf = _walk(document, path)
        merged = list(node.get(leaf) or []) + list(items)
        cap = LIST_CAPS.get(path)
        node[leaf] = merged[-cap:] if cap else merged


def _increment(document: dict, increments: dict) -> None:
    for path, amount in increments.items():
        node, leaf = _walk(document, path)
        node[leaf] = int(node.get(leaf) or 0) + int(amount)
