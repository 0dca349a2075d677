"""Times and dates as a person reads them: in Japan time, with the zone stated.

The records keep times in UTC (``2026-12-03T09:31:00Z``); a clerk in Japan reads
``2026年12月3日 18:31 JST``, an English reader ``3 December 2026, 18:31 JST (09:31 UTC)``.
Every page showing a time uses the one Jinja filter ``local_time``; a ``<time>`` element keeps
the exact value for machines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from flask import Flask
from markupsafe import Markup, escape

from app.i18n import current_language

JST = timezone(timedelta(hours=9), "JST")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def time_in_words(value: str, lang: str) -> str:
    """An ISO 8601 date or date-time in words in ``lang``; a time without a zone is taken as
    UTC (as the registry writes them); text that is neither is given back unchanged."""
    text = value.strip()
    try:
        if "T" not in text and " " not in text:
            day = date.fromisoformat(text)
            if lang == "ja":
                return f"{day.year}年{day.month}月{day.day}日"
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(JST)
    if lang == "ja":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M} JST"
    utc = moment.astimezone(UTC)
    return (
        f"{local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M} JST ({utc:%H:%M} UTC)"
    )


def local_time(value: object) -> Markup:
    """The Jinja filter: ``value`` in words in the page's language, in a ``<time>`` element."""
    if value is None or value == "":
        return Markup("")
    text = str(value)
    words = time_in_words(text, current_language())
    if words == text:
        return Markup(escape(text))
    return Markup(f'<time datetime="{escape(text)}">{escape(words)}</time>')


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
