import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "nlu.py"


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("bench_nlu", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def files(tmp_path):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps([
        {"default_code": "LEN-KG", "name": "Lenteja castellana", "uom": "kg", "price": 1990, "purchase_ok": True},
    ]))
    return tmp_path, catalog


def _data(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    return path


def test_strict_passes_when_targets_are_met_and_prints_the_table(bench, files, capsys):
    tmp, catalog = files
    data = _data(tmp / "ok.jsonl", [
        {"text": "hola", "order_state": None, "intent": "greeting", "items": [], "difficulty": "easy"},
        {"text": "quiero 3 kilos de lentejas", "order_state": None, "intent": "order_create",
         "items": [{"product_code": "LEN-KG", "quantity": 3, "uom": "kg"}], "difficulty": "hard"},
    ])
    assert bench.main(["--data", str(data), "--catalog", str(catalog), "--strict"]) == 0
    out = capsys.readouterr().out
    assert "greeting" in out and "order_create" in out and "easy" in out and "hard" in out
    assert "intent accuracy: 100.0%" in out and "item exact match: 100.0% (1/1" in out


def test_strict_fails_below_target(bench, files, capsys):
    tmp, catalog = files
    data = _data(tmp / "bad.jsonl", [
        {"text": "hola", "order_state": None, "intent": "complaint", "items": [], "difficulty": "easy"},
    ])
    assert bench.main(["--data", str(data), "--catalog", str(catalog), "--strict"]) == 1
    assert bench.main(["--data", str(data), "--catalog", str(catalog)]) == 0  # without --strict it only reports
    assert "intent accuracy: 0.0%" in capsys.readouterr().out


def test_standard_sets_side_by_side_and_a_missing_heldout_is_a_note(bench, files, capsys, monkeypatch):
    tmp, catalog = files
    shared = tmp / "shared"
    shared.mkdir()
    _data(shared / "dev.jsonl", [{"text": "hola", "order_state": None, "intent": "greeting", "items": []}])
    _data(shared / "dev2.jsonl", [
        {"text": "¿a qué hora cierran? y anótame 3 kilos de lentejas", "order_state": None, "intent": "order_create",
         "items": [{"product_code": "LEN-KG", "quantity": 3, "uom": "kg"}],
         "secondary": [{"lane": "info", "intent": "faq", "items": []}], "difficulty": "hard"},
        {"text": "hola", "order_state": None, "intent": "complaint", "items": [], "difficulty": "easy"},
    ])
    monkeypatch.setenv("NLU_SHARED_DIR", str(shared))
    assert bench.main(["--catalog", str(catalog), "--heldout", str(tmp / "absent.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "note: heldout set not found" in out
    header = next(line for line in out.splitlines() if "dev2" in line and "val" in line)
    names = header.split()
    assert names[:5] == ["dev", "dev2", "val", "val2-odd", "val2-even"] and "heldout" not in names
    assert "[dev2] intent accuracy: 50.0% (1/2" in out and "[dev2] item exact match: 100.0% (1/1" in out
    secondary = next(line for line in out.splitlines() if line.startswith("secondary intents"))
    assert "1/1" in secondary
    false_secondaries = next(line for line in out.splitlines() if line.startswith("false secondaries"))
    assert false_secondaries.split()[2:6] == ["0/1", "0.0%", "0/1", "0.0%"]  # dev's and dev2's single requests
    misses = next(line for line in out.splitlines() if line.startswith("misses conf <"))
    # dev has no miss; dev2's one miss ("hola" labelled a complaint) is a confident greeting, so it is not flagged
    assert misses.split()[4:7] == ["-", "0/1", "0.0%"]


def test_threads_option_keeps_one_half_of_the_threads(bench, files, capsys):
    tmp, catalog = files
    data = _data(tmp / "threads.jsonl", [
        {"text": "hola", "order_state": None, "intent": "greeting", "items": [], "thread": "t01"},
        {"text": "hola", "order_state": None, "intent": "complaint", "items": [], "thread": "t02"},
        {"text": "hola", "order_state": None, "intent": "greeting", "items": [], "thread": "t03"},
    ])
    bench.main(["--data", str(data), "--catalog", str(catalog), "--threads", "odd"])
    assert "[threads-odd] intent accuracy: 100.0% (2/2" in capsys.readouterr().out
    bench.main(["--data", str(data), "--catalog", str(catalog), "--threads", "even"])
    assert "[threads-even] intent accuracy: 0.0% (0/1" in capsys.readouterr().out


def test_errors_are_printed_for_analysis_sets_but_never_for_a_held_out_set(bench, files, capsys, monkeypatch):
    tmp, catalog = files
    shared = tmp / "shared"
    shared.mkdir()
    _data(shared / "dev.jsonl", [{"text": "hola buenas", "order_state": None, "intent": "complaint", "items": []}])
    _data(shared / "dev2.jsonl", [{"text": "hola", "order_state": None, "intent": "greeting", "items": []}])
    heldout = _data(tmp / "heldout.jsonl", [
        {"text": "buenas buenas", "order_state": None, "intent": "complaint", "items": []}])
    monkeypatch.setenv("NLU_SHARED_DIR", str(shared))
    assert bench.main(["--catalog", str(catalog), "--heldout", str(heldout), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "== dev" in out and "hola buenas" in out  # an analysis set's miss is shown
    assert "== heldout" not in out and "buenas buenas" not in out
    assert "[heldout] intent accuracy: 0.0% (0/1" in out  # measured all the same
