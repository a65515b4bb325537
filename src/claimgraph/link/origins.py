"""A claim's origin: the first-hand source of what it states, read from its chain and the text.

A claim is counted in the line of whoever made the statement, not of whoever carries it: ten
outlets carrying one spokesman's denial are one denying line. So the innermost element of a
claim's chain is looked at first. A *voice* is a named person or organisation speaking for
itself (a spokesman, a politician, a named expert, a ministry); it is a line of its own, keyed
so that every document quoting it lands on the same key. Anonymous sources, groups and
documents are not voices: what "a senior official" or "documents seen by the paper" say is
known only through the outlet that reports it, so it stays in the carrier's line.

A spokesperson speaks for an organisation: "Dmitry Peskov, the Kremlin spokesman" and "the
Kremlin denied" are one voice, keyed by the organisation the role names. Nothing here names a
person, outlet or place: roles and affiliations come from the text (appositions, aliases that
the per-document analysis attached to the speaker's entity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimgraph.link.provenance import is_publication
from claimgraph.models import Analysis, Claim, Entity
from claimgraph.sources import alternation, outlet_keys, source_key, writing_forms

# Honorifics and offices written before a name: not part of the person's key.
_TITLES = re.compile(
    r"^(?:(?:mr|mrs|ms|miss|dr|sir|dame|lord|lady|prof|professor|president|vice[- ]president|senator|sen|"
    r"rep|representative|congressman|congresswoman|gov|governor|mayor|director|secretary|minister|"
    r"prime minister|foreign minister|chancellor|king|queen|prince|general|gen|col|colonel|lt|"
    r"judge|justice|chief|former|ex|acting|deputy|ambassador|press secretary|spokesman|spokeswoman|"
    r"spokesperson|attorney general|special counsel|agent|officer|detective|rev|father)\.?\s+)+",
    re.IGNORECASE,
)
_SUFFIX = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_OFFICE = re.compile(r"^(?:[A-Z][\w.'’-]*\s+)+?(?:Press Secretary|Secretary|Spokes(?:man|woman|person)|Minister|Director|"
                     r"Chairman|Chairwoman|Ambassador|Counsel|Adviser|Advisor)\s+(?=[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)+$)")
# Head nouns of descriptions that hide who speaks (anonymous sources, groups) or name a writing:
# their statements are known only through the carrier, so they are never a voice of their own.
_HIDDEN = re.compile(
    r"\b(?:sources?|officials?|figures?|insiders?|associates?|aides?|persons?|people|colleagues?|"
    r"compatriots?|friends?|individuals?|members?|staffers?|employees?|experts?|analysts?|diplomats?|"
    r"observers?|critics?|allies|supporters?|investigators?|"
    + alternation(writing_forms(also=("letter", "letters", "cable", "cables", "email", "emails", "e-mail", "e-mails",
                                      "record", "records", "leak", "leaks", "note", "notes", "transcript", "transcripts",
                                      "minutes", "studies", "study", "survey", "poll", "analysis", "assessment",
                                      "decree", "order"),
                                without=("memorandum",))) + r")\b",
    re.IGNORECASE,
)
# Roles whose holder speaks for an organisation named before the role ("Kremlin spokesman",
# "the White House press secretary", "a spokeswoman for the ministry").
_SPOKES = r"(?:chief |deputy |senior |official |foreign |press )?(?:spokes(?:man|woman|person|people)|press secretary|press office|press service|press officer|mouthpiece)"
_ORG_BEFORE = re.compile(
    rf"^(?:(?i:the|a|an)\s+)?(?P<org>(?:[A-Z][\w.&'’-]*\s+){{0,4}}?[A-Z][\w.&'-]*?)(?:['’]s)?\s+{_SPOKES}\b"
)
_ORG_AFTER = re.compile(rf"\b{_SPOKES}\s+(?:for|of|at)\s+(?:the\s+)?(?P<org>(?:[A-Z][\w.&'’-]*\s*){{1,5}})")
_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i|you|him|her|them|us|his|its|their|this|that|these|those|who|which)$", re.I)
VOICE_TYPES = frozenset({"PER", "ORG", "GPE", "NORP"})
# Cues of thought, knowledge and intention ("X believes", "X learned that", "X wants"): the
# carrier's account of someone's mind, not a statement that someone made.
_THOUGHT = re.compile(
    r"\b(?:believ|think|thought|know|knew|learn|realis|realiz|understo|understand|fear|hope|want|wish|expect|"
    r"suspect|feel|felt|view|regard|consider|discover|found|find|remember|worr|plan|intend|aim|seek|sought|"
    r"see|saw|seen|hear|heard|notic|assum|doubt)\w*",
    re.IGNORECASE,
)
# Words that make a name an organisation's, not a person's ("Orbis Business Intelligence", "staff").
NOT_A_PERSON = frozenset("""business intelligence group committee agency news press staff service services
inc llc ltd limited company corporation corp department office bureau council institute university center
centre foundation party majority minority reporters reporter editors editorial board desk team wire
international media network community bank ministry government administration commission court""".split())


@dataclass(frozen=True)
class Voice:
    """Who made a statement, when that is a named person or organisation."""

    key: str  # the line key every document quoting this voice shares ("source:kremlin", "source:a wood")
    name: str  # how an analyst reads it ("Kremlin (Dmitry Peskov, spokesperson)", "Andrew Wood")
    person: str | None = None  # the person's name, when a person speaks
    person_key: str | None = None  # the person's own key, when they speak for an organisation (`key`)


def person_key(name: str) -> str | None:
    """'President Vladimir V. Putin' and 'Vladimir Putin' -> 'source:v putin'; 'Putin' -> 'source:putin'."""
    # "White House Press Secretary Sean Spicer": the name after the office
    name = _OFFICE.sub("", name.strip())
    words = [w for w in _TITLES.sub("", name.strip()).replace(",", " ").split() if w]
    words = [w for w in words if not re.fullmatch(r"[A-Z]\.?", w)]  # middle initials
    if not words or not all(w[:1].isupper() or w.lower() in _SUFFIX or w.lower() in {"de", "van", "von", "bin", "al"} for w in words):
        return None
    suffix = [w.lower().rstrip(".") for w in words if w.lower() in _SUFFIX]
    core = [w for w in words if w.lower() not in _SUFFIX]
    if not core:
        return None
    surname = core[-1].lower().replace("’", "'").removesuffix("'s")
    first = core[0][0].lower() + " " if len(core) > 1 else ""
    return "source:" + first + surname + (" " + " ".join(suffix) if suffix else "")


def _proper(name: str) -> bool:
    """A proper name (every content word capitalised, nothing that hides who speaks)."""
    bare = re.sub(r"^(?:the)\s+", "", name.strip(), flags=re.IGNORECASE)
    if not bare or _PRONOUN.match(bare) or re.match(r"^(?:a|an|some|several|two|three|many|one)\s", bare, re.I):
        return False
    if _HIDDEN.search(bare):
        return False
    words = [w for w in re.findall(r"[\w.&'’-]+", bare) if w.lower() not in {"of", "for", "and", "on", "the", "de", "in"}]
    return bool(words) and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def _relays(name: str) -> bool:
    """Can this element of a chain pass a statement on without hiding who made it (a
    publication, or a named person or organisation)?"""
    return is_publication(name) or _proper(name)


def affiliation(texts: list[str]) -> str | None:
    """The organisation a spokesperson's role names, from the speaker's name or aliases."""
    for text in texts:
        text = text.strip()
        for match in (_ORG_BEFORE.match(text), _ORG_AFTER.search(text)):
            if match is None:
                continue
            org = re.sub(r"['’]s$", "", match.group("org").strip().rstrip(","))
            org = re.sub(r"^(?i:the|a|an)\s+", "", org)  # "A Clinton spokesman", not an organisation "A Clinton"
            # "Presidential spokesman", "Russian spokesman": an adjective names no organisation
            if (org and not _PRONOUN.match(org) and org.lower() not in {"a", "an", "the"}
                    and not (" " not in org and re.search(r"(?:al|[ie]an|ese|ic|ish)$", org, re.I))):
                return org
    return None


def _spokesperson(entities: dict[str, Entity]) -> Entity | None:
    """The one person a document calls a spokesperson of something, if there is exactly one: who
    "the Kremlin spokesman" is when the document names him elsewhere."""
    found = [e for e in entities.values() if e.type == "PER" and _proper(e.name)
             and any(re.search(rf"\b{_SPOKES}\b", a, re.I) for a in [e.name, *e.aliases])]
    return found[0] if len(found) == 1 else None


# Verbs of saying: a frame with one of these inside a claim still reports a statement.
_SAYING = re.compile(
    r"\b(?:sa(?:y|id|ys)|tell|told|claim|den(?:y|ied|ies)|stat|announc|report|confirm|comment|add|stress|assert|"
    r"argu|insist|warn|wr[io]t|tweet|declar|acknowledg|admit|testif|describ|call|brand|dismiss|reject|alleg|accus|"
    r"suggest|indicat|show|found|find|assess|detail|predict|respond|repl|note|explain|conclud|confid|impl|promis|"
    r"express|refer|determin|mention|quot|cit|recall|complain|lament|urg|advis)\w*", re.IGNORECASE)


def acts(claim: Claim) -> bool:
    """Does the claim tell what its speaker did ("So far TRUMP has declined various deals"): the
    speaker named at its head, the frame inside it and no verb of saying? Then the speaker is
    its subject, not who said it."""
    if claim.cue is None or claim.cue_start is None or claim.cue_end is None or not claim.speaker:
        return False
    if not (claim.start <= claim.cue_start and claim.cue_end <= claim.end) or _SAYING.search(claim.cue):
        return False
    head = claim.text[: max(0, claim.cue_start - claim.start)].lower()
    after = claim.text[claim.cue_end - claim.start:].lstrip()
    name = claim.speaker.split()[-1].lower()
    return name in head and bool(after) and not re.match(r"(?:that\b|to\s+(?:comment|confirm|discuss|say)|[:\"“‘,])", after, re.I)


def claim_voice(claim: Claim, entities: dict[str, Entity]) -> Voice | None:
    """The named person or organisation that made this claim's statement, if any."""
    if claim.cue and _THOUGHT.search(claim.cue):
        return None  # what someone believes or learned, as the carrier tells it: not their statement
    if acts(claim):
        return None  # what its speaker did, as the carrier tells it
    chain = [c for c in claim.chain if c and not c.startswith("(")]
    if not chain:
        return None  # a speaker carried over from context without a frame of its own: not a statement seen
    inner = chain[-1]
    if any(not c or c.startswith("(") for c in claim.chain[:-1]) or any(not _relays(c) for c in chain[:-1]):
        return None  # passed on by someone who hides who they are ("it is reported that X believes")
    entity = entities.get(claim.speaker_entity or "")  # the innermost source resolved in the document
    names = [inner] + ([claim.speaker] if claim.speaker and claim.speaker != inner else [])
    if entity is not None:
        names += [entity.name] + list(entity.aliases)
    if entity is not None and entity.type not in VOICE_TYPES | {"OTHER"}:
        return None  # anonymous sources, groups, writings: known only through the carrier
    org = affiliation(names)
    person = entity.name if entity is not None and entity.type == "PER" and _proper(entity.name) else None
    if org and person is None and entity is None:
        named = _spokesperson(entities)
        person = named.name if named is not None else None
    if org and _proper(org):
        label = f"{org} ({person}, spokesperson)" if person else f"{org} spokesperson"
        return Voice(key=source_key(org), name=label, person=person, person_key=person_key(person) if person else None)
    if entity is not None and entity.type == "PER":
        key = person_key(entity.name) if person else None
        return Voice(key=key, name=entity.name, person=entity.name) if key else None
    if entity is not None and entity.type in VOICE_TYPES:
        if not _proper(entity.name) or is_publication(entity.name) or not _TITLES.sub("", entity.name + " ").strip():
            return None
        return Voice(key=source_key(entity.name), name=entity.name)
    if not _proper(inner) or is_publication(inner):
        return None  # a publication relays (link/lines.py); a description hides who speaks
    words = _TITLES.sub("", re.sub(r"^the\s+", "", _OFFICE.sub("", inner.strip()), flags=re.I)).split()
    if len(words) == 1 and entity is None:
        named = _named_person(words[0], entities)
        if named is not None:  # "Trump" where the document names "Donald J. Trump"
            key = person_key(named.name)
            return Voice(key=key, name=named.name, person=named.name) if key else None
    if not words or (len(words) == 1 and not re.fullmatch(r"[A-Z][A-Z.&-]+", words[0])):
        return None  # a bare title ("The President") or one capitalised word the parser did not know
    if (2 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and inner.split()[0].lower() != "the"
            and not {w.lower() for w in words} & NOT_A_PERSON and "of" not in inner.lower().split()):
        key = person_key(inner)
        return Voice(key=key, name=inner.strip(), person=inner.strip()) if key else None
    return Voice(key=source_key(inner), name=inner.strip())


def _named_person(surname: str, entities: dict[str, Entity]) -> Entity | None:
    """The one person the document names in full by this surname, if there is one."""
    word = surname.lower().replace("’", "'").removesuffix("'s")
    found = [e for e in entities.values() if e.type == "PER" and len(e.name.split()) > 1 and _proper(e.name)
             and (person_key(e.name) or "").split()[-1:] == [word]]
    return found[0] if len(found) == 1 else None


def entities_by_key(analysis: Analysis) -> dict[str, Entity]:
    return {e.key: e for e in analysis.entities}


def speaks_for(voice_key: str, outlet: str | None, bylines: set[str]) -> bool:
    """Is this voice the document's own (its outlet, or one of its bylined authors)?"""
    if outlet is None and not bylines:
        return False
    if outlet is not None:
        own = outlet_keys(outlet)
        if voice_key in own:
            return True
        words = set(voice_key.removeprefix("source:").split())
        own_words = set(source_key(outlet).removeprefix("source:").split())
        if words and words <= own_words:
            return True  # "the Committee" in the committee's own report
    return voice_key.removeprefix("source:").split()[-1] in bylines


def voice_groups(pairs: set[tuple[str, str]]) -> dict[str, str]:
    """Voice key -> the key of its group: a spokesperson and every organisation they were seen
    speaking for are one voice ("Dmitry Peskov" = "Kremlin spokesman" = "Putin's spokesman"),
    named by the group's smallest key so that the order documents arrive in does not matter."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for a, b in sorted(pairs):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {key: find(key) for pair in pairs for key in pair}


# A writing named as a speaker ("the report", "a declassified report", "his March 2019 report",
# "the Mueller probe", "X's memo"): it speaks for whoever wrote or issued it.
_WRITING_NOUN = alternation(writing_forms(
    also=("assessment", "assessments", "study", "studies", "review", "reviews", "findings", "probe", "investigation",
          "inquiry", "letter", "letters", "filing", "filings", "testimony"),
    without=("file", "files")))
_MONTHS = frozenset("january february march april may june july august september october november december".split())
_WRITING_NAME = re.compile(
    rf"^(?P<det>the|a|an|this|that|these|those|his|her|their|its|(?P<owner>(?:[A-Z][\w.&-]*\s+){{0,4}}[A-Z][\w.&-]*)['’]s?)?"
    rf"\s*(?P<mods>(?:[\w.-]+\s+){{0,4}}?)(?P<noun>{_WRITING_NOUN})$", re.IGNORECASE)
_NAME = r"(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+(?:of|for|on|and|the|[A-Z][\w.&'’-]*))*"
# "The report was released by the Office of ...", "memos ... written by Christopher Steele"
_ISSUED_BY = r"\b{noun}\b[^.;:!?]{{0,90}}?\b(?:{verbs})\s+by\s+(?P<x>" + _NAME + ")"
_AUTHORED = "prepared|compiled|written|produced|authored|drafted"
_ISSUED = "released|issued|published|signed"
# "the Steele dossier"'s Steele, "the Mueller probe"'s Mueller: a capitalised modifier that is no month
_PROPER_MOD = re.compile(r"^[A-Z][a-z][\w'’-]*$")
# A writing that is a claim's subject with a verb of reporting ("His March 2019 report detailed ...")
_WRITING_SUBJECT = re.compile(
    rf"^(?P<name>(?:(?i:the|a|an|this|that|his|her|their|its)|(?:[A-Z][\w.&-]*\s+){{0,3}}[A-Z][\w.&-]*['’]s)\s+"
    rf"(?:[\w.-]+\s+){{0,4}}?{_WRITING_NOUN})\s+(?:also\s+)?(?:detailed|details|found|finds|concluded|concludes|"
    rf"said|says|stated|states|described|describes|established|establishes|alleged|alleges|claimed|claims|"
    rf"assessed|assesses|reported|reports|noted|notes|showed|shows|determined|determines)\b")
# Hidden sources a writing cites: "It cited unnamed sources who claimed ...", "the memo quoted officials".
_CITED_BY = re.compile(rf"\b(?P<w>it|(?:the|this|that|his|her|their)\s+(?:[\w-]+\s+){{0,2}}?{_WRITING_NOUN})\s+"
                       r"(?:also\s+)?(?:cited|cites|quoted|quotes|relied\s+on|relies\s+on|drew\s+on|draws\s+on)\s+(?P<s>[^.;]{1,80})$",
                       re.IGNORECASE)


def writing_subject(text: str) -> str | None:
    """The writing a claim with no source of its own is said by ("His March 2019 report detailed ...")."""
    match = _WRITING_SUBJECT.match(text.strip())
    return match.group("name") if match else None


def writing_author(name: str, text: str, at: int, people: list[tuple[int, str]], headline: str | None = None) -> str | None:
    """Who wrote or issued the writing a claim's chain names, from the text: its owner ("X's
    report"), a person named as its modifier ("the Mueller probe": the person the document names
    so), the person a possessive pronoun points back to ("his report": the last person named
    before `at`), else what the document says of a writing of its kind: a person's ("Robert S.
    Mueller III's report"), then who wrote it ("memos ... written by X"),
    then the organisation the document's headline has say what it reports ("..., Intelligence
    Community Says": `headline`), then who issued it ("the report was released by X"), the
    nearest before `at`, else the first after. `people`: (offset, name) of the document's person
    mentions, by offset."""
    match = _WRITING_NAME.match(name.strip())
    if match is None:
        return None
    det = (match.group("det") or "").lower()
    if match.group("owner"):
        owner = match.group("owner").strip()
        return None if _PRONOUN.match(owner) else _full_name(owner, people)
    proper = [w for w in match.group("mods").split() if _PROPER_MOD.match(w) and w.lower() not in _MONTHS]
    if proper:
        return _person_called(proper[-1], people)  # "the Kremlin papers": a subject, not an author
    if det in ("his", "her"):
        # the subject of the sentence it is in ("Director Comey briefed X on the Steele dossier,
        # according to his testimony"), else the last person named before that sentence
        opening = _sentence_start(text, at)
        within = [n for offset, n in people if opening <= offset < at]
        before = [n for offset, n in people if offset < opening]
        return within[0] if within else before[-1] if before else None
    if det in ("their", "its"):
        return None
    noun = re.escape(match.group("noun").lower().rstrip("s")) + r"(?:s|a|um)?"
    for tier in _writing_tiers(noun, people):
        if tier.pattern.endswith(_ISSUED_BY.format(noun=f"(?i:{noun})", verbs=_ISSUED)) and headline:
            return headline
        found = [(m.start(), _cut(m.group("x"))) for m in tier.finditer(text)]
        found = [(offset, x) for offset, x in found if x]
        if found:
            before = [x for offset, x in found if offset < at]
            return _full_name(before[-1] if before else found[0][1], people)
    return None


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding offset `at` begins ("Mr." and "U.S." end none)."""
    ends = [m.end() for m in re.finditer(r"(?<![\s.][A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr))(?<!\bMrs)[.!?]['\"’”]?\s+|\n", text[:at])]
    return ends[-1] if ends else 0


def _writing_tiers(noun: str, people: list[tuple[int, str]]) -> list[re.Pattern[str]]:
    surnames = sorted({_surname(n) for _, n in people} - {""})
    tiers = []
    if surnames:
        names = "|".join(re.escape(s) for s in surnames)
        # the owner's possessive: "the Trump dossier" may be about Trump, "Mueller's report" is his
        tiers.append(re.compile(rf"\b(?P<x>{names})(?:\s+(?:I{{1,3}}|IV|Jr\.?|Sr\.?))?['’]s\s+(?:[\w-]+\s+){{0,2}}?(?i:{noun})\b"))
    tiers.append(re.compile(_ISSUED_BY.format(noun=f"(?i:{noun})", verbs=_AUTHORED)))
    tiers.append(re.compile(_ISSUED_BY.format(noun=f"(?i:{noun})", verbs=_ISSUED)))
    return tiers


def _surname(name: str) -> str:
    words = [w.strip(",.") for w in name.split() if w.strip(",.").lower() not in _SUFFIX]
    return words[-1] if words and words[-1][:1].isupper() else ""


def _cut(name: str) -> str:
    """A name found in running text, without what runs on past its sentence."""
    return re.split(r"(?<=[a-z])\.\s|,", name.strip())[0].strip().rstrip(".")


def _person_called(word: str, people: list[tuple[int, str]]) -> str | None:
    """The person the document names by this surname, if any."""
    named = [n for _, n in people if _surname(n).lower() == word.lower()]
    return max(named, key=len) if named else None


def cited_by(text: str, at: int, speaker: str, people: list[tuple[int, str]]) -> str | None:
    """The author of the writing that cites a claim's hidden sources ("It cited unnamed sources
    who claimed ..."): "it" is the writing the text last said who wrote ("a series of memos ...
    written by X")."""
    start = max(0, at - 200)
    window = text[start:at]
    match = _CITED_BY.search(window.rstrip(" ,\u2014-"))
    if match is None or speaker.lower().split()[-1] not in match.group("s").lower():
        return None
    writing = match.group("w")
    if writing.lower() != "it":
        return writing_author(writing, text, start + match.start(), people)
    found = [_cut(m.group("x")) for m in re.finditer(_ISSUED_BY.format(noun=_WRITING_NOUN, verbs=f"{_AUTHORED}|{_ISSUED}"),
                                                      text[:start + match.start()])]
    return _full_name(found[-1], people) if found and found[-1] else None


# Who conducts an inquiry, named without it: "Investigators determined ..." after "The X probe found ...".
_INQUIRERS = frozenset({"investigators", "the investigators", "prosecutors", "the prosecutors", "inspectors"})
_INQUIRY_NAME = re.compile(r"\b(?:[Tt]he\s+(?:[A-Z][\w'’-]*\s+){1,3}|[A-Z][\w'’-]*['’]s\s+)(?:probe|investigation|inquiry)\b")
INQUIRY_LOOKBACK = 300  # characters: about the sentence before


def inquiry_of(text: str, at: int, speaker: str, people: list[tuple[int, str]]) -> str | None:
    """Who leads the inquiry whose investigators a claim cites: bare "Investigators" after the
    text names an inquiry by its leader ("The Kowalski probe found ... Investigators determined
    ...") are that inquiry's, and it speaks for its leader."""
    if speaker.strip().lower() not in _INQUIRERS:
        return None
    start = max(0, at - INQUIRY_LOOKBACK)
    found = list(_INQUIRY_NAME.finditer(text[start:at]))
    if not found:
        return None
    return writing_author(found[-1].group(0), text, start + found[-1].start(), people)


def _full_name(name: str, people: list[tuple[int, str]]) -> str:
    """The fullest name the document gives a person called `name` ("Mueller" -> "Robert S. Mueller III")."""
    surname = name.split()[-1].lower()
    named = [n for _, n in people if surname in {w.lower().strip(",.") for w in n.split()}]
    return max(named, key=len) if named else name


def writing_voice(author: str, people: list[tuple[int, str]], authors: dict[str, str]) -> Voice | None:
    """The voice a writing's author is: a corpus author's line key, a person's, an organisation's."""
    bare = re.sub(r"^the\s+", "", author.strip(), flags=re.IGNORECASE)
    if not bare or _PRONOUN.match(bare):
        return None
    surname = bare.split()[-1].lower()
    if surname in authors and (" " not in bare or person_key(bare) is not None):
        return Voice(key=authors[surname], name=bare)
    if any(bare == n for _, n in people) or (person_key(bare) and not {w.lower() for w in bare.split()} & NOT_A_PERSON
                                             and 2 <= len(bare.split()) <= 4 and "of" not in bare.split()):
        key = person_key(bare)
        return Voice(key=key, name=bare, person=bare) if key else None
    return Voice(key=source_key(bare), name=bare)


def same_voices(keys: set[str]) -> dict[str, str]:
    """Within one document, a shorter name of a voice that a longer one contains is that voice:
    "Central Bank" is "Central Bank of Russia", "Putin" is "Vladimir Putin" (key 'source:v putin').
    Key -> the longest key containing it, where that one is unique."""
    words = {k: k.removeprefix("source:").split() for k in keys}
    out = {}
    for short, few in words.items():
        found = []
        for long, many in words.items():
            if long == short or len(many) <= len(few):
                continue
            if len(few) == 1 and len(many) == 2 and len(many[0]) == 1 and many[1] == few[0]:
                found.append(long)  # a person's surname and their initial-and-surname key
            elif len(few) >= 2 and any(many[i:i + len(few)] == few for i in range(len(many) - len(few) + 1)):
                found.append(long)  # an organisation's shorter name
        longest = [k for k in found if len(words[k]) == max((len(words[f]) for f in found), default=0)]
        if len(longest) == 1:
            out[short] = longest[0]
    return out


def surname_pairs(keys: set[str]) -> set[tuple[str, str]]:
    """A person named by surname alone ("Mueller") is the one person of that surname the corpus
    names in full ("Robert S. Mueller III"), where there is exactly one: (surname key, full key)."""
    full: dict[str, list[str]] = {}
    for key in keys:
        words = key.removeprefix("source:").split()
        if len(words) >= 2 and len(words[0]) == 1 and (len(words) == 2 or words[2] in _SUFFIX):
            full.setdefault(words[1], []).append(key)
    out = set()
    for key in keys:
        words = key.removeprefix("source:").split()
        if len(words) == 1 and len(full.get(words[0], [])) == 1:
            out.add((key, full[words[0]][0]))
    return out
