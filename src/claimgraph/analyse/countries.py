"""Countries, their common names, codes and demonyms, from the countryinfo package (all 250 of
them, so no story's countries are singled out): "U.S." / "USA" / "United States of America" ->
"United States"; "Russian" / "Russians" -> "Russia"."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["country_of", "country_of_demonym", "country_of_word", "demonym_of", "is_demonym"]


def _fold(text: str) -> str:
    text = re.sub(r"^the\s+", "", " ".join(text.replace("\u2019", "'").split()), flags=re.I)
    return re.sub(r"(?<=\w)\.(?=\w|$)", "", text).rstrip(".")  # U.S. -> US, U.K. -> UK


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """(names, codes, demonyms, demonym by country): lower-case name -> country; upper-case code -> country;
    lower-case demonym (and its plural) -> country; country -> demonym."""
    from countryinfo import CountryInfo  # imported late: only documents that name a country need it

    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    demonym_by_country: dict[str, str] = {}
    for info in CountryInfo.all().values():
        country = info.get("name")
        if not country:
            continue
        names.setdefault(country.lower(), country)
        for alt in info.get("altSpellings") or []:
            if re.fullmatch(r"[A-Z]{2,3}", alt):
                codes.setdefault(alt, country)
            elif alt.isascii() and len(alt) > 3:
                names.setdefault(alt.lower(), country)
        for alpha in (info.get("ISO") or {}).values():
            if isinstance(alpha, str) and alpha.isalpha():
                codes.setdefault(alpha.upper(), country)
        demonym = info.get("demonym")
        if demonym and demonym.isascii():
            demonyms.setdefault(demonym.lower(), country)
            if not demonym.lower().endswith(("s", "ese")):
                demonyms.setdefault(demonym.lower() + "s", country)
            demonym_by_country.setdefault(country, demonym)
    return names, codes, demonyms, demonym_by_country


def country_of(name: str) -> str | None:
    """The country a name or code denotes ("the U.S." -> "United States"), or None."""
    names, codes, _, _ = _tables()
    folded = _fold(name)
    if re.fullmatch(r"[A-Z]{2,3}", folded):
        return codes.get(folded)  # codes only in capitals: "us", "in", "it" are words
    return names.get(folded.lower())


def country_of_word(word: str) -> str | None:
    """The country a name, code or demonym denotes ("Russian", "U.S.", "Russia's"), or None."""
    word = re.sub(r"['\u2019]s?$", "", word)
    return country_of(word) or (_tables()[2].get(word.lower()) if word[:1].isupper() else None)


def is_demonym(word: str) -> bool:
    """A demonym ("Russian", "Americans") or a country code used as an adjective ("US", "U.S.")."""
    return word.lower() in _tables()[2] or (country_of(word) is not None and word[:1].isupper())


def demonym_of(country: str) -> str | None:
    return _tables()[3].get(country)


def country_of_demonym(word: str) -> str | None:
    """The country of a demonym or its plural ("the Russians" -> "Russia"), or None."""
    return _tables()[2].get(_fold(word).lower())
