"""Entities and mentions of one document: names, role descriptions, groups, works, anonymous sources.

Usage (the Doc must be built over the prepared text so NER sees memo surnames as names;
offsets are unchanged because prepare_text only changes letter case):

    doc = nlp(prepare_text(document.text))
    entities, mentions = find_entities(doc, document_date=document.published,
                                       zones=document.zones, text=document.text)

No ML coreference is available offline (MODELS.md section 4), so linking is rules: per-document
type voting, surname -> full name, role descriptions resolved to the people the document itself
names with that role, abbreviations from the text, and recency for anaphors.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc

from claimgraph.analyse.mentions import (Candidate, name_candidates, nominal_candidates,
                                         prepare_text, repeated_names, role_candidates)
from claimgraph.analyse.countries import country_of, country_of_word, demonym_of
from claimgraph.analyse.roles import Holder, holders_in_text, parse_role, resolve_role
from claimgraph.models import Entity, Mention, Zone
from claimgraph.analyse.sentences import doc_text

__all__ = ["find_entities", "prepare_text", "resolve_description", "STEP"]

STEP = "entities.v1"
# Zones whose text is metadata, not the document's own words.
_SKIP_ZONES = frozenset({"header"})
_TITLES = re.compile(
    r"^(?:(?:the\s+)?(?:former\s+|late\s+)?(?:president|prime\s+minister|minister|foreign\s+minister|speaker|"
    r"senator|sen\.|rep\.|mr\.?|mrs\.?|ms\.?|dr\.?|sir|general|gen\.|director|secretary|chancellor|"
    r"governor|judge|justice|candidate|agent|ambassador|lord|lady|king|queen|prince)\s+)+",
    re.I,
)


@dataclass
class _Cluster:
    type: str
    names: Counter[str] = field(default_factory=Counter)
    mentions: list[tuple[Candidate, str]] = field(default_factory=list)  # (candidate, mention kind)
    fixed_name: str = ""

    def first(self) -> int:
        return min(c.start for c, _ in self.mentions)


def _zone_filter(candidates: list[Candidate], zones: list[Zone]) -> list[Candidate]:
    """Drop candidates in metadata zones and cut any that run past the end of their zone."""
    if not zones:
        return candidates
    kept = []
    for cand in candidates:
        zone = next((z for z in zones if z.start <= cand.start < z.end), None)
        if zone is not None and zone.kind in _SKIP_ZONES:
            continue
        if zone is not None and cand.end > zone.end:
            cand.end = zone.end
        kept.append(cand)
    return kept


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _canonical_person(name: str) -> str:
    name = _TITLES.sub("", " ".join(name.replace("[", " ").replace("]", " ").split()))
    words = name.split()
    while len(words) > 2 and re.fullmatch(r"[A-Z]{2,5}", words[0]):
        words.pop(0)  # "DAG Rod Rosenstein": a leading acronym is a title (memo surnames are title-cased by now)
    name = " ".join(words)
    return " ".join(w[0] + w[1:].lower() if w.isupper() and w.isalpha() and len(w) > 2 and w.lower() not in _SUFFIXES else w
                    for w in name.split())


def _surname(name: str) -> str:
    """The last word of a name that is not a suffix ("Robert S. Mueller III" -> "mueller")."""
    words = [w for w in name.lower().split() if w not in _SUFFIXES] or name.lower().split()
    return words[-1] if words else ""


def _vote_types(names: list[Candidate]) -> None:
    """One type per name string per document: a surname seen as a person anywhere is a person."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    surnames: set[str] = set()
    for cand in names:
        votes[cand.name.lower()][cand.type] += 1
        if cand.type == "PER" and " " in cand.name.strip():
            surnames.add(_surname(_canonical_person(cand.name)))
    for cand in names:
        if cand.type in {"NORP", "DOC"}:
            continue
        lower = cand.name.lower()
        counts = votes[lower]
        if country_of(cand.name):
            cand.type = "GPE"  # NER calls "U.S." an ORG now and then
            continue
        if (" " not in lower and lower in surnames) or (
                counts["PER"] and counts["PER"] >= max(v for t, v in counts.items() if t != "PER") if len(counts) > 1
                else counts["PER"]):
            cand.type = "PER"
        else:
            cand.type = counts.most_common(1)[0][0]


def _link_names(names: list[Candidate], clusters: dict[str, _Cluster], text: str) -> None:
    full: dict[str, list[str]] = defaultdict(list)  # surname -> keys of multi-word person clusters
    people = sorted((c for c in names if c.type == "PER"), key=lambda c: -len(c.name.split()))
    for cand in people:
        canonical = _canonical_person(cand.name)
        words = canonical.split()
        if not words:
            continue
        key = None
        if len(words) == 1:
            keys = full.get(_surname(canonical))
            if keys:
                key = keys[0]
        else:
            for other in full.get(_surname(canonical), []):
                other_words = other.removeprefix("per:").split()
                # "Donald Trump" and "Donald J. Trump" are one person; "Ivanka Trump" is not.
                middle, other_middle = [w.lower() for w in words[1:-1]], other_words[1:-1]
                # "George W. Bush" and "George H.W. Bush" differ only in the middle.
                if other_words[0] == words[0].lower() and not (middle and other_middle and middle != other_middle):
                    key = other
                    break
        if key is None:
            key = "per:" + canonical.lower()
            if len(words) > 1:
                full[_surname(canonical)].append(key)
        cluster = clusters.setdefault(key, _Cluster("PER"))
        cluster.names[canonical] += 1
        cluster.mentions.append((cand, "name"))
    ministries: dict[str, set[str]] = defaultdict(set)  # ministry key -> countries the text gives it
    for cand in names:
        if cand.type == "PER":
            continue
        if spelled := re.fullmatch(r"(.+?)\s*\(\s*((?:[A-Z]\.?){2,6})\s*\)?", cand.name):
            cand.name = spelled.group(1)  # NER's "Federal Bureau of Investigation (FBI": the name and its abbreviation
        place = country_of(cand.name)
        key = f"{cand.type.lower()}:" + (place or cand.name).lower()
        if (topic := _ministry_topic(cand.name)) is not None:
            key = "org:ministry:" + topic
            if country := _country_before(text, cand.start) or country_of_word(cand.name.split()[0]):
                ministries[key].add(country)
        if cand.key.startswith("doc:"):
            key = cand.key
        cluster = clusters.setdefault(key, _Cluster(cand.type))
        cluster.names[place or cand.name] += 1
        cluster.mentions.append((cand, "name"))
    _merge_abbreviations(clusters, text)
    _name_ministries(clusters, ministries)


_FUNCTION = frozenset({"of", "the", "and", "for", "on", "in", "&"})


def _ministry_topic(name: str) -> str | None:
    """ "Foreign Ministry", "Ministry of Foreign Affairs", "the Russian Foreign Ministry" -> "foreign"."""
    words = [w for w in re.findall(r"[\w-]+", name.lower()) if w not in _FUNCTION]
    if "ministry" not in words:
        return None
    topic = [w for w in words if w not in {"ministry", "affairs"} and not country_of_word(w.title())]
    return " ".join(topic) if topic else None


def _country_before(text: str, start: int) -> str | None:
    """The country named just before a name ("Russia's Foreign Ministry", "the Russian Foreign Ministry")."""
    match = re.search(r"([A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)(?:['\u2019]s)?\s+$", text[max(0, start - 40):start])
    return country_of_word(match.group(1)) if match else None


def _initials(name: str) -> str:
    words = [w for w in re.findall(r"[\w-]+", re.sub(r"^the\s+", "", name, flags=re.I)) if w.lower() not in _FUNCTION]
    return "".join(w[0] for w in words).upper() if len(words) > 1 else ""


def _merge_abbreviations(clusters: dict[str, _Cluster], text: str) -> None:
    """ "the Federal Bureau of Investigation (FBI)" or an acronym matching the initials of an
    organisation the document names: one entity. A ministry's acronym matches its "Ministry of X
    Affairs" form ("MFA")."""
    for key, cluster in list(clusters.items()):
        if cluster.type == "PER" or key not in clusters:
            continue
        acronyms = {n.replace(".", "").upper() for n in cluster.names
                    if re.fullmatch(r"(?:[A-Z]\.?){2,6}", re.sub(r"^the\s+", "", n, flags=re.I))}
        for acronym in acronyms:
            target = None
            for other_key, other in clusters.items():
                if other_key == key or other.type == "PER":
                    continue
                forms = set(other.names)
                if other_key.startswith("org:ministry:"):
                    topic = other_key.removeprefix("org:ministry:")
                    forms |= {f"Ministry of {topic} Affairs", f"Ministry of {topic}"}
                if any(_initials(f) == acronym for f in forms) or any(
                        re.search(rf"{re.escape(f)}\s*\(\s*(?:the\s+)?{re.escape(acronym)}\s*\)", text) for f in other.names):
                    target = other_key
                    break
            if target is not None:
                merged = clusters[target]
                merged.mentions += cluster.mentions
                merged.names.update(cluster.names)
                if merged.type not in {"ORG", "GPE"}:
                    merged.type = "ORG"
                del clusters[key]
                break


def _name_ministries(clusters: dict[str, _Cluster], ministries: dict[str, set[str]]) -> None:
    """A ministry is named for the one country the text gives it ("Russia's foreign ministry"), else
    for the one country the document names; never by default."""
    named = {x for x in (country_of(n) for c in clusters.values() if c.type == "GPE" for n in c.names) if x is not None}
    for key in [k for k in clusters if k.startswith("org:ministry:")]:
        countries = ministries.get(key) or (named if len(named) == 1 else set())
        if len(countries) != 1:
            continue
        country = next(iter(countries))
        cluster = clusters.pop(key)
        topic = key.removeprefix("org:ministry:")
        name = f"{demonym_of(country) or country} {topic.title()} Ministry"
        cluster.names[name] += max(cluster.names.values(), default=0) + 1
        cluster.type = "ORG"
        clusters[f"org:ministry:{country.lower()}:{topic}"] = cluster


def _person_key(clusters: dict[str, _Cluster], name: str) -> str:
    """The cluster of a person named by the role lexicon, made if the document never names them."""
    words = name.lower().split()
    for key, cluster in clusters.items():
        if cluster.type == "PER" and key.startswith("per:"):
            existing = key.removeprefix("per:").split()
            if existing == words or (existing[-1] == words[-1] and (len(existing) == 1 or existing[0] == words[0])):
                return key
    key = "per:" + name.lower()
    clusters[key] = _Cluster("PER", fixed_name=name)
    return key


def _recent(clusters: dict[str, _Cluster], position: int, types: set[str]) -> str | None:
    """The cluster of the latest mention before `position` whose entity has one of `types`."""
    best: tuple[int, str] | None = None
    for key, cluster in clusters.items():
        if cluster.type not in types:
            continue
        for cand, _ in cluster.mentions:
            if cand.end <= position and (best is None or cand.start > best[0]):
                best = (cand.start, key)
    return best[1] if best else None


def _recent_named(clusters: dict[str, _Cluster], base: str, position: int) -> str | None:
    best: tuple[int, str] | None = None
    for key, cluster in clusters.items():
        if key.startswith(base + ":"):
            for cand, _ in cluster.mentions:
                if cand.end <= position and (best is None or cand.start > best[0]):
                    best = (cand.start, key)
    return best[1] if best else None


_POSSESSED = re.compile(r"(?:his|her|their|its)\s", re.IGNORECASE)


def _words(text: str) -> set[str]:
    lower = re.sub(r"[^\w\s]", " ", text.lower())
    words = set(lower.split()) - {"the", "a", "an", "of", "in", "and"}
    for word in re.findall(r"[A-Z][\w.]+", text):
        if country := country_of_word(word):
            words.add("country:" + country.lower())  # "a Russian official" ~ "an official in Russia"
    for name in re.findall(r"(?:[A-Z][\w-]*\s+)*[Mm]inistry(?:\s+of(?:\s+[A-Z][\w-]*)+)?", text):
        if topic := _ministry_topic(name):
            words.add("ministry:" + topic[0])  # "Foreign Ministry official" ~ "the MFA official"
    for acronym in re.findall(r"\bM([A-Z])A?\b", text):
        words.add("ministry:" + acronym.lower())
    return words


def _link_nominals(cands: list[Candidate], clusters: dict[str, _Cluster], text: str,
                   document_date: str | None) -> None:
    holders = holders_in_text(text)  # "Dmitry Peskov, the Kremlin spokesman": who holds which role here
    for cand in sorted(cands, key=lambda c: c.start):
        surface = text[cand.start:cand.end]
        key: str | None = None
        if cand.role:
            name = resolve_role(cand.role, holders=holders)
            key = _person_key(clusters, name) if name else None
        elif cand.same_as is not None:  # an appositive: the entity of the name it describes
            key = next((k for k, c in clusters.items()
                        if any((m.start, m.end) == cand.same_as for m, _ in c.mentions)), None)
        elif cand.key == "age":
            key = _recent(clusters, cand.start, {"PER"})
        elif cand.kind == "pronoun":  # s/he: the source most recently mentioned
            key = _recent(clusters, cand.start, {"ANON_SOURCE"})
        elif cand.key == "anon-ref":
            wanted = _words(surface) | {cand.head}
            scored = [(len(wanted & _words(text[m.start:m.end])), m.start, k)
                      for k, c in clusters.items() if c.type == "ANON_SOURCE"
                      for m, _ in c.mentions if m.end <= cand.start and m.head == cand.head]
            scored = [s for s in scored if s[0] >= 2]
            key = max(scored)[2] if scored else None
        elif cand.key.startswith("anon:"):
            # The same indefinite description twice ("a trusted compatriot") is one source.
            norm = " ".join(re.sub(r"^(?:an?|the)\s+", "", surface.lower()).split())
            key = "anon:" + norm
            clusters.setdefault(key, _Cluster("ANON_SOURCE", fixed_name=surface.strip()))
        elif cand.key == "anaphor":  # "the group", "the country": the latest fitting entity
            types = {cand.type, "GROUP"} if cand.type == "ORG" else {cand.type}
            key = _recent(clusters, cand.start, types)
        else:
            key = cand.key
            if key.count(":") == 1 and key.split(":")[0] in {"doc", "event"} and not _POSSESSED.match(surface):
                # A generic "the dossier" / "the election" means the latest named one, if any; not
                # "her campaign" (whose it is the pronoun says, not the latest named campaign).
                key = _recent_named(clusters, key, cand.start) or key
            if key.startswith("source:"):
                clusters.setdefault(key, _Cluster("ANON_SOURCE", fixed_name=surface.split(",")[0]))
            else:
                clusters.setdefault(key, _Cluster(cand.type, fixed_name=surface))
        if key is None:
            continue
        cluster = clusters[key]
        cluster.mentions.append((cand, cand.kind))
        if cand.kind == "name" and cand.name:
            cluster.names[cand.name] += 1  # "report No 32-04 \ vd" names the report


def _entity_name(key: str, cluster: _Cluster) -> str:
    if cluster.type == "PER" and cluster.names:
        # The longest name form is the canonical one ("Donald Trump" over "Trump").
        return max(cluster.names, key=lambda n: (len(n.split()), cluster.names[n], n))
    if cluster.names:
        return max(cluster.names, key=lambda n: (cluster.names[n], len(n), n))
    name = re.sub(r"^(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir)\s+", "", cluster.fixed_name)
    return " ".join(name.split()) or key


def find_entities(doc: Doc, *, document_date: str | None, zones: list[Zone],
                  text: str | None = None) -> tuple[list[Entity], list[Mention]]:
    """Entities (keys E1, E2, ... by first mention) and all their mentions in one document.

    `doc` is spaCy's parse of prepare_text(text); `text` is the document's own text, used for
    the mentions' surface forms (defaults to doc_text(doc), which differs only in letter case).
    """
    source = text if text is not None else doc_text(doc)
    if len(source) != len(doc_text(doc)):
        raise ValueError("find_entities: doc must be nlp(prepare_text(text)) over the same text; "
                         f"lengths differ ({len(doc_text(doc))} vs {len(source)})")
    names = name_candidates(doc)
    names = _zone_filter(names + repeated_names(doc, names), zones)
    nominals = _zone_filter(role_candidates(doc) + nominal_candidates(doc), zones)
    name_spans = {(c.start, c.end) for c in names}
    # A noun chunk that is also a name ("The National") is that name, not a description; a role
    # inside an organisation's name ("Office of the Director of National Intelligence") is no person.
    nominals = [c for c in nominals if (c.start, c.end) not in name_spans and not (
        c.role and any(n.start <= c.start and c.end <= n.end and n.type != "PER" for n in names))]
    _vote_types(names)
    for cand in names:
        if cand.type == "PER" and (article := re.match(r"[Tt]he\s+", doc_text(doc)[cand.start:cand.end])):
            cand.start += article.end()  # NER's "the Trump campaign" ORG turned out to be a person
    appositives = [(c.start, c.end) for c in names if c.same_as is not None]
    # "a former adviser" inside "Carter Page, a former adviser with ties to Russia" is Page, not a new source.
    nominals = [c for c in nominals if not (c.kind == "anonymous" and c.key.startswith("anon:") and any(
        s <= c.start and c.end <= e for s, e in appositives))]
    clusters: dict[str, _Cluster] = {}
    _link_names([c for c in names if not c.key], clusters, doc_text(doc))
    doc_names = [c for c in names if c.key]
    _link_nominals(doc_names + nominals, clusters, doc_text(doc), document_date)

    ordered = sorted((c for c in clusters.items() if c[1].mentions), key=lambda kc: (kc[1].first(), kc[0]))
    entities: list[Entity] = []
    mentions: list[Mention] = []
    seen: set[tuple[int, int]] = set()
    for index, (key, cluster) in enumerate(ordered, start=1):
        entity_key = f"E{index}"
        name = _entity_name(key, cluster)
        surfaces = sorted({source[c.start:c.end] for c, _ in cluster.mentions} - {name})
        entities.append(Entity(key=entity_key, name=name, type=cluster.type, aliases=surfaces))
        for cand, kind in cluster.mentions:
            if (cand.start, cand.end) in seen or cand.end <= cand.start:
                continue  # one span is one mention, of the entity that claimed it first
            seen.add((cand.start, cand.end))
            mentions.append(Mention(entity=entity_key, start=cand.start, end=cand.end,
                                    text=source[cand.start:cand.end], kind=kind))
    mentions.sort(key=lambda m: (m.start, m.end))
    return entities, mentions


def resolve_description(text: str, *, entities: list[Entity], document_date: str | None) -> str | None:
    """The key of the entity a speaker description means ("the Russian president" -> Putin's key)."""
    people = [e for e in entities if e.type == "PER"]
    # The roles the document gives its people are in their mentions ("presidential spokesman Dmitry Peskov").
    holders = [Holder(e.name, role) for e in people for alias in e.aliases
               if e.name.split()[-1].lower() in alias.lower() and (role := parse_role(alias)) is not None]
    name = resolve_role(text, holders=holders)
    if name:
        for entity in people:
            if entity.name.lower() == name.lower() or entity.name.split()[-1].lower() == name.split()[-1].lower():
                return entity.key
        return None
    lower = " ".join(text.lower().split())
    bare = re.sub(r"^(?:the|a|an)\s+", "", lower)
    for entity in entities:
        forms = {entity.name.lower(), *(a.lower() for a in entity.aliases)}
        if lower in forms or bare in forms or bare in {re.sub(r"^the\s+", "", f) for f in forms}:
            return entity.key
    canonical = country_of(bare)
    if canonical:
        for entity in entities:
            if entity.name.lower() == canonical.lower():
                return entity.key
    for entity in people:
        if " " not in bare and entity.name.split()[-1].lower() == bare:
            return entity.key
    wanted = _words(text)
    scored = [(len(wanted & _words(" ".join([e.name, *e.aliases]))), e.key)
              for e in entities if e.type == "ANON_SOURCE"]
    scored = [s for s in scored if s[0] >= 2]
    return max(scored)[1] if scored else None
