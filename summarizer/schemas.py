"""The output contract: pydantic models shared by every stage. No I/O, no logic beyond validation.

One report becomes one `Report` document:

    meta, figures, indicators, achievements, problems, measures, breakdowns, checks, warnings, source

Every extracted item carries a `Span` (character offsets into the decoded source text, per
character, so Chinese counts one per character) and its `evidence` quote. `summarizer schema`
prints the JSON Schema of `Report`. Changing a field name here is a breaking change: bump
SCHEMA_VERSION.
"""

# No `from __future__ import annotations` here: pydantic would evaluate every field's annotation
# from a string (a compile per field, on every start); these annotations need no deferring.
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .genre import vocabulary

SCHEMA_VERSION = "1.1"


def _no_items() -> list:
    return []


def _no_entries() -> dict:
    return {}


# The empty defaults are these functions, not `list` and `dict`: pydantic reads a default
# factory's signature, and a builtin's is parsed from its text with the tokenizer (about half
# of building these models, paid on every start).


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Model):
    """Half-open [start, end) character offsets into the decoded source text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ReportKind(str, Enum):
    DEPARTMENT = "部门整体支出"
    PROJECT = "项目支出"
    UNKNOWN = "未知"


class Grade(str, Enum):
    EXCELLENT = "优"
    GOOD = "良"
    FAIR = "中"
    POOR = "差"


class FigureKind(str, Enum):
    MONEY = "money"
    RATE = "rate"  # a percentage
    COUNT = "count"  # 件/项/人/个 ...
    SCORE = "score"


class Alignment(str, Enum):
    """How an item's evidence was located in the source (code computes this, never a model)."""

    EXACT = "exact"
    NORMALISED = "normalised"
    FUZZY = "fuzzy"
    UNALIGNED = "unaligned"


class Evidence(Model):
    span: Span
    quote: str


# Canonical figure keys. A figure's `key` is one of these; `label` keeps the words the report
# used. Keys describe *what* the amount is; `period` says budget / actual / prior year.
FIGURE_KEYS: dict[str, str] = vocabulary().key_names  # summarizer/genre/figures.toml


class Period(str, Enum):
    BUDGET = "budget"  # 预算/年初预算/安排/计划
    ADJUSTED = "adjusted"  # 调整预算
    ACTUAL = "actual"  # 决算/实际/执行
    PRIOR_YEAR = "prior_year"  # 上年
    UNSPECIFIED = "unspecified"


class Figure(Model):
    """One number the report states, typed and grounded."""

    key: str = Field(description="canonical key, one of FIGURE_KEYS")
    label: str = Field(description="the label as written in the report")
    value: Decimal = Field(description="the number as written (in `unit`)")
    unit: str = Field(description="unit as written after normalisation: 万元, 元, 亿元, %, 件, 项, 人, 分 ...")
    kind: FigureKind
    value_wan: Decimal | None = Field(None, description="money normalised to 万元; None for non-money")
    period: Period = Period.UNSPECIFIED
    year: int | None = None
    item: str | None = Field(None, description="the line item / project / subject the figure belongs to")
    table: bool = Field(False, description="True when read from a table cell")
    span: Span
    evidence: str
    alignment: Alignment = Alignment.EXACT
    backend: str = "rules"


class Indicator(Model):
    """A performance indicator (绩效指标) or self-score row: target vs actual, weight and score."""

    level1: str | None = Field(None, description="一级指标: 投入/过程/产出/效益/满意度 ...")
    level2: str | None = Field(None, description="二级指标: 数量/质量/时效/成本/社会效益 ...")
    name: str
    target: str | None = None
    actual: str | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    span: Span
    evidence: str
    alignment: Alignment = Alignment.EXACT
    backend: str = "rules"


class Quantity(Model):
    """A number mentioned inside a text item (an achievement, a problem)."""

    value: Decimal
    unit: str
    raw: str


class TextItem(Model):
    """One stated point: an achievement, a problem or a measure."""

    text: str
    span: Span
    evidence: str
    numbers: list[Quantity] = Field(default_factory=_no_items)
    alignment: Alignment = Alignment.EXACT
    backend: str = "rules"


class Meta(Model):
    unit_name: str | None = None
    region: str | None = None
    year: int | None = None
    kind: ReportKind = ReportKind.UNKNOWN
    project_name: str | None = None
    report_date: date | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    staff_authorized: int | None = None
    staff_actual: int | None = None
    self_score: Decimal | None = None
    grade: Grade | None = None
    grade_label: str | None = Field(None, description="the grade as written, e.g. 优秀")
    evidence: dict[str, Evidence] = Field(default_factory=_no_entries, description="field name -> where it was read")


class CheckStatus(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class Severity(str, Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CheckInput(Model):
    """A number a check used, with where it came from."""

    label: str
    value: Decimal
    unit: str
    span: Span | None = None


class RuleId(StrEnum):
    """Every rule verification knows; the family (grounding/identity/rate/consistency/
    plausibility) is the part before the dot. A StrEnum, so a rule compares equal to its id."""

    GROUNDING_FIGURE = "grounding.figure"
    EXPENDITURE_TOTAL = "identity.expenditure_total"
    EXPENDITURE_BY_TYPE = "identity.expenditure_by_type"
    BASIC_EXPENDITURE = "identity.basic_expenditure"
    THREE_PUBLIC = "identity.three_public"
    INCOME_PARTS = "identity.income_parts"
    INCOME_BREAKDOWN = "identity.income_breakdown"
    BALANCE = "identity.balance"
    BALANCE_PARTS = "identity.balance_parts"
    PROJECT_LINES = "identity.project_lines"
    SPENDING_LINES = "identity.spending_lines"
    BUDGET_SOURCES = "identity.budget_sources"
    COUNT_BREAKDOWN = "identity.count_breakdown"
    BREAKDOWN = "identity.breakdown"
    TABLE_TOTAL = "identity.table_total"
    SELF_SCORE = "identity.self_score"
    EXECUTION_RATE = "rate.execution_rate"
    RECEIVED_RATE = "rate.received_rate"
    BALANCE_RATE = "rate.balance_rate"
    GROWTH_RATE = "rate.growth_rate"
    RATIO_STATEMENT = "rate.ratio_statement"
    GROWTH_STATEMENT = "rate.growth_statement"
    CHANGE_STATEMENT = "identity.change_statement"
    SHARE = "rate.share"
    TABLE_RATE = "rate.table_row"
    REPEATED_VALUE = "consistency.repeated_value"
    UNIT_SLIP = "consistency.unit_slip"
    COMPARISON_CLAIM = "consistency.comparison_claim"
    GRADE_SCORE = "plausibility.grade_score"
    RATE_RANGE = "plausibility.rate_range"
    UNIT_MAGNITUDE = "plausibility.unit_magnitude"
    OVER_BUDGET = "plausibility.over_budget"
    EXECUTION_VS_SCORE = "plausibility.execution_vs_score"
    LOW_EXECUTION = "plausibility.low_execution"
    SPENDING_OVER_INCOME = "plausibility.spending_over_income"
    REPORT_DATE = "plausibility.report_date"
    SELF_SCORE_MISSING = "plausibility.self_score"
    INDICATOR_VALUES = "plausibility.indicator_values"
    INDICATOR_TARGET = "plausibility.indicator_target"
    STAFFING = "plausibility.staffing"

    @property
    def family(self) -> str:
        return self.value.split(".", 1)[0]


class BreakdownKind(str, Enum):
    WHICH = "其中"  # "X，其中 A、B、C" (an open list unless the words or numbers show it whole)
    NUMBERED = "分项"  # "X，其中：1．… 2．…" / "具体如下：1、…"
    COMPOSED = "构成"  # "X 由 A 和 B 构成/组成" (complete by its wording)
    INCLUDING = "包括"  # "X，包括 A、B"
    TABLE = "表格"  # a table's 合计/小计 row against its rows


class BreakdownItem(Model):
    label: str
    value: Decimal
    unit: str
    value_wan: Decimal | None = None
    span: Span


class Breakdown(Model):
    """A whole and its parts as the report states them, found by code in the text."""

    kind: BreakdownKind
    whole: BreakdownItem
    parts: list[BreakdownItem]
    complete: bool = Field(description="True when the stated parts make the whole (by wording, genre or numbers)")
    span: Span
    evidence: str


class Check(Model):
    rule: RuleId | str = Field(description="rule id (RuleId), e.g. identity.basic_expenditure")
    status: CheckStatus
    severity: Severity
    message: str = Field(description="Chinese, for a reviewer")
    inputs: list[CheckInput] = Field(default_factory=_no_items)
    expected: Decimal | None = None
    observed: Decimal | None = None
    tolerance: Decimal | None = None
    figures: list[int] = Field(default_factory=_no_items, description="indices into Report.figures of the figures the check used")
    breakdown: int | None = Field(None, description="index into Report.breakdowns of the breakdown the check used")

    @field_validator("rule", mode="before")
    @classmethod
    def _known_rule(cls, value: object) -> object:
        if isinstance(value, str) and not isinstance(value, RuleId) and value in RuleId._value2member_map_:
            return RuleId(value)
        return value


class Source(Model):
    path: str
    sha256: str
    length: int = Field(description="characters in the decoded text")
    encoding: str
    format: str
    pages: list[int] = Field(
        default_factory=_no_items,
        description="for a paged source (PDF, read or OCR'd): the offset where each page starts; "
        "a span is on page n when pages[n-1] <= span.start < pages[n]",
    )


class TokenUsage(Model):
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    estimated: bool = Field(False, description="True when counts are estimates (no tiktoken encoding)")


class Report(Model):
    """The output document for one report."""

    schema_version: str = SCHEMA_VERSION
    meta: Meta = Field(default_factory=Meta)
    figures: list[Figure] = Field(default_factory=_no_items)
    indicators: list[Indicator] = Field(default_factory=_no_items)
    achievements: list[TextItem] = Field(default_factory=_no_items)
    problems: list[TextItem] = Field(default_factory=_no_items)
    measures: list[TextItem] = Field(default_factory=_no_items)
    breakdowns: list[Breakdown] = Field(default_factory=_no_items)
    checks: list[Check] = Field(default_factory=_no_items)
    warnings: list[str] = Field(default_factory=_no_items)
    source: Source
    backend: str = "rules"
    prompt_hash: str | None = None
    usage: TokenUsage | None = None
