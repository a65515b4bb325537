"""The role lexicon (data/roles.json): role descriptions ("the Kremlin spokesman", "the former US
president") and who holds them, as the document itself says ("Dmitry Peskov, the Kremlin
spokesman"; "Kremlin spokesman Dmitry Peskov"). The lexicon lists no holders: knowing the cast of
one story is no rule for the next."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Modifiers that change which holder a role description means.
FORMER = frozenset({"former", "ex", "ex-", "previous", "then-former"})
CURRENT = frozenset({"current", "sitting", "incumbent", "present", "now"})


@dataclass(frozen=True)
class Holder:
    name: str
    start: str
    end: str | None


@dataclass(frozen=True)
class Role:
    role: str
    patterns: tuple[str, ...]
    holders: tuple[Holder, ...]
    needs_modifier: bool = False
    canonical: str = ""  # the entry an unqualified pattern stands for ("president" -> the US one)


@dataclass(frozen=True)
class Lexicon:
    version: str
    roles: tuple[Role, ...]
    aliases: dict[str, str]  # lower-cased variant -> canonical name
    demonyms: dict[str, str]  # "russians" -> "Russia"
    demonym_adjectives: frozenset[str]  # "russian", "american"
    bare_names: frozenset[str]  # names whose preceding "the" stays out of the mention
    alias_types: dict[str, str]  # canonical alias name -> entity type (NER calls "F.B.I." a GPE)

    def pattern_regex(self) -> str:
        """One alternation of every role pattern, longest first so "us president" beats "president"."""
        patterns = sorted({p for role in self.roles for p in role.patterns}, key=len, reverse=True)
        return "|".join(re.escape(p).replace(r"\ ", r"\s+").replace("'", "['\u2019]") for p in patterns)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon; read once per process (it is immutable data, not worker state)."""
    raw = json.loads(resources.files("claimgraph.data").joinpath("roles.json").read_text("utf-8"))
    by_name = {entry["role"]: entry for entry in raw["roles"]}
    roles = []
    for entry in raw["roles"]:
        source = by_name[entry["same_as"]] if "same_as" in entry else entry
        holders = tuple(Holder(h["name"], h["from"], h["to"]) for h in source.get("holders", ()))
        roles.append(Role(entry["role"], tuple(p.lower() for p in entry["patterns"]), holders,
                          bool(entry.get("needs_modifier")), entry.get("same_as", entry["role"])))
    aliases = {variant.lower(): canonical for canonical, variants in raw["aliases"].items()
               for variant in variants}
    return Lexicon(raw["version"], tuple(roles), aliases, {k.lower(): v for k, v in raw["demonyms"].items()},
                   frozenset(w.lower() for w in raw["demonym_adjectives"]),
                   frozenset(w.lower() for w in raw["names_without_article"]), dict(raw.get("alias_types", {})))


def _normalise(description: str) -> tuple[set[str], str]:
    """Split "the former US president" into its modifiers and the role words."""
    words = re.sub(r"[\u2019]", "'", description.lower()).replace("-", " ").split()
    while words and words[0] in {"the", "a", "an", "then"}:
        words.pop(0)
    modifiers: set[str] = set()
    while words and (words[0] in FORMER or words[0] in CURRENT or words[0] in {"ex"}):
        modifiers.add(words.pop(0))
    return modifiers, " ".join(words)


def _date(value: str | None) -> str | None:
    # Month- or year-precision document dates compare as their first day.
    if not value:
        return None
    return (value + "-01-01")[:10] if len(value) == 4 else (value + "-01")[:10] if len(value) == 7 else value[:10]


_NAME = r"(?-i:[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al|bin))*?\s+[A-Z][\w'’-]+)"


@lru_cache(maxsize=1)
def _holder_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    roles = load_lexicon().pattern_regex()
    modifiers = r"(?:(?:former|ex-|current|then|now|outgoing|new)[\s-]+)?"
    # "Dmitry Peskov, the Kremlin spokesman" / "Dmitry Peskov, Kremlin spokesman"
    after = re.compile(rf"(?P<name>{_NAME}),\s+(?:the\s+|a\s+)?(?P<role>{modifiers}(?:{roles}))\b", re.I)
    # "Kremlin spokesman Dmitry Peskov", "the former FBI director James Comey"
    before = re.compile(rf"\b(?P<role>{modifiers}(?:{roles})),?\s+(?P<name>{_NAME})", re.I)
    return after, before


def holders_in_text(text: str) -> dict[str, str]:
    """Role -> the name the text gives its holder, by apposition ("Name, the ROLE"; "ROLE Name").

    Keys are the role (lexicon entry) with "former " in front for an ex-holder; the first
    apposition in the text wins (the article introduces a person once)."""
    lexicon = load_lexicon()
    found: dict[str, str] = {}
    for pattern in _holder_patterns():
        for match in pattern.finditer(text):
            name = match.group("name")
            if not name[:1].isupper() or not re.search(r"[a-z]", name):
                continue  # a capitalised role word alone ("Russian President"), or ALL-CAPS furniture
            modifiers, words = _normalise(match.group("role"))
            role = next((r for r in lexicon.roles if words in r.patterns), None)
            if role is None:
                continue
            key = ("former " if modifiers & FORMER else "") + role.canonical
            found.setdefault(key, name.strip())
    return found


def resolve_role(description: str, *, date: str | None, mentioned: list[str] | None = None,
                 in_text: dict[str, str] | None = None) -> str | None:
    """The name of the person a role description means, or None.

    `in_text` are the holders the document names (holders_in_text); `mentioned` the person
    names it mentions (most recent last); "former" prefers an ex-holder the document names.
    Holders listed in a lexicon (none are packaged) are used by date where the text names none.
    """
    lexicon = load_lexicon()
    modifiers, words = _normalise(description)
    role = next((r for r in lexicon.roles if words in r.patterns), None)
    if role is None:
        return None
    former = bool(modifiers & (FORMER | {"ex"}))
    if role.needs_modifier and not modifiers:
        return None
    key = ("former " if former else "") + role.canonical
    if in_text and key in in_text:
        return in_text[key]
    day = _date(date)
    if day is None:
        # Without a date only an unambiguous role can be resolved.
        names = {h.name for h in role.holders}
        return next(iter(names)) if len(names) == 1 else None
    if former:
        current = {h.name for h in role.holders if h.start <= day and (h.end is None or day < h.end)}
        past = sorted((h for h in role.holders if h.end is not None and h.end <= day),
                      key=lambda h: h.end or "", reverse=True)
        past_names = [h.name for h in past if h.name not in current] or [h.name for h in past]
        mentioned_lower = {m.lower() for m in (mentioned or [])}
        for name in past_names:
            if name.lower() in mentioned_lower or name.split()[-1].lower() in {
                m.split()[-1].lower() for m in mentioned or []
            }:
                return name
        return past_names[0] if past_names else None
    for holder in role.holders:
        if holder.start <= day and (holder.end is None or day < holder.end):
            return holder.name
    return None
