"""Counting what a turn costs the database, in this process (webhooks, tasks run inline, sends, echoes)."""

from __future__ import annotations

from collections import Counter

from django.db import connection


class StatementBudget:
    """Statements executed on the default connection, and the transactions they ran in: a statement outside any
    atomic block is a transaction of its own (autocommit); all statements of one outermost atomic block are one."""

    def __init__(self):
        self.statements = 0
        self.autocommit = 0
        self.blocks: set[int] = set()
        self.kinds: Counter = Counter()
        self.log: list[str] = []

    @property
    def transactions(self) -> int:
        return self.autocommit + len(self.blocks)

    def __enter__(self) -> "StatementBudget":
        connection.execute_wrappers.append(self)
        return self

    def __exit__(self, *exc) -> None:
        connection.execute_wrappers.remove(self)

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        self.kinds[sql.split(None, 1)[0].upper()] += 1
        self.log.append(("in tx " if connection.in_atomic_block else "auto  ") + sql[:140])
        if connection.in_atomic_block:
            self.blocks.add(id(connection.atomic_blocks[0]))
        else:
            self.autocommit += 1
        return execute(sql, params, many, context)
