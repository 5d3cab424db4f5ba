"""One way to write amounts, quantities, waits and dates for people (core/formats.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.formats import day, duration, moment, money, quantity
from orders.services.common import clp


@pytest.mark.parametrize("amount, currency, shown", [
    (283220, "CLP", "$283.220"),
    (Decimal("296905.00"), "CLP", "$296.905"),
    (Decimal("10900.50"), "CLP", "$10.901"),  # pesos have no decimals; half rounds up, as on an invoice
    (0, "CLP", "$0"),
    (-1500, "CLP", "-$1.500"),
    (Decimal("1234.5"), "USD", "US$1.234,50"),
    (Decimal("0.005"), "USD", "US$0,01"),
    (Decimal("36500.1234"), "CLF", "UF 36.500,1234"),
    (Decimal("99.9"), "PEN", "S/ 99,90"),
    (Decimal("12"), "xyz", "XYZ 12,00"),  # an unknown currency: its code and two decimals
    (None, "CLP", "—"),
    ("no es un número", "CLP", "—"),
])
def test_money(amount, currency, shown):
    assert money(amount, currency) == shown


def test_the_bots_clp_is_the_same_money_format():
    assert clp(Decimal("259420.00")) == money(Decimal("259420.00"), "CLP") == "$259.420"


@pytest.mark.parametrize("value, shown", [
    (Decimal("20.000"), "20"), (Decimal("2.500"), "2,5"), (1234, "1.234"), (Decimal("0.125"), "0,125"),
])
def test_quantity_drops_trailing_zeros(value, shown):
    assert quantity(value) == shown


@pytest.mark.parametrize("seconds, shown", [
    (None, "—"), (42, "42 s"), (60 * 12, "12 min"), (3600 + 5 * 60, "1 h 05 min"), (86400 * 2 + 3600 * 4, "2 d 4 h"),
])
def test_duration(seconds, shown):
    assert duration(seconds) == shown


def test_dates_name_the_month_and_use_santiago_time():
    summer = datetime(2026, 12, 2, 13, 14, tzinfo=UTC)  # 10:14 in Santiago (UTC-3 in summer)
    with translation.override("es-cl"):
        assert day(date(2026, 12, 2)) == "2 dic"
        assert moment(summer) == "2 dic 10:14"
        assert moment(summer, weekday=True) == "mié 2 dic, 10:14"
    with translation.override("en"):
        assert day(date(2026, 12, 2)) == "2 Dec"
        assert moment(summer) == "2 Dec 10:14"
