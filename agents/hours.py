"""Opening hours and holidays from `settings.BUSINESS_HOURS` / `BUSINESS_HOLIDAYS`, always in America/Santiago time
(the business's clock, whatever the server's timezone or DST state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

SANTIAGO = ZoneInfo("America/Santiago")
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


@dataclass(frozen=True)
class Opening:
    day: date
    opens: time
    closes: time


def local_now(now: datetime | None = None) -> datetime:
    return (now or timezone.now()).astimezone(SANTIAGO)


def _holidays() -> set[date]:
    return {date.fromisoformat(day) for day in settings.BUSINESS_HOLIDAYS}


def _span(day_key: str) -> tuple[time, time] | None:
    span = settings.BUSINESS_HOURS.get(day_key)
    if not span:
        return None
    return time.fromisoformat(span[0]), time.fromisoformat(span[1])


def opening_on(day: date) -> Opening | None:
    if day in _holidays():
        return None
    span = _span(DAY_KEYS[day.weekday()])
    return Opening(day, *span) if span else None


def is_open(now: datetime | None = None) -> bool:
    local = local_now(now)
    opening = opening_on(local.date())
    return bool(opening and opening.opens <= local.time() < opening.closes)


def next_opening(now: datetime | None = None) -> Opening | None:
    """The next time the doors open after `now` (today if not yet open), within two weeks."""
    local = local_now(now)
    for offset in range(15):
        opening = opening_on(local.date() + timedelta(days=offset))
        if opening and (offset or local.time() < opening.opens):
            return opening
    return None


def weekly_hours_text(language: str = "es") -> str:
    """E.g. "lunes a jueves de 09:00 a 18:00; viernes de 09:00 a 17:00; sábado de 10:00 a 14:00; domingo cerrado"."""
    names, groups = DAY_NAMES[language], []
    for index, key in enumerate(DAY_KEYS):
        span = settings.BUSINESS_HOURS.get(key) or None
        if groups and groups[-1][2] == span:
            groups[-1][1] = index
        else:
            groups.append([index, index, span])
    return "; ".join(_group_text(names, first, last, span, language) for first, last, span in groups)


def _group_text(names, first: int, last: int, span, language: str) -> str:
    joiner = " a " if language == "es" else " to "
    days = names[first] if first == last else f"{names[first]}{joiner}{names[last]}"
    if not span:
        return f"{days} {'cerrado' if language == 'es' else 'closed'}"
    return f"{days} de {span[0]} a {span[1]}" if language == "es" else f"{days} {span[0]}–{span[1]}"


def open_now_text(now: datetime | None = None, language: str = "es") -> str:
    local = local_now(now)
    today = opening_on(local.date())
    holiday = local.date() in _holidays()
    if today and today.opens <= local.time() < today.closes:
        closes = today.closes.strftime("%H:%M")
        if language == "en":
            return f"We are open now, until {closes}."
        return f"Ahora estamos abiertos, hasta las {closes}."
    upcoming = next_opening(now)
    prefix = ("Hoy es feriado y estamos cerrados" if holiday else "Ahora estamos cerrados") if language == "es" else (
        "Today is a public holiday and we are closed" if holiday else "We are closed right now")
    if upcoming is None:
        return prefix + "."
    return f"{prefix}; {_reopen_text(upcoming, local.date(), language)}."


def _reopen_text(opening: Opening, today: date, language: str) -> str:
    at = opening.opens.strftime("%H:%M")
    names = DAY_NAMES[language]
    if language == "en":
        when = "today" if opening.day == today else "tomorrow" if opening.day == today + timedelta(days=1) else (
            f"on {names[opening.day.weekday()]}")
        return f"we open {when} at {at}"
    when = "hoy" if opening.day == today else "mañana" if opening.day == today + timedelta(days=1) else (
        f"el {names[opening.day.weekday()]} {opening.day.day}")
    return f"abrimos {when} a las {at}"
