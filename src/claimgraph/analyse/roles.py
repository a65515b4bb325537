"""Role descriptions and who holds them, as the document itself says.

A role description ("the Kremlin spokesman", "the president-elect's attorney") is a head noun from
a generic list (data/roles.json: spokesman, minister, director, attorney, ...) with its modifiers.
It resolves to a person only when the same document names someone with that role, by apposition
("Dmitry Peskov, the Kremlin spokesman"; "the president-elect's attorney, Michael Cohen") or as a
title ("presidential spokesman Dmitry Peskov"; "FBI Director James Comey"). The lexicon lists no
holders, places or organisations: knowing the cast of one story is no rule for the next.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from claimgraph.analyse.countries import country_of_word

__all__ = ["Holder", "RoleLexicon", "Role", "holders_in_text", "load_lexicon", "parse_role", "resolve_role",
           "role_regex"]


@dataclass(frozen=True)
class RoleLexicon:
    version: str
    heads: dict[str, str]  # "spokeswoman" -> "spokesperson"
    modifier_words: frozenset[str]
    former: frozenset[str]
    current: frozenset[str]


@dataclass(frozen=True)
class Role:
    """A parsed role: its head class, its content modifiers (lower-case) and whether it is a past one."""

    head: str
    modifiers: frozenset[str]
    former: bool
    proper: frozenset[str]  # modifiers written capitalised or possessive in the text ("Kremlin", "putin")


@dataclass(frozen=True)
class Holder:
    name: str
    role: Role


@lru_cache(maxsize=1)
def load_lexicon() -> RoleLexicon:
    """The packaged role vocabulary; read once per process (immutable data, not worker state)."""
    raw = json.loads(resources.files("claimgraph.data").joinpath("roles.json").read_text("utf-8"))
    return RoleLexicon(raw["version"], {k.lower(): v for k, v in raw["heads"].items()},
                       frozenset(raw["modifier_words"]), frozenset(raw["former"]), frozenset(raw["current"]))


def _alternation(words: list[str]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+").replace(r"\-", "[-\\s]") for w in ordered)


def _fold_head(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


@lru_cache(maxsize=1)
def _head_classes() -> dict[str, str]:
    return {_fold_head(k): v for k, v in load_lexicon().heads.items()}


_POSSESSIVE = r"[A-Za-z][\w.-]*['\u2019]s"
_CAPITAL = r"(?-i:[A-Z][\w.&-]*)"


@lru_cache(maxsize=1)
def role_regex() -> str:
    """A role: up to four modifiers (status words, capitalised words, possessives, generic lower-case
    institutional words) then a head noun, optionally "of/for (the) Capitalised Name"."""
    lexicon = load_lexicon()
    status = _alternation(sorted(lexicon.former | lexicon.current))
    lower = _alternation(sorted(lexicon.modifier_words))
    space = r"[^\S\n]+"  # a role and its modifiers sit on one line ("PA Images\n\nRussian president")
    modifier = rf"(?:(?:{status})(?:{space}|-)|{_POSSESSIVE}{space}|{_CAPITAL}{space}|(?:{lower}){space})"
    tail = rf"(?:\s+(?:of|for|at)\s+(?:the\s+)?{_CAPITAL}(?:\s+(?:of\s+)?{_CAPITAL}){{0,3}})?"
    return rf"{modifier}{{0,4}}(?:{_alternation(list(lexicon.heads))})\b{tail}"


def parse_role(description: str) -> Role | None:
    """Split "the former US president" into head class, modifiers and former; None without a role head."""
    lexicon = load_lexicon()
    text = re.sub(r"[\u2019]", "'", " ".join(description.split()))
    head_match = None
    for match in re.finditer(rf"\b(?:{_alternation(list(lexicon.heads))})\b", text, re.I):
        head_match = match  # the last head word is the head ("chief of staff" aside)
        if re.match(r"\s+(?:of|for|at)\b", text[match.end():]):
            break
    if head_match is None:
        return None
    head = _head_classes()[_fold_head(head_match.group(0))]
    words = re.findall(r"[\w.&'-]+", text[:head_match.start()] + " " + text[head_match.end():])
    modifiers: set[str] = set()
    proper: set[str] = set()
    former = False
    for word in words:
        lower = word.lower()
        bare = re.sub(r"'s$", "", lower).replace(".", "")
        if lower in {"the", "a", "an", "of", "for", "at", "and"}:
            continue
        if lower.rstrip("-") in lexicon.former or lower == "ex-":
            former = True
            continue
        if lower in lexicon.current:
            continue
        country = country_of_word(word.rstrip("'s").rstrip("'"))
        key = ("country:" + country.lower()) if country else bare
        modifiers.add(key)
        if word[:1].isupper() or word.endswith("'s"):
            proper.add(key)
    return Role(head, frozenset(modifiers), former, frozenset(proper))


_NAME = r"(?-i:[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|al|bin))*?\s+[A-Z][\w'’-]+)"


@lru_cache(maxsize=1)
def _holder_patterns() -> tuple[re.Pattern[str], ...]:
    role = role_regex()
    return (
        # "Dmitry Peskov, the Kremlin spokesman" / "Michael Cohen, a lawyer for Trump"
        re.compile(rf"(?P<name>{_NAME}),\s+(?:the\s+|a\s+|an\s+)?(?P<role>{role})", re.I),
        # "presidential spokesman Dmitry Peskov", "the president-elect's attorney, Michael Cohen"
        re.compile(rf"(?<![\w'’-])(?P<role>{role}),?\s+(?P<name>{_NAME})", re.I),
    )


def holders_in_text(text: str) -> list[Holder]:
    """Every person the text names with a role, by apposition or title, in text order."""
    found: list[tuple[int, Holder]] = []
    for pattern in _holder_patterns():
        for match in pattern.finditer(text):
            name = re.sub(r"['\u2019]s$", "", match.group("name").strip())
            if not re.search(r"[a-z]", name) or "\n" in match.group(0):
                continue  # ALL-CAPS furniture, or a role and a name on two lines
            role = parse_role(match.group("role"))
            if role is not None and parse_role(name) is None:
                found.append((match.start(), Holder(name, role)))
    return [h for _, h in sorted(found, key=lambda x: x[0])]


def _same_person(a: str, b: str) -> bool:
    return a.split()[-1].lower() == b.split()[-1].lower()


def resolve_role(description: str, *, holders: list[Holder]) -> str | None:
    """The name of the person a role description means among the document's `holders`, or None.

    The head noun must agree (spokesman = spokeswoman = press secretary) and so must "former".
    Where the description's modifiers are all among one holder's, that holder; where its capitalised
    ones are exactly one holder's ("Republican"), that holder; otherwise, where only
    one person holds a role with that head, that person, unless the two name different countries or
    the description names a country the holder's title does not.
    """
    role = parse_role(description)
    if role is None:
        return None
    candidates = [h for h in holders if h.role.head == role.head and h.role.former == role.former]
    exact = [h for h in candidates if role.modifiers <= h.role.modifiers]
    names = _distinct([h.name for h in exact])
    if len(names) == 1:
        return names[0]
    if exact:
        return None
    names = _distinct([h.name for h in candidates if role.proper and h.role.proper == role.proper])
    if len(names) == 1:
        return names[0]  # "the Republican presidential candidate": the one "Republican candidate"
    names = _distinct([h.name for h in candidates])
    if len(names) != 1:
        return None  # two people with the same role head: only an exact modifier match resolves
    countries = {m for m in role.modifiers if m.startswith("country:")}
    for holder in candidates:
        if countries - holder.role.modifiers:
            return None  # "the Russian president" is not "President Trump"
        if role.proper and holder.role.proper and not role.proper & holder.role.proper \
                and any(not m.startswith("country:") for m in holder.role.proper):
            return None  # "the FBI director" is not "CIA Director John Brennan"
    return names[0]


def _distinct(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if not any(_same_person(name, other) for other in out):
            out.append(name)
    return out
