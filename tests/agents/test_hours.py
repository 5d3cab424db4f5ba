from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agents import hours

SCL = ZoneInfo("America/Santiago")


@pytest.fixture(autouse=True)
def business_hours(settings):
    settings.BUSINESS_HOURS = {"mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"], "wed": ["09:00", "18:00"],
                               "thu": ["09:00", "18:00"], "fri": ["09:00", "17:00"], "sat": ["10:00", "14:00"],
                               "sun": None}
    settings.BUSINESS_HOLIDAYS = ["2026-09-18"]


def test_weekly_text_groups_equal_days():
    assert hours.weekly_hours_text("es") == (
        "lunes a jueves de 09:00 a 18:00; viernes de 09:00 a 17:00; sábado de 10:00 a 14:00; domingo cerrado")
    assert hours.weekly_hours_text("en").startswith("Monday to Thursday 09:00–18:00")


def test_open_and_closed_in_santiago_time_whatever_the_utc_offset():
    # Tuesday 2026-11-24 10:00 in Santiago (summer time, UTC-3) is 13:00 UTC.
    assert hours.is_open(datetime(2026, 11, 24, 13, 0, tzinfo=ZoneInfo("UTC")))
    assert not hours.is_open(datetime(2026, 11, 24, 8, 59, tzinfo=SCL))
    assert not hours.is_open(datetime(2026, 11, 24, 18, 0, tzinfo=SCL))


def test_closed_text_names_the_next_opening():
    friday_evening = datetime(2026, 11, 27, 19, 0, tzinfo=SCL)
    assert hours.open_now_text(friday_evening) == "Ahora estamos cerrados; abrimos mañana a las 10:00."
    saturday_after = datetime(2026, 11, 28, 15, 0, tzinfo=SCL)
    assert hours.open_now_text(saturday_after) == "Ahora estamos cerrados; abrimos el lunes 30 a las 09:00."
    assert hours.open_now_text(datetime(2026, 11, 24, 7, 0, tzinfo=SCL)) == (
        "Ahora estamos cerrados; abrimos hoy a las 09:00.")


def test_open_text_says_until_when():
    assert hours.open_now_text(datetime(2026, 11, 27, 11, 0, tzinfo=SCL)) == "Ahora estamos abiertos, hasta las 17:00."


def test_holidays_are_closed():
    fiestas = datetime(2026, 9, 18, 11, 0, tzinfo=SCL)  # a Friday
    assert not hours.is_open(fiestas)
    assert hours.open_now_text(fiestas).startswith("Hoy es feriado y estamos cerrados; abrimos mañana a las 10:00")
