"""Axis titles, legend entries and other short texts in English and Spanish.

The library speaks English by default; every builder takes `lang="es"` for Spanish. Units and
time zones are part of the axis titles, so no chart leaves the reader guessing.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "LANGUAGES",
    "Lang",
    "label",
    "metric_name",
    "metric_title",
    "resolve_lang",
    "weekday_names",
]

Lang = Literal["en", "es"]
LANGUAGES: Final[tuple[Lang, ...]] = ("en", "es")

_LABELS: Final[dict[str, dict[Lang, str]]] = {
    "time": {"en": "Time ({timezone})", "es": "Hora ({timezone})"},
    "day": {"en": "Day ({timezone})", "es": "Día ({timezone})"},
    "hour": {"en": "Hour ({timezone})", "es": "Hora ({timezone})"},
    "weekday": {"en": "Weekday ({timezone})", "es": "Día de la semana ({timezone})"},
    "viewers": {"en": "Viewers", "es": "Espectadores"},
    "followers": {"en": "Followers", "es": "Seguidores"},
    "channels_live": {"en": "Channels live", "es": "Canales en directo"},
    "category": {"en": "Category", "es": "Categoría"},
    "channel": {"en": "Channel", "es": "Canal"},
    "other": {"en": "Other", "es": "Otros"},
    "new": {"en": "new", "es": "nuevo"},
    "peak": {
        "en": "Peak: {value} viewers at {time}",
        "es": "Pico: {value} espectadores a las {time}",
    },
    "share": {"en": "Share of {metric} (%)", "es": "Proporción de {metric} (%)"},
}

# Metric column -> (name, unit) per language; the unit is "" for plain counts.
_METRICS: Final[dict[str, dict[Lang, tuple[str, str]]]] = {
    "average_viewers": {"en": ("Average viewers", ""), "es": ("Espectadores medios", "")},
    "peak_viewers": {"en": ("Peak viewers", ""), "es": ("Pico de espectadores", "")},
    "viewers": {"en": ("Viewers", ""), "es": ("Espectadores", "")},
    "hours_watched": {"en": ("Hours watched", "h"), "es": ("Horas vistas", "h")},
    "airtime_minutes": {"en": ("Airtime", "min"), "es": ("Tiempo en directo", "min")},
    "hours_live": {"en": ("Hours live", "h"), "es": ("Horas en directo", "h")},
    "followers_gained": {"en": ("Followers gained", ""), "es": ("Seguidores ganados", "")},
    "streams": {"en": ("Streams", ""), "es": ("Directos", "")},
}

_WEEKDAYS: Final[dict[Lang, tuple[str, ...]]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
}


def resolve_lang(lang: str) -> Lang:
    """Return the supported language for `lang` ("en", "es", "es-ES", "en_US").

    Raises:
        ValueError: the language is not supported; the message lists the choices.
    """
    base = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    for candidate in LANGUAGES:
        if base == candidate:
            return candidate
    raise ValueError(f"unsupported chart language {lang!r}: use one of {', '.join(LANGUAGES)}")


def label(key: str, lang: Lang, **fields: object) -> str:
    """Return the text `key` in `lang`, with `{placeholders}` filled from `fields`."""
    template = _LABELS[key][lang]
    return template.format(**fields) if fields else template


def metric_title(metric: str, lang: Lang) -> str:
    """Return the axis title of a metric column, unit included.

    Raises:
        ValueError: unknown metric; the message lists the known ones and the `axis_title`
            argument that builders take for any other column.
    """
    name, unit = _metric(metric, lang)
    return f"{name} ({unit})" if unit else name


def metric_name(metric: str, lang: Lang) -> str:
    """Return the name of a metric column without its unit, in lower case for use mid-sentence.

    Raises:
        ValueError: unknown metric, as for `metric_title`.
    """
    return _metric(metric, lang)[0].lower()


def _metric(metric: str, lang: Lang) -> tuple[str, str]:
    try:
        return _METRICS[metric][lang]
    except KeyError:
        known = ", ".join(sorted(_METRICS))
        raise ValueError(
            f"no axis title for metric {metric!r}: use one of {known}, or pass axis_title="
        ) from None


def weekday_names(lang: Lang) -> tuple[str, ...]:
    """Return the short weekday names from Monday to Sunday."""
    return _WEEKDAYS[lang]
