"""How amounts, waits and dates are written for people: `money` (used by the console, the bot's texts and Slack),
`duration`, and `day` / `moment` (dates with the month's name, so "2 dic" can never be read as month-day; times in
TIME_ZONE through Django's timezone machinery).

Chilean convention for separators (dot thousands, comma decimals: `$283.220`, `US$1.234,50`) because the
business and its staff are in Chile; the number of decimals and the symbol follow each currency (ISO 4217 minor
units: the peso has none, the dollar two). Amounts are rounded half up, as an invoice would.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

THOUSANDS, DECIMAL_MARK = ".", ","
EMPTY = "—"


@dataclass(frozen=True)
class CurrencyRule:
    symbol: str
    decimals: int


# ISO 4217 minor units. Unknown codes are written with their code and two decimals ("PEN 1.234,50").
CURRENCIES: dict[str, CurrencyRule] = {
    "CLP": CurrencyRule("$", 0),
    "CLF": CurrencyRule("UF ", 4),
    "USD": CurrencyRule("US$", 2),
    "EUR": CurrencyRule("€", 2),
    "ARS": CurrencyRule("AR$", 2),
    "PEN": CurrencyRule("S/ ", 2),
    "MXN": CurrencyRule("MX$", 2),
    "JPY": CurrencyRule("¥", 0),
}
DEFAULT_DECIMALS = 2


def currency_rule(currency: str) -> CurrencyRule:
    code = (currency or "CLP").upper()
    return CURRENCIES.get(code) or CurrencyRule(f"{code} ", DEFAULT_DECIMALS)


def money(amount, currency: str = "CLP") -> str:
    """`money(283220)` → "$283.220"; `money(Decimal("1234.5"), "USD")` → "US$1.234,50"; None or junk → "—"."""
    value = _decimal(amount)
    if value is None:
        return EMPTY
    rule = currency_rule(currency)
    text = number(value, decimals=rule.decimals)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    return f"{sign}{rule.symbol}{digits}"


def number(value, *, decimals: int = 0) -> str:
    """A plain number with the same separators: `number(1234.5, decimals=1)` → "1.234,5"."""
    exact = _decimal(value)
    if exact is None:
        return EMPTY
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", THOUSANDS)
    sign = "-" if rounded < 0 else ""
    return f"{sign}{grouped}{DECIMAL_MARK}{fraction}" if decimals else f"{sign}{grouped}"


def quantity(value) -> str:
    """A quantity without trailing zeros: 20.000 → "20", 2.500 → "2,5", 1234 → "1.234"."""
    exact = _decimal(value)
    if exact is None:
        return EMPTY
    decimals = max(0, -exact.normalize().as_tuple().exponent)
    return number(exact, decimals=min(decimals, 3))


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


def duration(seconds) -> str:
    """Elapsed time as staff say it: "45 s", "12 min", "1 h 05 min", "2 d 4 h"; None → "—"."""
    if seconds is None:
        return EMPTY
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    if minutes < 1440:
        return _("%(h)d h %(m)02d min") % {"h": minutes // 60, "m": minutes % 60}
    return _("%(d)d d %(h)d h") % {"d": minutes // 1440, "h": minutes % 1440 // 60}


def day(value) -> str:
    """A date (or the local date of an aware datetime) with the month's name: "2 dic" / "2 Dec"."""
    if not value:
        return EMPTY
    local = timezone.localtime(value) if hasattr(value, "tzinfo") and timezone.is_aware(value) else value
    return date_format(local, pgettext("date format: day and month name, e.g. 2 Dec", "j M"))


def moment(value, *, weekday: bool = False) -> str:
    """An aware datetime in TIME_ZONE: "2 dic 10:14", or with the weekday, "mié 2 dic, 10:14"."""
    if not value:
        return EMPTY
    local = timezone.localtime(value)
    if weekday:
        return date_format(local, pgettext("date format: weekday, day, month name, time", "D j M, H:i"))
    return date_format(local, pgettext("date format: day, month name, time, e.g. 2 Dec 10:14", "j M H:i"))
