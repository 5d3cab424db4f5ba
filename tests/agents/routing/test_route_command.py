import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from orders.models import Product

pytestmark = pytest.mark.django_db


def _run(lines: list[str]):
    out, err = io.StringIO(), io.StringIO()
    call_command("route", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return lines, [json.loads(line) for line in err.getvalue().splitlines()]


@pytest.fixture
def products():
    for code, name, uom in [("LEN-CAS-KG", "Lenteja castellana", "kg"), ("GAR-SEC-25", "Garbanzo seco", "Saco 25 kg")]:
        Product.objects.create(default_code=code, name=name, uom=uom, price=Decimal("1990"))


def test_each_line_gets_one_contract_line_matched_against_the_local_catalog(products):
    out, err = _run(
        [
            json.dumps({"text": "necesito 50 kilos de garbanzos y 3 de lentejas", "order_state": None}),
            json.dumps({"text": "si", "order_state": "sent"}),
            json.dumps({"text": "si", "order_state": None}),
        ]
    )
    assert err == []
    assert out[0] == {
        "lane": "purchase",
        "intent": "order_create",
        "confidence": out[0]["confidence"],
        "items": [
            {"product_code": "GAR-SEC-25", "quantity": 2.0, "uom": "Saco 25 kg"},
            {"product_code": "LEN-CAS-KG", "quantity": 3.0, "uom": "kg"},
        ],
        "source": "rules",
    }
    assert (out[1]["intent"], out[2]["intent"]) == ("order_confirm", "other")
    assert all(set(line) == {"lane", "intent", "confidence", "items", "source"} for line in out)
    assert all(isinstance(line["confidence"], float) for line in out)


def test_bad_lines_are_reported_on_stderr_and_processing_continues(products):
    out, err = _run(
        [
            "this is not json",
            json.dumps({"order_state": None}),
            json.dumps({"text": "hola", "order_state": "shipped"}),
            json.dumps(["text"]),
            json.dumps({"text": "hola"}),
        ]
    )
    assert [line["intent"] for line in out] == ["greeting"]
    assert [e["line"] for e in err] == [1, 2, 3, 4]
    assert "invalid JSON" in err[0]["error"] and "order_state" in err[2]["error"]


def test_uses_the_llm_when_configured(products, fake_openai):
    fake_openai.tool_call(
        {"lane": "support", "intent": "complaint", "confidence": 0.8, "language": "es", "items": []}
    )
    out, _ = _run([json.dumps({"text": "llegaron rotos los sacos", "order_state": "confirmed"})])
    assert out == [{"lane": "support", "intent": "complaint", "confidence": 0.8, "items": [], "source": "llm"}]


def test_a_second_request_adds_secondary_to_the_line_and_nothing_else_changes(products):
    out, err = _run([
        json.dumps({"text": "hola, ¿a qué hora cierran? y anótame 3 kilos de lentejas", "order_state": None}),
        json.dumps({"text": "anótame 3 kilos de lentejas", "order_state": None}),
    ])
    assert err == []
    both, single = out
    assert set(both) == {"lane", "intent", "confidence", "items", "source", "secondary"}
    assert (both["lane"], both["intent"], both["source"]) == ("purchase", "order_create", "rules")
    assert both["items"] == [{"product_code": "LEN-CAS-KG", "quantity": 3.0, "uom": "kg"}]
    assert both["secondary"] == [{"lane": "info", "intent": "faq", "items": []}]
    assert set(single) == {"lane", "intent", "confidence", "items", "source"}
