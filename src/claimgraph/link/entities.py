"""Entity resolution across documents: per-document entities -> canonical cross-document entities.

The per-document step (analyse/entities.py) already resolves descriptions inside a document
("the Russian president" -> that document's Putin entity), so this step matches *entities*,
not mentions:

    canonical = resolve_entities([(document, analysis), ...])

Matching is by keys looked up in an index, never by comparing all pairs, so adding a
document costs about the work of that document (`EntityResolver.add`):

- a normalised name (case-folded, "the" and possessives dropped, all-caps folded, titles
  dropped from person names, the role lexicon's aliases applied: "Guardian" = "The Guardian");
- name-like aliases of the entity ("Kremlin" for "The Kremlin"; not "the documents");
- role descriptions resolved with the role lexicon as of the document's date;
- for people only, the surname: a lone "Trump" joins "Donald Trump" only when exactly one
  full-named person in the corpus has that surname, and two full names with one surname are
  one person only when their first names agree ("Donald J. Trump", "Dmitri"/"Dmitry").

Types must be compatible (a person never joins an organisation, "the Kremlin" (ORG) never
joins "Russia" (GPE)), so Russia, the Kremlin and Moscow stay apart.

Resolution does not depend on the order documents come in: two entities are one when they
share a key and are compatible, whichever came first, and lone surnames are attached on the
sets as matching left them. So the store adds a new document to the saved sets
(pipeline.entity_step.resolve_store_entities) and gets what resolving everything again would give.

Canonical ids are "X-" + sha1 of the type class and the normalised canonical name: the same
input gives the same ids. Analyst corrections (merge, split, rename) are replayed on top of
the result by `apply_entity_corrections`, keyed by members (document id, entity key) and
names, never by canonical ids, so they survive re-resolution.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from claimgraph.analyse.countries import country_of
from claimgraph.sources import writing_forms
from claimgraph.models import Analysis, CanonicalEntity, Document, Entity, EntityCorrection, EntityMember

__all__ = [
    "STEP", "CanonicalEntity", "CorrectionOutcome", "EntityCorrection", "EntityResolver", "EntitySummary", "MatchKeys",
    "Member", "Signature", "UnionFind", "apply_entity_corrections", "canonical_entity", "canonical_id", "correct_groups",
    "joined", "lone_joins", "match_keys", "normalise_name", "resolve_entities", "summary_entities", "type_class",
]

# v2: order-independent (every compatible signature under a key is joined, no cap on homonyms
# per key; lone surnames attached on the sets before any such join).
STEP = "entity-resolution.v3"

Member = EntityMember  # (document id, document-local entity key)

# Types that may be one entity. Anything not listed is its own class.
_TYPE_CLASS = {
    "PER": "PER", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "NORP": "NORP",
    "DOC": "WORK", "WORK": "WORK", "EVENT": "EVENT", "GROUP": "GROUP", "PER-GROUP": "GROUP",
    "ORG-GROUP": "GROUP", "ANON_SOURCE": "ANON", "OTHER": "OTHER",
}
# Classes whose lower-case multi-word names ("leaked documents") may still match across
# documents; people, organisations and places match by proper names only.
_DESCRIPTIVE = frozenset({"WORK", "EVENT", "GROUP"})
_GENERIC_WORDS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our", "my", "your",
    "of", "and", "in", "on", "for", "to", "by", "with", "at",
})
_MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
# A trailing time phrase of a description: "... council on january 22 2016", "... in early 2016".
_TRAILING_TIME = re.compile(
    rf"\s+(?:on|in|of|during|from)\s+(?:(?:early|late|mid)\s+)?(?:{_MONTHS}|\d{{1,2}}\s+{_MONTHS}|\d{{4}})\b.*$")
_PERSON_TITLES = re.compile(
    r"^(?:(?:former|late|then|ex|current|sitting|us|u\.s\.|russian|american|british|republican|democratic|"
    r"president|prime\s+minister|minister|foreign\s+minister|speaker|senator|sen\.?|rep\.?|mr\.?|mrs\.?|ms\.?|"
    r"dr\.?|sir|general|gen\.?|director|secretary|chancellor|governor|judge|justice|candidate|agent|"
    r"ambassador|lord|lady|king|queen|prince|spokesman|spokesperson|spokeswoman)\s+)+",
    re.I,
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# A name headed by one of these is a written work whatever the tagger made of it ("the Steele
# Dossier" tagged ORG in one text and DOC in others): the heads analyse/mentions.py types DOC.
_WORK_HEADS = writing_forms(also=("cable", "cables", "transcript", "decree"),
                            without=("document", "paper", "dossiers", "memoranda"))


def type_class(entity_type: str, name: str | None = None) -> str:
    """The class of types that may be one entity; an organisation's name headed by a writing
    ("Steele Dossier") is a work."""
    cls = _TYPE_CLASS.get(entity_type, entity_type)
    if cls == "ORG" and name and normalise_name(name).rsplit(" ", 1)[-1] in _WORK_HEADS:
        return "WORK"
    return cls


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return text


@lru_cache(maxsize=200_000)
def normalise_name(name: str, entity_type: str | None = None) -> str:
    """The match key of a name: "The Guardian's" -> "guardian", "PUTIN" -> "putin"."""
    text = _fold(name)
    text = re.sub(r"[\[\]\"\u201c\u201d()]", " ", text)
    text = re.sub(r"'s\b|'(?=\s|$)", "", text)  # possessives: Putin's, the Russians'
    text = " ".join(text.split()).casefold()
    text = re.sub(r"isation(s?)\b", r"ization\1", text)  # Trump Organisation = Trump Organization
    text = re.sub(r"^(?:the|a|an)\s+", "", text)
    if entity_type == "PER":
        text = _PERSON_TITLES.sub("", text)
    text = re.sub(r"(?<=\b\w)\.(?=\w\.)|(?<=\b\w\.\w)\.", "", text)  # u.s. -> us, f.b.i. -> fbi
    text = re.sub(r"[^\w\s&'-]", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=200_000)
def _lexicon_name(key: str, entity_type: str) -> str:
    """A country's one name for all its forms ("us", "usa", "united states of america" -> "united states")."""
    if entity_type not in {"GPE", "LOC", "ORG", "NORP"}:
        return key
    code = re.fullmatch(r"[a-z]{2,3}", key)
    if code and entity_type != "GPE":
        return key  # "un", "ap": codes only where the entity is a place
    canonical = country_of(key.upper() if code else key)
    return normalise_name(canonical) if canonical else key


def _person_words(key: str) -> list[str]:
    return [w for w in key.replace(".", " ").split() if w not in _SUFFIXES]


def _first_names_agree(a: str, b: str) -> bool:
    """"donald" ~ "donald", "d" ~ "donald", "dmitri" ~ "dmitry"; "ivanka" !~ "donald"."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    if min(len(a), len(b)) >= 5 and a[:4] == b[:4] and abs(len(a) - len(b)) <= 1:
        # one edit apart: transliterations (Dmitri/Dmitry, Sergei/Sergey, Alexei/Alexey)
        if len(a) == len(b):
            return sum(x != y for x, y in zip(a, b)) <= 1
        short, long_ = sorted((a, b), key=len)
        return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
    return False


@lru_cache(maxsize=200_000)
def _is_name_like(surface: str) -> bool:
    """A proper-name surface ("Kremlin", "The Guardian") rather than a description ("the documents")."""
    words = _fold(surface).replace("[", " ").replace("]", " ").split()
    while words and words[0].lower() in {"the", "a", "an"}:
        words.pop(0)
    if not words:
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() or w.lower() in _GENERIC_WORDS for w in words)


@lru_cache(maxsize=200_000)
def _display(name: str, entity_type: str) -> str:
    """A readable name: memo all-caps title-cased ("Donald TRUMP" -> "Donald Trump"), spaces folded."""
    name = " ".join(_fold(name).split())
    words = name.split()
    if entity_type == "PER" or (entity_type in {"GPE", "LOC"} and all(w.isupper() for w in words if w.isalpha())):
        words = [w[0] + w[1:].lower() if w.isupper() and w.isalpha() and len(w) > 2 and w.lower() not in _SUFFIXES
                 else w for w in words]
    return " ".join(words)


def canonical_id(entity_type: str, name: str, salt: str = "") -> str:
    """"X-" + sha1 of the type class and normalised canonical name (plus a salt when two collide)."""
    basis = f"{type_class(entity_type, name)}|{normalise_name(name, entity_type)}" + (f"|{salt}" if salt else "")
    return "X-" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Signature:
    """What matching compares of an entity: two entities with one signature under one key are one."""

    cls: str  # type class
    key: str  # normalised canonical name (after the lexicon)
    person: bool  # a person named with first name and surname
    name_like: bool  # its name is a proper name, not a description


@dataclass(frozen=True)
class MatchKeys:
    """How one per-document entity is matched: its signature, its keys, and for people the surname."""

    signature: Signature
    keys: tuple[str, ...]  # every match key, sorted
    surname: str | None = None  # people: the last word of the name
    first: str | None = None  # full-named people: the first word (none: named by surname alone)


def match_keys(entity: Entity, date: str | None) -> MatchKeys:
    """The signature and match keys of a per-document entity (role descriptions resolved as of `date`)."""
    cls = type_class(entity.type, entity.name)
    is_person = entity.type == "PER"
    name = _display(entity.name, entity.type)
    key = _lexicon_name(normalise_name(name, entity.type), entity.type)
    keys = {key} if key else set()
    for alias in entity.aliases:
        alias_key = _lexicon_name(normalise_name(alias, entity.type), entity.type)
        if not alias_key:
            continue
        if cls in _DESCRIPTIVE and not _is_name_like(alias):
            alias_key = _TRAILING_TIME.sub("", alias_key)
        if _is_name_like(alias) or (cls in _DESCRIPTIVE and _specific(alias_key)):
            if is_person and len(_person_words(alias_key)) > 1 and key and \
                    _person_words(alias_key)[-1] != _person_words(key)[-1]:
                continue  # an alias with another person's full name is an in-document error; not a key
            keys.add(alias_key)
    if cls in _DESCRIPTIVE and key and not _is_name_like(entity.name):
        keys.discard(key)
        key = _TRAILING_TIME.sub("", key)
        if _specific(key):
            keys.add(key)  # "the election", "the group": too generic to match across documents
    words = _person_words(key) if is_person and keys else []
    full = len(words) > 1
    return MatchKeys(Signature(cls, key, full, _is_name_like(entity.name)), tuple(sorted(keys)),
                     surname=words[-1] if words else None, first=words[0] if full else None)


def _specific(key: str) -> bool:
    """A lower-case description specific enough to match across documents: two content words or more."""
    return len([w for w in key.split() if w not in _GENERIC_WORDS]) >= 2


def _compatible(a: Signature, b: Signature, match_key: str) -> bool:
    """Whether two entities sharing `match_key` are one (symmetric; always true for one signature)."""
    if a.person and b.person and not _same_person(a.key, b.key):
        return False  # two full names behind one key (an alias) must agree on first names
    if match_key == a.key and match_key == b.key:
        return True  # the same name
    # Through an alias: not between two different proper names ("Russia" with the alias
    # "Moscow" in a text that uses Moscow for the state is not the city "Moscow").
    if a.name_like and b.name_like and a.key != b.key:
        ta, tb = set(a.key.split()), set(b.key.split())
        return ta <= tb or tb <= ta
    return True


def _same_person(a: str, b: str) -> bool:
    wa, wb = _person_words(a), _person_words(b)
    return wa[-1] == wb[-1] and _first_names_agree(wa[0], wb[0])


def joined(pairs: Iterable[tuple[Member, Member]]) -> Callable[[Member], Member]:
    """The set a set ends up in once these pairs of sets are joined (itself, when it joins none)."""
    final = UnionFind()
    for a, b in pairs:
        final.add(a)
        final.add(b)
        final.union(a, b)
    return lambda root: final.find(root) if root in final.parent else root


def lone_joins(people: dict[str, set[Member]], lone: dict[str, set[Member]]) -> list[tuple[Member, Member]]:
    """Which sets people named by a surname alone join: (set, set) pairs.

    `people` and `lone` give, per surname, the sets (their roots) of its full-named and of its
    lone people. A lone surname joins the full-named people with it only if they are all one
    person; with no full-named person the lone ones are one. Computed on the sets before any
    of these joins, so the answer does not depend on the order of surnames or documents.
    """
    joins: list[tuple[Member, Member]] = []
    for surname in sorted(lone):
        full = people.get(surname, set())
        targets = lone[surname]
        if len(full) == 1:
            joins += [(root, next(iter(full))) for root in sorted(targets)]
        elif not full and len(targets) > 1:
            first = min(targets)
            joins += [(root, first) for root in sorted(targets) if root != first]
    return joins


class UnionFind:
    """Sets of members; a set's root is its smallest member, whatever the order of the unions."""

    def __init__(self) -> None:
        self.parent: dict[Member, Member] = {}

    def add(self, item: Member) -> None:
        self.parent.setdefault(item, item)

    def find(self, item: Member) -> Member:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: Member, b: Member) -> Member:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        keep, drop = min(ra, rb), max(ra, rb)
        self.parent[drop] = keep
        return keep


class EntityResolver:
    """Incremental, order-independent resolver: `add` matches one document's entities against a key index.

    Two entities are one when they share a match key and are compatible, or are full-named
    people with one surname whose first names agree; the sets are the connected components of
    that, so adding documents in any order, or some now and the rest later, gives the same
    sets. The index keeps one member of each signature under a key: entities with one
    signature are always compatible, so comparing signatures finds every pair.
    """

    def __init__(self) -> None:
        self.records: dict[Member, tuple[Entity, MatchKeys]] = {}
        self.documents: set[str] = set()
        self.index: dict[tuple[str, str], dict[Signature, Member]] = {}  # (type class, key) -> signature -> a member
        self.people: dict[str, dict[str, Member]] = {}  # surname -> first name -> a full-named person
        self.lone: dict[str, set[Member]] = {}  # surname -> people named by it alone
        self.sets = UnionFind()

    def add(self, document: Document, analysis: Analysis) -> None:
        """Match one document's entities against the index and add them (each document once)."""
        document_id = analysis.document_id or document.id
        if document_id in self.documents:
            raise ValueError(f"document {document_id} was already added; build a new resolver to re-resolve")
        self.documents.add(document_id)
        for entity in sorted(analysis.entities, key=lambda e: _key_order(e.key)):
            member = (document_id, entity.key)
            keys = match_keys(entity, document.published)
            self.records[member] = (entity, keys)
            self.place(member, keys)

    def place(self, member: Member, keys: MatchKeys) -> None:
        """Join `member` to every set it matches, and index it."""
        self.sets.add(member)
        signature = keys.signature
        for match_key in keys.keys:
            bucket = self.index.setdefault((signature.cls, match_key), {})
            for other, known in bucket.items():
                if _compatible(signature, other, match_key):
                    self.sets.union(member, known)
            bucket.setdefault(signature, member)
        if keys.first is not None:
            people = self.people.setdefault(keys.surname or "", {})
            for first, known in people.items():
                if _first_names_agree(keys.first, first):
                    self.sets.union(member, known)
            people.setdefault(keys.first, member)
        elif keys.surname is not None:
            self.lone.setdefault(keys.surname, set()).add(member)

    def restore(self, signature: Signature, match_key: str, root: Member) -> None:
        """A saved set known under `match_key` with `signature` (the store's incremental run)."""
        self.sets.add(root)
        self.index.setdefault((signature.cls, match_key), {}).setdefault(signature, root)

    def restore_person(self, surname: str, first: str, root: Member) -> None:
        """A saved set of full-named people with this surname and first name."""
        self.sets.add(root)
        self.people.setdefault(surname, {}).setdefault(first, root)

    def groups(self) -> list[list[Member]]:
        """The members of each canonical entity, people named by surname alone attached where unambiguous."""
        people = {surname: {self.sets.find(m) for m in firsts.values()} for surname, firsts in self.people.items()}
        lone = {surname: {self.sets.find(m) for m in members} for surname, members in self.lone.items()}
        top = joined(lone_joins(people, lone))
        grouped: dict[Member, list[Member]] = defaultdict(list)
        for member in self.records:
            grouped[top(self.sets.find(member))].append(member)
        return [sorted(members) for _, members in sorted(grouped.items())]

    def result(self) -> list[CanonicalEntity]:
        entities = [canonical_entity([(m, self.records[m][0]) for m in group]) for group in self.groups()]
        return _assign_ids(entities, [canonical_id(e.type, e.name) for e in entities])[0]


@lru_cache(maxsize=200_000)
def _form(text: str) -> tuple[str, str]:
    """A surface form with spaces folded, and its case-folded key."""
    form = " ".join(_fold(text).split())
    return form, form.casefold()


@lru_cache(maxsize=200_000)
def _key_order(key: str) -> tuple[int, str]:
    digits = re.sub(r"\D", "", key)
    return (int(digits) if digits else 0, key)


def canonical_entity(members: list[tuple[Member, Entity]], name: str | None = None) -> CanonicalEntity:
    """The canonical entity over these per-document entities: the commonest type (its id is assigned later)."""
    summary = EntitySummary()
    for member, entity in members:
        summary.add(member, entity)
    built = summary.entity(name=name)
    built.members = sorted((m for m, _ in members), key=_member_order)
    return built


def _member_order(member: Member) -> tuple[str, tuple[int, str]]:
    return (member[0], _key_order(member[1]))


Position = tuple[str, int, str, int]  # a surface form's place: its member in member order, then its place in the member


@dataclass
class EntitySummary:
    """What a canonical entity's type, name, aliases and id need from its members, and nothing more.

    Summaries combine (`merge`) into exactly the summary of all their members, so the store keeps
    one per set (entity_sets) and re-resolves an entity from its sets' summaries, not their members.
    Aliases need, per case-folded form, only its two first spellings: the first that is not the
    chosen name is the alias.
    """

    size: int = 0
    first: Member | None = None  # the first member in member order (ids tell homonyms apart by it)
    first_name: str = ""  # its name (the name of last resort)
    documents: list[str] = field(default_factory=list)  # the two smallest document ids: cross-document or not
    types: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    forms: dict[str, list[tuple[Position, str]]] = field(default_factory=dict)

    def add(self, member: Member, entity: Entity) -> None:
        """Count one per-document entity in."""
        if self.first is None or _member_order(member) < _member_order(self.first):
            self.first, self.first_name = member, entity.name
        self.size += 1
        if member[0] not in self.documents:
            self.documents = sorted([*self.documents, member[0]])[:2]
        self.types[entity.type] += 1
        self.names[entity.name] += 1
        digits, key = _key_order(member[1])
        for i, text in enumerate([entity.name, *entity.aliases]):
            form, folded = _form(text)
            if form:
                self._add_forms(folded, [((member[0], digits, key, i), form)])

    def merge(self, other: EntitySummary) -> None:
        """Count another summary's members in (members are never counted twice)."""
        if other.first is not None and (self.first is None or _member_order(other.first) < _member_order(self.first)):
            self.first, self.first_name = other.first, other.first_name
        self.size += other.size
        self.documents = sorted(set(self.documents) | set(other.documents))[:2]
        self.types.update(other.types)
        self.names.update(other.names)
        for folded, forms in other.forms.items():
            self._add_forms(folded, forms)

    def _add_forms(self, folded: str, items: list[tuple[Position, str]]) -> None:
        kept: list[tuple[Position, str]] = []
        for item in sorted([*self.forms.get(folded, []), *items]):
            if all(item[1] != form for _, form in kept):
                kept.append(item)
                if len(kept) == 2:
                    break
        self.forms[folded] = kept

    def entity(self, name: str | None = None) -> CanonicalEntity:
        """The canonical entity these members make: the commonest type, the chosen (or given) name, the
        other spellings as aliases; no members and no id (assigned later)."""
        entity_type = max(self.types, key=lambda t: (self.types[t], t)) if self.types else "OTHER"
        chosen = name or _pick_name(entity_type, self.names) or self.first_name
        named = type_class(entity_type, chosen)
        if named != type_class(entity_type):  # "Steele Dossier" tagged ORG: a work's type if any member has one
            entity_type = max((t for t in self.types if type_class(t) == named), key=lambda t: (self.types[t], t),
                              default=entity_type)
        seen = normalise_name(chosen, entity_type)
        aliases = []
        for folded, forms in self.forms.items():
            alias = next((form for _, form in forms if form != chosen), None)
            if folded != seen and alias:
                aliases.append(alias)
        return CanonicalEntity(id="", name=chosen, type=entity_type, aliases=sorted(aliases))

    @property
    def rank(self) -> tuple[int, list[Member]]:
        """What tells entities with one base id apart: the most members, then the first member."""
        return (self.size, [self.first] if self.first else [])

    def to_json(self) -> str:
        return json.dumps({"size": self.size, "first": self.first, "first_name": self.first_name,
                           "documents": self.documents, "types": self.types, "names": self.names,
                           "forms": self.forms}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> EntitySummary:
        data = json.loads(text)
        return cls(size=data["size"], first=tuple(data["first"]) if data["first"] else None,
                   first_name=data["first_name"], documents=data["documents"], types=Counter(data["types"]),
                   names=Counter(data["names"]),
                   forms={folded: [(tuple(position), form) for position, form in forms]
                          for folded, forms in data["forms"].items()})


def _pick_name(entity_type: str, names: Counter[str]) -> str:
    counts: Counter[str] = Counter()
    for name, count in names.items():
        if name.strip():
            counts[_display(name, entity_type)] += count
    if not counts:
        return ""

    def score(name: str) -> tuple[Any, ...]:
        not_caps = not all(w.isupper() for w in name.split() if w.isalpha() and len(w) > 3)
        if entity_type == "PER":  # the fullest name: "Donald Trump" over "Trump"
            return (len(_person_words(normalise_name(name, "PER"))), not_caps, counts[name], len(name), name)
        return (not_caps, counts[name], len(name), name)

    return max(counts, key=score)


def _assign_ids(entities: list[CanonicalEntity], bases_of: list[str],
                ranks: list[tuple[int, list[Member]]] | None = None) -> tuple[list[CanonicalEntity], dict[str, str]]:
    """Stable ids from each entity's base (the plain id of its name); where two entities share a
    base (a split), the larger keeps the plain id. Also returns each id's base. `ranks` gives each
    entity's (size, [first member]) where its members are not at hand."""
    if ranks is None:
        ranks = [(len(e.members), e.members[:1]) for e in entities]
    by_base: dict[str, list[tuple[CanonicalEntity, tuple[int, list[Member]]]]] = defaultdict(list)
    for entity, base, rank in zip(entities, bases_of, ranks):
        by_base[base].append((entity, rank))
    bases: dict[str, str] = {}
    for base, same in by_base.items():
        same.sort(key=lambda pair: (-pair[1][0], pair[1][1]))
        same[0][0].id = base
        for other, (_, first) in same[1:]:
            member = first[0] if first else ("", "")
            other.id = canonical_id(other.type, other.name, salt=f"{member[0]}:{member[1]}")
        bases.update((entity.id, base) for entity, _ in same)
    return sorted(entities, key=lambda e: (e.name.casefold(), e.id)), bases


def resolve_entities(inputs: Iterable[tuple[Document, Analysis]]) -> list[CanonicalEntity]:
    """Canonical cross-document entities of these (document, analysis) pairs; a pure function."""
    resolver = EntityResolver()
    for document, analysis in sorted(inputs, key=lambda pair: (pair[1].document_id or pair[0].id)):
        resolver.add(document, analysis)
    return resolver.result()


# ---------------------------------------------------------------------- corrections


@dataclass
class CorrectionOutcome:
    applied: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)  # its members are gone from the corpus
    bases: dict[str, str] = field(default_factory=dict)  # canonical id -> the plain id of its members' name


def apply_entity_corrections(
    entities: list[CanonicalEntity],
    corrections: Iterable[EntityCorrection],
    per_document: dict[Member, Entity],
) -> tuple[list[CanonicalEntity], CorrectionOutcome]:
    """The canonical entities with the analyst's corrections replayed in order (oldest first).

    `per_document` maps each member to its per-document entity (names, types, aliases).
    """
    return correct_groups([list(e.members) for e in entities], corrections, per_document)


def correct_groups(
    groups_in: list[list[Member]],
    corrections: Iterable[EntityCorrection],
    per_document: dict[Member, Entity],
    *,
    homonyms: Callable[[set[str]], list[tuple[CanonicalEntity, str]]] | None = None,
) -> tuple[list[CanonicalEntity], CorrectionOutcome]:
    """The canonical entities of these groups of members, corrections replayed in order.

    The order of the groups matters where a merge keeps the first group's analyst name: the
    store passes them by smallest member, so a run over some groups (those a new document
    touched, with every correction that reaches them) agrees with a run over all. Such a run
    passes `homonyms`: given base ids, the other entities with one of them (and its base),
    which keep everything but their ids and are returned with the rest.
    """
    outcome = CorrectionOutcome()
    groups: list[list[Member] | None] = [list(group) for group in groups_in]
    names: list[str | None] = [None for _ in groups]  # analyst names
    owner: dict[Member, int] = {m: i for i, group in enumerate(groups_in) for m in group}

    def group_of(members: Iterable[Member]) -> list[int]:
        found: list[int] = []
        for member in members:
            index = owner.get(member)
            if index is not None and index not in found:
                found.append(index)
        return found

    for correction in sorted(corrections, key=lambda c: c.id):
        if correction.action == "merge":
            sides = [group_of(side) for side in correction.members]
            if len(sides) < 2 or not all(sides):
                outcome.stale.append(correction.id)
                continue
            indices = sorted({i for side in sides for i in side})
            keep = indices[0]
            for index in indices[1:]:
                groups[keep] += groups[index]  # type: ignore[operator]
                for member in groups[index] or []:
                    owner[member] = keep
                names[keep] = names[keep] or names[index]
                groups[index] = None
        elif correction.action == "split":
            moved = correction.members[0][0] if correction.members and correction.members[0] else None
            at = owner.get(moved) if moved else None
            if moved is None or at is None:
                outcome.stale.append(correction.id)
                continue
            if len(groups[at] or []) > 1:
                groups[at].remove(moved)  # type: ignore[union-attr]
                groups.append([moved])
                names.append(None)
                owner[moved] = len(groups) - 1
        elif correction.action == "rename":
            votes = Counter(owner[m] for m in (correction.members[0] if correction.members else ()) if m in owner)
            if not votes or not correction.value:
                outcome.stale.append(correction.id)
                continue
            names[max(votes, key=lambda i: (votes[i], -i))] = correction.value
        else:
            outcome.stale.append(correction.id)
            continue
        outcome.applied.append(correction.id)

    result: list[CanonicalEntity] = []
    bases: list[str] = []
    for group, name in zip(groups, names):
        if not group:
            continue
        pairs = [(m, per_document[m]) for m in group if m in per_document]
        auto = canonical_entity(pairs)
        built = canonical_entity(pairs, name=name) if name else auto
        if name and auto.name.casefold() != name.casefold() and auto.name not in built.aliases:
            built.aliases = sorted([*built.aliases, auto.name])
        bases.append(canonical_id(built.type, auto.name))  # a rename keeps the id the members would have had
        result.append(built)
    for entity, base in homonyms(set(bases)) if homonyms else ():
        result.append(entity)
        bases.append(base)
    entities, outcome.bases = _assign_ids(result, bases)
    return entities, outcome


def summary_entities(
    summaries: list[EntitySummary],
    *,
    homonyms: Callable[[set[str]], list[tuple[CanonicalEntity, str, tuple[int, list[Member]]]]],
) -> tuple[list[CanonicalEntity], dict[str, str]]:
    """The canonical entities of groups given by their summaries, no correction applying to them: what
    correct_groups makes of their members, without the members. `homonyms` as there, with each
    one's rank (EntitySummary.rank). Returns the entities in the summaries' order, and each id's base."""
    entities = [summary.entity() for summary in summaries]
    bases = [canonical_id(e.type, e.name) for e in entities]
    ranks = [summary.rank for summary in summaries]
    others = homonyms(set(bases))
    _, found = _assign_ids(entities + [e for e, _, _ in others], bases + [b for _, b, _ in others],
                           ranks + [r for _, _, r in others])
    return entities, found
