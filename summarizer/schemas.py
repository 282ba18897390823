"""The output contract: pydantic models shared by every stage. No I/O, no logic beyond validation.

One report becomes one `Report` document:

    meta, figures, indicators, achievements, problems, measures, checks, warnings, source

Every extracted item carries a `Span` (character offsets into the decoded source text, per
character, so Chinese counts one per character) and its `evidence` quote. `summarizer schema`
prints the JSON Schema of `Report`. Changing a field name here is a breaking change: bump
SCHEMA_VERSION.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


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
FIGURE_KEYS: dict[str, str] = {
    "income_total": "收入合计",
    "income_fiscal": "财政拨款收入",
    "income_other": "其他收入",
    "carryover": "上年结转",
    "expenditure_total": "支出合计",
    "basic_expenditure": "基本支出",
    "personnel_expenditure": "人员经费",
    "public_expenditure": "公用经费",
    "project_expenditure": "项目支出",
    "project_line": "项目明细",
    "spending_line": "支出明细",
    "three_public_total": "三公经费",
    "three_public_reception": "公务接待费",
    "three_public_vehicle_operation": "公务用车运行维护费",
    "three_public_vehicle_purchase": "公务用车购置费",
    "three_public_overseas": "因公出国（境）费",
    "fixed_assets": "固定资产",
    "budget": "预算数",
    "funds_received": "到位资金",
    "actual_spending": "实际支出",
    "balance": "结余",
    "returned_to_treasury": "上缴财政",
    "carried_forward": "结转下年",
    "execution_rate": "预算执行率",
    "received_rate": "资金到位率",
    "balance_rate": "结余率",
    "completion_rate": "完成率",
    "growth_rate": "增长率",
    "satisfaction_rate": "满意率",
    "other_rate": "其他比率",
    "change_amount": "增减额",
    "other_amount": "其他金额",
    "count": "数量",
    "self_score": "自评得分",
    "staff_authorized": "编制人数",
    "staff_actual": "实有人数",
}


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
    numbers: list[Quantity] = Field(default_factory=list)
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
    evidence: dict[str, Evidence] = Field(default_factory=dict, description="field name -> where it was read")


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


class Check(Model):
    rule: str = Field(description="rule id, e.g. identity.basic_expenditure")
    status: CheckStatus
    severity: Severity
    message: str = Field(description="Chinese, for a reviewer")
    inputs: list[CheckInput] = Field(default_factory=list)
    expected: Decimal | None = None
    observed: Decimal | None = None
    tolerance: Decimal | None = None


class Source(Model):
    path: str
    sha256: str
    length: int = Field(description="characters in the decoded text")
    encoding: str
    format: str
    pages: list[int] = Field(
        default_factory=list,
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
    figures: list[Figure] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    achievements: list[TextItem] = Field(default_factory=list)
    problems: list[TextItem] = Field(default_factory=list)
    measures: list[TextItem] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    source: Source
    backend: str = "rules"
    prompt_hash: str | None = None
    usage: TokenUsage | None = None
