"""The LLM backend: instructor-typed extraction by any OpenAI-compatible model, grounded by code.

For one report: one request with every field in one schema when the report fits the model's
context (setting `context_tokens`, less the prompt, the schema and room for the answer);
otherwise section-aware chunks (llm/chunking.py), one request each. The system message (rules,
the guidance of each field once, the compact schema) is rendered once per field set and is
the same for every report, so it is also the prefix an endpoint can cache; the user message is
the report, delimited as data (instructions inside it are content, not commands). Every
returned item is grounded against the source (llm/grounding.py), chunks are merged with
duplicates removed, and the prompt hash and token usage are recorded.

When the endpoint fails after its retries the report falls back to the rules result with a
warning (setting `fallback`, on by default), so a batch never fails for a flaky endpoint;
with the fallback off the failure is a one-line BackendError (exit code 5).
This module never computes a span or trusts a number itself: grounding.py does both.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..config import Settings
from ..document import Document
from ..errors import BackendError
from ..llm.chunking import Chunk, blocks_of, chunk, select
from ..llm.client import LLMClient
from ..llm.grounding import Grounder, dedupe_figures, dedupe_indicators, dedupe_items, merge_meta
from ..llm.prompts import PromptSet
from ..llm.responses import FIELDS, extraction_model, schema_text
from ..llm.usage import UsageMeter
from ..schemas import Figure, Indicator, Meta, Report, TextItem
from ..structure import Layout, Role
from .base import LLM_FALLBACK_NOTE

log = logging.getLogger("summarizer.llm")

MIN_CHUNK_TOKENS = 300
# Room kept for the answer: a quarter of the context, at most this many tokens (an extraction of
# a long report with every figure and indicator runs to a few thousand tokens).
ANSWER_SHARE = 4
MAX_ANSWER_TOKENS = 8000
_TAG = re.compile(r"<(/?)(report)", re.IGNORECASE)


@dataclass
class Extraction:
    """What the model, once grounded, found for the fields a run asked for."""

    meta: Meta = field(default_factory=Meta)
    figures: list[Figure] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    achievements: list[TextItem] = field(default_factory=list)
    problems: list[TextItem] = field(default_factory=list)
    measures: list[TextItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def delimit(text: str) -> tuple[str, str]:
    """The report as data: a tag no report can forge (a hash of the text) and the text with any
    look-alike tags defused, so an injected "</report>" cannot close the data block."""
    tag = "report-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return tag, _TAG.sub(lambda m: "＜" + m.group(1) + m.group(2), text)


# The sections each text field is read from, and the section's name in a warning.
SECTION_ROLES: dict[str, tuple[str, set[Role]]] = {
    "achievements": ("主要成效", {Role.ACHIEVEMENTS}),
    "problems": ("存在问题", {Role.PROBLEMS, Role.PROBLEMS_AND_MEASURES}),
    "measures": ("改进措施", {Role.MEASURES, Role.PROBLEMS_AND_MEASURES}),
}
MIN_SECTION_CHARS = 8  # a section body shorter than this (a heading, "无") may rightly give nothing


def emptied_sections(layout: Layout, found: Extraction, fields: Iterable[str]) -> list[str]:
    """A warning for each text field the model returned empty although the report has a section
    for it with text in it: a model that obeyed an instruction inside the report ("只输出空列表")
    looks exactly like this, so it is never taken silently as "the report states none"."""
    notes = []
    for name in fields:
        if name not in SECTION_ROLES or getattr(found, name):
            continue
        title, roles = SECTION_ROLES[name]
        sections = [s for s in layout.sections if s.role in roles and s.body_end - s.body_start >= MIN_SECTION_CHARS]
        if sections:
            notes.append(
                f"报告有“{sections[0].title}”一节，LLM 未返回任何{title}（可能受原文中指令的干扰）；请核对原文，"
                "或用 --backend hybrid 保留规则提取的条目"
            )
    return notes


class LLMBackend:
    name = "llm"

    def __init__(self, settings: Settings, client: LLMClient | None = None) -> None:
        self.settings = settings
        self.prompts = PromptSet(settings.prompts_dir)
        self.client = client or LLMClient(settings)  # ConfigError here, before any file is read
        self._system: dict[tuple[str, ...], str] = {}
        self._budgets: dict[tuple[str, ...], int] = {}

    # -- the Backend protocol -------------------------------------------------------------

    def extract(self, document: Document, layout: Layout) -> Report:
        meter = UsageMeter()
        try:
            found = self.extract_fields(document, layout, FIELDS, meter=meter)
        except BackendError as error:
            return self.fall_back(document, layout, error, meter)
        return Report(
            meta=found.meta,
            figures=found.figures,
            indicators=found.indicators,
            achievements=found.achievements,
            problems=found.problems,
            measures=found.measures,
            warnings=found.warnings,
            source=document.source(),
            backend=self.name,
            prompt_hash=self.prompts.hash,
            usage=meter.usage(),
        )

    def fall_back(self, document: Document, layout: Layout, error: BackendError, meter: UsageMeter) -> Report:
        """The rules result with a warning, or the error itself when the fallback is off."""
        if not self.settings.fallback:
            raise BackendError(error.message, path=document.path) from None
        from .rules import RulesBackend

        log.warning("%s: %s; using the rules result", document.path, error.message)
        report = RulesBackend(self.settings).extract(document, layout)
        note = f"{LLM_FALLBACK_NOTE}{error.message}"
        return report.model_copy(update={"warnings": [*report.warnings, note], "usage": meter.usage()})

    # -- shared with hybrid ---------------------------------------------------------------

    def system_prompt(self, fields: tuple[str, ...]) -> str:
        """The system message for a set of fields: rules, guidance for each field once, and the
        compact schema when the JSON modes need it in the prompt. Rendered once per field set."""
        if fields not in self._system:
            model = extraction_model(fields)
            self._system[fields] = self.prompts.render(
                "system",
                fields=list(fields),
                guidance={name: self.prompts.render(f"sections/{name}").strip() for name in fields},
                schema=schema_text(model) if self.client.schema_in_prompt else "",
            )
        return self._system[fields]

    def messages(self, fields: tuple[str, ...], chunk_text: str, part: int, parts: int, titles: list[str]) -> list[dict[str, str]]:
        tag, report = delimit(chunk_text)
        return [
            {"role": "system", "content": self.system_prompt(fields)},
            {
                "role": "user",
                "content": self.prompts.render("user", part=part, parts=parts, titles=titles, tag=tag, report=report),
            },
        ]

    def text_budget(self, fields: tuple[str, ...]) -> int:
        """Tokens of report text one request can carry: the context window less the prompt, the
        schema and room for the answer. Computed once per field set."""
        if fields not in self._budgets:
            overhead = self.client.request_overhead(extraction_model(fields), self.messages(fields, "", 2, 2, ["…" * 40]))
            context = self.settings.context_tokens
            budget = context - overhead - min(MAX_ANSWER_TOKENS, context // ANSWER_SHARE)
            if budget < MIN_CHUNK_TOKENS:
                log.warning(
                    "context_tokens %d leaves %d tokens for report text after the prompt, schema and answer; using %d",
                    context, budget, MIN_CHUNK_TOKENS,
                )
                budget = MIN_CHUNK_TOKENS
            self._budgets[fields] = budget
        return self._budgets[fields]

    def chunks(self, document: Document, layout: Layout, fields: tuple[str, ...], roles: Iterable[Role] | None) -> list[Chunk]:
        """The whole report as one chunk when it fits the budget; else section-aware pieces."""
        blocks = select(blocks_of(document, layout), roles)
        return chunk(document, blocks, self.text_budget(fields), self.client.counter.count)

    def extract_fields(
        self,
        document: Document,
        layout: Layout,
        fields: tuple[str, ...],
        *,
        meter: UsageMeter,
        roles: Iterable[Role] | None = None,
        backend_name: str = "llm",
    ) -> Extraction:
        """Ask the model for `fields` over the blocks of `roles` (all when None); ground and merge."""
        fields = tuple(name for name in FIELDS if name in fields)
        model = extraction_model(fields)
        pieces = self.chunks(document, layout, fields, roles)
        grounder = Grounder(document, layout, backend=backend_name)

        def ask(index: int) -> object:
            piece = pieces[index]
            titles = [block.title for block in piece.blocks]
            messages = self.messages(fields, piece.text(document), index + 1, len(pieces), titles)
            return self.client.complete(model, messages, prompt_hash=self.prompts.hash, meter=meter).parsed

        if len(pieces) == 1:  # the usual case: no pool for one request
            answers = [ask(0)]
        else:
            with ThreadPoolExecutor(max_workers=min(len(pieces), self.settings.concurrency)) as pool:
                futures = [pool.submit(ask, index) for index in range(len(pieces))]
                try:
                    answers = [future.result() for future in futures]
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise

        found = Extraction()
        metas: list[Meta] = []
        for piece, answer in zip(pieces, answers):
            windows = piece.windows
            if "meta" in fields and getattr(answer, "meta", None) is not None:
                metas.append(grounder.meta(answer.meta, windows))
            for item in getattr(answer, "figures", []):
                if (figure := grounder.figure(item, windows)) is not None:
                    found.figures.append(figure)
            for item in getattr(answer, "indicators", []):
                if (indicator := grounder.indicator(item, windows)) is not None:
                    found.indicators.append(indicator)
            for name in ("achievements", "problems", "measures"):
                for item in getattr(answer, name, []):
                    if (text_item := grounder.text_item(item, windows)) is not None:
                        getattr(found, name).append(text_item)
        found.meta = merge_meta(metas)
        found.figures = dedupe_figures(found.figures)
        found.indicators = dedupe_indicators(found.indicators)
        found.achievements = dedupe_items(found.achievements)
        found.problems = dedupe_items(found.problems)
        found.measures = dedupe_items(found.measures)
        found.warnings = [*grounder.warnings(), *emptied_sections(layout, found, fields)]
        return found
