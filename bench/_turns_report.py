"""The table of bench/turns.py: one row per measure with its target and MET / MISSED, then the details a missed
target is investigated with (latency per message, queries per task, the saturation sizing rows)."""

from __future__ import annotations

import os

from _harness import HOUSEKEEPING, percentile
from _turns_phases import GREETINGS, WINDOW

P50, P95 = 0.150, 0.400  # seconds
TURNS_PER_SECOND, STATEMENTS, TRANSACTIONS = 40.0, 25, 8
NONSTOP_SLACK = 0.5  # seconds past the window that the answer to a non-stop contact's last line may take


def report(results: list[dict]) -> bool:
    rows: list[tuple] = []
    for result in results:
        rows += ROWS[result["phase"]](result)
    rows += _best_saturation([r for r in results if r["phase"] == "saturation"])
    rows += _cluster_rows(results)
    _details(results)
    print(f"\n{'measure':70} {'measured':>30}  {'target':>10}")
    for label, value, target, met in rows:
        verdict = "" if met is None else "MET" if met else "MISSED"
        print(f"{label:70} {value!s:>30}  {target:>10}  {verdict}")
    judged = [met for *_, met in rows if met is not None]
    print(f"\n{sum(judged)}/{len(judged)} targets met")
    return bool(judged) and all(judged)


# --- latency -----------------------------------------------------------------------------------------------------
def _latency_rows(result: dict) -> list[tuple]:
    samples = [(text, latency) for log in result["logs"] for text, latency, _ in log.latencies]
    errors = [log.error for log in result["logs"] if log.error]
    values = [v for _, v in samples]
    p50, p95, p99 = (percentile(values, q) for q in (0.50, 0.95, 0.99))
    rows = [(f"latency [{result['size']}]: {len(values)} replies, errors", len(errors), "0", not errors),
            ("latency: reply p50, all messages", _ms(p50), f"<= {_ms(P50)}", p50 <= P50),
            ("latency: reply p95, all messages", _ms(p95), f"<= {_ms(P95)}", p95 <= P95),
            ("latency: reply p99, all messages", _ms(p99), "", None)]
    for label, part in (("bare greeting", [v for t, v in samples if t in GREETINGS]),
                        ("other messages", [v for t, v in samples if t not in GREETINGS])):
        rows.append((f"latency: {label} (n={len(part)}) p50 / p95 / p99",
                     " / ".join(_ms(percentile(part, q)).rstrip(" ms") for q in (0.5, 0.95, 0.99)) + " ms", "", None))
    per_turn = _per_turn(result, len(values))
    everything = result["db"]["transactions"] / (len(values) or 1)
    rows += [("statements per info turn (latency phase, all processes, less the sweeps)", f"{per_turn[0]:.1f}",
              f"<= {STATEMENTS}", per_turn[0] <= STATEMENTS),
             ("transactions per info turn (latency phase, pg_stat_database less the sweeps)", f"{per_turn[1]:.1f}",
              f"<= {TRANSACTIONS}", per_turn[1] <= TRANSACTIONS),
             ("transactions per info turn, the sweeps included", f"{everything:.1f}", "", None)]
    return rows


def _per_turn(result: dict, turns: int) -> tuple[float, float]:
    """What the turns cause: every process's statements, and pg_stat_database's transactions, less those of the
    sweeps that run on a clock whether anyone writes or not (counted apart, shown in the details)."""
    turns = turns or 1
    queries = result["queries"]
    statements = sum(v for k, v in queries.items() if ":" not in k)
    return ((statements - _housekeeping(queries, "")) / turns,
            (result["db"]["transactions"] - _housekeeping(queries, ":transactions")) / turns)


def _housekeeping(queries: dict, suffix: str) -> int:
    """Statements (suffix "") or transactions (":transactions") of the sweeps."""
    return sum(v for k, v in queries.items() if k.startswith(HOUSEKEEPING) and k.partition(":")[2] == suffix[1:])


# --- bursts ------------------------------------------------------------------------------------------------------
def _burst_rows(result: dict) -> list[tuple]:
    bursts, streams = result["bursts"], result["nonstop"]
    once = [b for b in bursts if b["replies"] == 1 and b["turns"] == 1 and not b["error"]]
    latencies = [b["latency"] for b in bursts if b["latency"] is not None]
    rows = [(f"burst: 3 lines {300} ms apart answered by exactly one turn", f"{len(once)}/{len(bursts)}",
             "all", len(once) == len(bursts)),
            ("burst: answer after the last line, p50 / max", f"{_ms(percentile(latencies, 0.5))} / "
             f"{_ms(max(latencies, default=float('nan')))}", "", None)]
    for kind in dict.fromkeys(s["kind"] for s in streams):
        mine = [s for s in streams if s["kind"] == kind]
        ok = [s for s in mine if _stream_answered(s)]
        after = "/".join(_ms(s["after_last"]) if s["after_last"] is not None else "none" for s in mine)
        first = "/".join(_ms(s["first"]) if s["first"] is not None else "none" for s in mine)
        rows += [(f"non-stop ({kind}): every line answered once, the last within {WINDOW:.1f}+{NONSTOP_SLACK} s",
                  f"{len(ok)}/{len(mine)}", "all", len(ok) == len(mine)),
                 (f"non-stop ({kind}): lines / replies / first reply after the first line",
                  f"{mine[0]['messages']} / {'/'.join(str(s['replies']) for s in mine)} / {first}", "", None),
                 (f"non-stop ({kind}): answer after the last line", after, "", None)]
    return rows


def _stream_answered(stream: dict) -> bool:
    cov = stream["coverage"]
    return (not stream["error"] and cov.get("messages") == stream["messages"] and cov.get("unanswered") == 0
            and cov.get("answered_twice") == 0 and stream["after_last"] is not None
            and stream["after_last"] <= WINDOW + NONSTOP_SLACK)


# --- saturation and clusters -------------------------------------------------------------------------------------
def throughput(result: dict) -> tuple[float, float]:
    """(turns/s over the whole phase, turns/s of its slowest 10 s slice): answers that landed before its end."""
    started, stop_at = result["started"], result["stop_at"]
    times = [at for log in result["logs"] for _, _, at in log.latencies if at <= stop_at]
    slices = [sum(started + 10 * k <= t < started + 10 * (k + 1) for t in times) / 10
              for k in range(int((stop_at - started) // 10))]
    return len(times) / (stop_at - started), min(slices, default=0.0)


def _saturation_rows(result: dict) -> list[tuple]:
    rate, slowest = throughput(result)
    order, cov = result["order"], result["coverage"]
    values = [latency for log in result["logs"] for _, latency, _ in log.latencies]
    statements, transactions = _per_turn(result, len(values))
    label = f"{result['phase']} [{result['size']}]"
    return [(f"{label}: turns/s (slowest 10 s)", f"{rate:.1f} ({slowest:.1f})", "", None),
            (f"{label}: reply p50 / p95", f"{_ms(percentile(values, 0.5))} / {_ms(percentile(values, 0.95))}", "",
             None),
            (f"{label}: messages / missing / duplicated / out of order", f"{order.messages} / {order.missing} / "
             f"{order.duplicated} / {order.out_of_order}", "", None),
            (f"{label}: our DB: unanswered / answered by two turns", f"{cov['unanswered']} / {cov['answered_twice']}",
             "", None),
            (f"{label}: statements / transactions per turn", f"{statements:.1f} / {transactions:.1f}", "", None),
            *_cpu_rows(result, label, len(values))]


def _cpu_rows(result: dict, label: str, turns: int) -> list[tuple]:
    """CPU per turn, all processes: steadier than turns/s on a shared machine, and what sizing divides by."""
    if "cpu" not in result or not turns:
        return []
    total = sum(result["cpu"].values()) / turns * 1000
    cores = os.cpu_count() or 1
    return [(f"{label}: CPU per turn, all processes (turns/s it allows on {cores} cores)",
             f"{total:.1f} ms ({cores * 1000 / total:.0f})", "", None)]


def _best_saturation(results: list[dict]) -> list[tuple]:
    if not results:
        return []
    best = max(results, key=lambda r: throughput(r)[0])
    rate = throughput(best)[0]
    missing = best["order"].missing + best["coverage"]["unanswered"]
    return [(f"saturation: turns/s sustained, best size ({best['size']})", f"{rate:.1f}",
             f">= {TURNS_PER_SECOND:.0f}", rate >= TURNS_PER_SECOND),
            ("saturation: replies missing at the end (best size)", missing, "0", missing == 0),
            ("saturation: every conversation answered once, in order (best size)",
             "yes" if best["order"].ok and not best["coverage"]["answered_twice"] else "no", "yes",
             best["order"].ok and not best["coverage"]["answered_twice"])]


def _cluster_rows(results: list[dict]) -> list[tuple]:
    two = next((r for r in results if r["phase"] == "clusters"), None)
    if two is None:
        return []
    size = two["size"].replace("q 2x", "q 1x")
    one = next((r for r in results if r["phase"] == "saturation" and r["size"] == size), None)
    ok = two["order"].ok and not two["coverage"]["answered_twice"] and not two["coverage"]["unanswered"]
    ratio = f"{throughput(two)[0] / throughput(one)[0]:.2f}x" if one and throughput(one)[0] else "n/a"
    return [("two clusters: every conversation answered once, in order", "yes" if ok else "no", "yes", ok),
            ("two clusters vs one: turns/s", f"{throughput(two)[0]:.1f} vs "
             f"{throughput(one)[0] if one else float('nan'):.1f} ({ratio})", "", None)]


ROWS = {"latency": _latency_rows, "burst": _burst_rows, "saturation": _saturation_rows, "clusters": _saturation_rows}


# --- details -------------------------------------------------------------------------------------------------------
def _details(results: list[dict]) -> None:
    for result in results:
        if "queries" in result:
            _queries(result)
        for log in result.get("logs", []):
            if log.error:
                print(f"  {result['phase']} error: {log.error}")
        for note in getattr(result.get("order"), "notes", []):
            print(f"  {result['phase']} order: {note}")


def _queries(result: dict) -> None:
    samples = [(text, latency) for log in result["logs"] for text, latency, _ in log.latencies]
    turns = len(samples) or 1
    db = result["db"]
    print(f"\n{result['phase']} [{result['size']}]: {len(samples)} turns in {result['elapsed']:.1f} s; per turn "
          f"{db['transactions'] / turns:.1f} transactions, {db['inserted'] / turns:.1f} rows inserted, "
          f"{db['updated'] / turns:.1f} updated, {db['deleted'] / turns:.1f} deleted (pg_stat_database)")
    if result["phase"] == "latency":
        by_text: dict[str, list[float]] = {}
        for text, latency in samples:
            by_text.setdefault(text, []).append(latency)
        for text, values in by_text.items():
            print(f"    {text!r:34} n={len(values):3}  p50 {percentile(values, 0.5) * 1000:5.0f} ms"
                  f"  p95 {percentile(values, 0.95) * 1000:5.0f} ms  max {max(values) * 1000:5.0f} ms")
    queries = result["queries"]
    print(f"    {'task (web: a webhook request)':60} {'runs/turn':>9}  {'statements/run':>14}  {'/turn':>5}"
          f"  {'transactions/run':>16}  {'/turn':>5}")
    for label in sorted(k for k in queries if ":" not in k):
        runs = queries.get(f"{label}:runs", 0) or 1
        transactions = queries.get(f"{label}:transactions", 0)
        print(f"    {label:60} {runs / turns:9.2f}  {queries[label] / runs:14.1f}  {queries[label] / turns:5.1f}"
              f"  {transactions / runs:16.1f}  {transactions / turns:5.1f}")
    if result.get("cpu"):
        parts = ", ".join(f"{name} {seconds / turns * 1000:.1f}" for name, seconds in
                          sorted(result["cpu"].items(), key=lambda item: -item[1]))
        print(f"    CPU ms per turn: {parts}")
    counted = sum(v for k, v in queries.items() if k.endswith(":transactions"))
    # Django's health-check "SELECT 1" runs on the raw connection (no execute wrapper), as do django-q2's scheduler
    # and PostgreSQL's autovacuum: each an autocommit transaction that pg_stat_database counts.
    print(f"    transactions the counter does not see (health checks, scheduler, autovacuum): "
          f"{(db['transactions'] - counted) / turns:.1f}/turn")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
