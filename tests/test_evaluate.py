"""summarizer/evaluation (gold, scoring, runs, printing) and mutate.py: the scoring rules, the gold files
themselves, mutation copies, `summarizer eval`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.errors import InputError
from summarizer.evaluation.gold import (
    Gold,
    GoldFigure,
    GoldFinding,
    GoldIndicator,
    GoldText,
    figure_values_agree,
    load_gold,
    normalise_text,
)
from summarizer.evaluation.runs import check_thresholds, compare_runs, new_alarms
from summarizer.evaluation.scoring import (
    check_numbers,
    dice,
    score_faithfulness,
    score_figures,
    score_findings,
    score_indicators,
    score_meta,
    score_text_items,
)
from summarizer.ingest import read_document
from summarizer.mutate import KINDS, identity_members, mutate
from summarizer.numbers import find_quantities
from summarizer.schemas import (
    Check,
    CheckInput,
    CheckStatus,
    Figure,
    FigureKind,
    Grade,
    Indicator,
    Meta,
    Period,
    Report,
    ReportKind,
    Severity,
    Source,
    Span,
    TextItem,
)

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "eval" / "gold"
SAMPLES_DIR = ROOT / "samples"
GOLD_FILES = sorted(GOLD_DIR.glob("*.json"))
# The development corpus: gold in the repository, report text beside it in ../shared (never copied in).
CORPUS_GOLD_DIR = ROOT / "eval" / "corpus"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
CORPUS_GOLD_FILES = sorted(CORPUS_GOLD_DIR.glob("*.json")) if CORPUS_DIR.is_dir() else []
SPAN = Span(start=0, end=1)


def report(**fields) -> Report:
    return Report(source=Source(path="x.txt", sha256="", length=1, encoding="utf-8", format="txt"), **fields)


def figure(key: str, value: str, unit: str = "万元", **extra) -> Figure:
    kind = FigureKind.MONEY if unit in ("万元", "元", "亿元") else FigureKind.RATE if unit == "%" else FigureKind.COUNT
    return Figure(key=key, label=key, value=Decimal(value), unit=unit, kind=kind, span=SPAN, evidence="e", **extra)


def item(text: str) -> TextItem:
    return TextItem(text=text, span=SPAN, evidence=text)


def gold(**fields) -> Gold:
    return Gold(source="x.txt", **fields)


def check(rule: str, status: str = "fail", message: str = "", inputs=(), **extra) -> Check:
    return Check(
        rule=rule,
        status=CheckStatus(status),
        severity=Severity.HIGH,
        message=message,
        inputs=[CheckInput(label=label, value=Decimal(value), unit=unit) for label, value, unit in inputs],
        **extra,
    )


# --- normalisation and similarity ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("1、部分项目资金支付进度滞后。", "部分项目资金支付进度滞后"),
        ("二是预算绩效管理基础工作有待进一步加强。", "预算绩效管理基础工作有待进一步加强"),
        ("（三）加强业务培训, 加强专业培训", "加强业务培训加强专业培训"),
        ("<p>5. 落实政务信息公开</p>", "落实政务信息公开"),
        ("- 1、强化落实", "强化落实"),
        ("１２３ 件", "123件"),  # NFKC: full-width digits
        ("2022年预算", "2022年预算"),  # a year is not an enumerator
    ],
)
def test_normalise_text(raw, normalised):
    assert normalise_text(raw) == normalised


def test_dice_is_symmetric_and_bounded():
    a, b = "进一步加强项目资金管理", "加强项目资金管理"
    assert dice(a, b) == dice(b, a)
    assert 0.5 < dice(a, b) < 1.0
    assert dice(a, a) == 1.0
    assert dice(a, "") == 0.0
    assert dice("绩效管理理念有待增强", "食堂运行经费支出") == 0.0


# --- meta ------------------------------------------------------------------------------------


def test_meta_exact_alternatives_lenient_and_spurious():
    g = gold(
        meta={
            "unit_name": ["区行政审批服务局", "雨花区行政审批服务局"],
            "year": 2021,
            "kind": "项目支出",
            "report_date": "2023-02-02",
            "grade": None,
            "contact_person": None,
            "self_score": 97,
        },
        meta_lenient={"grade": "优"},
    )
    predicted = report(
        meta=Meta(
            unit_name="雨花区 行政审批服务局",  # whitespace is not a difference
            year=2021,
            kind=ReportKind.PROJECT,
            report_date="2023-02-02",
            grade=Grade.EXCELLENT,  # lenient: accepted, not required
            contact_person="张三",  # gold says the report names nobody
            self_score=Decimal("97.0"),
        )
    )
    score = score_meta(predicted, g)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (5, 1, 0)
    assert score.false_positives == [{"field": "contact_person", "expected": None, "got": "张三"}]
    assert score.extra["fields"]["grade"] == "neutral"


def test_meta_wrong_value_is_both_a_miss_and_a_false_positive():
    score = score_meta(report(meta=Meta(year=2021, kind=ReportKind.UNKNOWN)), gold(meta={"year": 2022, "kind": "部门整体支出"}))
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (0, 1, 2)
    assert {miss["field"] for miss in score.misses} == {"year", "kind"}


# --- figures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold_value", "gold_unit", "key", "value", "unit", "agree"),
    [
        ("3432300.00", "元", "budget", "343.23", "万元", True),  # unit conversion through to_wan
        ("127", "万元", "budget", "1270000", "元", True),
        ("4.4", "元", "three_public_total", "4.4", "万元", False),  # the ×10,000 slip is not the same amount
        ("1179.61", "万元", "income_total", "1179.614", "万元", True),  # within 0.005 万元
        ("1179.61", "万元", "income_total", "1179.62", "万元", False),
        ("74.36", "%", "execution_rate", "74.36", "%", True),
        ("74.36", "%", "execution_rate", "74.4", "%", False),
        ("30.28", "%", "growth_rate", "30.28", "", True),  # "增长 30.28" written without %
        ("-27", "%", "growth_rate", "27", "%", True),  # 减少 27%: the sign may be dropped
        ("19251", "件", "count", "1925", "件", False),
        ("34", "人", "staff_actual", "34", "", True),
        ("34", "人", "staff_actual", "34", "%", False),
    ],
)
def test_figure_values_agree(gold_value, gold_unit, key, value, unit, agree):
    g = GoldFigure(key=key, value=Decimal(gold_value), unit=gold_unit)
    assert figure_values_agree(g, key, Decimal(value), unit) is agree


def test_figures_one_to_one_restatements_neutral_wrong_key_counts():
    g = gold(
        figures=[
            GoldFigure(key="public_expenditure", value=Decimal("18.63"), unit="万元", period="budget"),
            GoldFigure(key="public_expenditure", value=Decimal("18.63"), unit="万元", period="actual"),
            GoldFigure(key="budget", value=Decimal("127"), unit="万元", alt_keys=["income_total"]),
            GoldFigure(key="fixed_assets", value=Decimal("25.02"), unit="万元"),
            GoldFigure(key="*", value=Decimal("3283.7"), unit="万元", required=False),
        ]
    )
    predicted = report(
        figures=[
            figure("public_expenditure", "18.63", period=Period.ACTUAL),
            figure("income_total", "127"),  # an accepted alternative key
            figure("budget", "127"),  # the same amount restated: neutral
            figure("fixed_assets", "25.03"),  # wrong value: a miss and a false positive
            figure("count", "946", "件"),  # an unscored key: neutral
            figure("balance", "3283.7"),  # matches an optional "*" figure: neutral
            figure("balance", "32.56"),  # not in gold: false positive
        ]
    )
    score = score_figures(predicted, g)
    # 18.63 is stated once by the extractor: one of the two gold figures (budget, actual) is missed.
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (2, 2, 2)
    assert {(m["key"], m.get("period")) for m in score.misses} == {("public_expenditure", "budget"), ("fixed_assets", None)}
    assert sorted(fp["value"] for fp in score.false_positives) == ["25.03", "32.56"]
    assert score.extra["period"] == [1, 1]  # the matched 18.63 is paired with the gold of its own period
    assert score.extra["unscored"] == 1


def test_figures_prefer_the_gold_with_the_same_period():
    g = gold(
        figures=[
            GoldFigure(key="three_public_total", value=Decimal("4.4"), unit="万元", period="budget"),
            GoldFigure(key="three_public_total", value=Decimal("4.4"), unit="元", period="actual"),
        ]
    )
    predicted = report(figures=[figure("three_public_total", "4.4", "元", period=Period.ACTUAL)])
    score = score_figures(predicted, g)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (1, 0, 1)
    assert score.misses[0]["unit"] == "万元"


# --- text items ------------------------------------------------------------------------------

PROBLEMS = [
    GoldText(text="绩效管理理念有待进一步增强，对预算绩效管理工作重视不够，缺乏主动性。"),
    GoldText(text="预算绩效管理基础工作有待进一步加强。绩效评价指标体系还不完善，评价指标设定的科学性有待加强。"),
]


def test_text_items_one_to_one_by_similarity():
    predicted = [
        "2、预算绩效管理基础工作有待进一步加强。绩效评价指标体系还不完善，评价指标设定的科学性有待加强。",
        "1、绩效管理理念有待进一步增强,对预算绩效管理工作重视不够,缺乏主动性。",
    ]
    score = score_text_items(predicted, PROBLEMS)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (2, 0, 0)


def test_text_items_merged_points_cost_a_miss_and_unrelated_text_is_a_false_positive():
    merged = PROBLEMS[0].text + PROBLEMS[1].text
    score = score_text_items([merged, "加强新政府会计制度培训，定期安排财务人员进行交流学习。"], PROBLEMS)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (1, 1, 1)


def test_text_items_near_copies_are_neutral_and_optional_items_are_not_required():
    gold_items = [PROBLEMS[0], GoldText(text="存在碎纸机数量超过人员编制 5%的情况。", required=False)]
    score = score_text_items([PROBLEMS[0].text, PROBLEMS[0].text], gold_items)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (1, 0, 0)
    assert score_text_items([], gold_items).counts.fn == 1


# --- indicators ------------------------------------------------------------------------------


def indicator(name: str, weight=None, score=None, **extra) -> Indicator:
    return Indicator(
        name=name,
        weight=None if weight is None else Decimal(weight),
        score=None if score is None else Decimal(score),
        span=SPAN,
        evidence=name,
        **extra,
    )


def test_indicators_need_name_and_values_names_only_group_needs_the_name():
    g = gold(
        indicators=[
            GoldIndicator(name="资金使用合规性", weight=Decimal(10), score=Decimal(10), level2="财务管理"),
            GoldIndicator(name="管理制度健全性", weight=Decimal(4), score=Decimal(4), level2="业务管理"),
            GoldIndicator(name="管理制度健全性", weight=Decimal(4), score=Decimal(4), level2="财务管理"),
            GoldIndicator(name="个性指标", weight=Decimal(50), score=Decimal(47)),
        ]
    )
    predicted = report(
        indicators=[
            indicator("2、资金使用合规性", "10", "10"),
            indicator("管理制度健全性", "4", "4", level2="业务管理"),
            indicator("管理制度健全性", "4", "4", level2="财务管理"),
            indicator("个性指标", "50", "50"),  # the score is wrong
            indicator("食堂就餐人数"),  # not in gold
        ]
    )
    full, names = score_indicators(predicted, g)
    assert (names.counts.tp, names.counts.fp, names.counts.fn) == (4, 1, 0)
    assert (full.counts.tp, full.counts.fp, full.counts.fn) == (3, 2, 1)
    assert full.misses == [{"name": "个性指标", "reason": "values differ", "score": {"expected": "47", "got": "50"}}]


# --- findings --------------------------------------------------------------------------------

FINDINGS = [
    GoldFinding(id="count", kind="consistency", about="19251 vs 1925", rules=["consistency."], numbers=[Decimal(19251), Decimal(1925)]),
    GoldFinding(id="date", kind="plausibility", about="date", rules=["plausibility."], keywords=["日期", "date"]),
    GoldFinding(id="villages", kind="consistency", about="215 vs 219", rules=["consistency."], numbers=[Decimal(215), Decimal(219)], required=False),
]


def test_findings_caught_by_rule_prefix_and_numbers():
    checks = [
        check("consistency.same_quantity", message="回复工单 19251 件与 1925 件不一致"),
        check("plausibility.report_date", "warn", message="报告日期早于评价年度结束"),
        check("identity.basic_expenditure", "pass", inputs=[("基本支出", "304.01", "万元")]),
    ]
    score = score_findings(checks, FINDINGS)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (2, 0, 0)
    assert score.extra["caught"] == {"count": ["consistency.same_quantity"], "date": ["plausibility.report_date"]}


def test_findings_need_the_numbers_and_count_false_alarms():
    checks = [
        check("consistency.same_quantity", inputs=[("回复工单", "19251", "件")]),  # 1925 is not involved
        check("identity.expenditure_total", inputs=[("支出合计", "1179.61", "万元")]),  # a false alarm
        check("rate.execution_rate", "warn", message="执行率偏低"),  # an unexpected warn is not a false alarm
        check("consistency.same_quantity", "fail", inputs=[("村居", "215", "个"), ("村居", "219", "个")]),  # optional
    ]
    score = score_findings(checks, FINDINGS)
    assert (score.counts.tp, score.counts.fp, score.counts.fn) == (0, 2, 2)
    assert score.extra["unexpected_warns"] == 1
    assert score.extra["caught"] == {"villages": ["consistency.same_quantity"]}


def test_check_numbers_include_inputs_in_wan_expected_observed_and_message():
    c = check("consistency.unit", inputs=[("三公经费决算", "44000", "元")], expected=Decimal("4.4"), observed=Decimal("0.00044"), message="差 3.9 万元")
    numbers = check_numbers(c)
    assert {Decimal("44000"), Decimal("4.4"), Decimal("0.00044"), Decimal("3.9")} <= set(numbers)


# --- narrative faithfulness ------------------------------------------------------------------


def test_faithfulness_flags_numbers_absent_from_source_and_checks():
    source = "2022年总支出 1179.61 万元，基本支出 304.01 万元。执行率为74.36%。"
    checks = [check("rate.execution_rate", "warn", expected=Decimal("25.64"))]
    narrative = "1. 总支出 1179.61 万元（11796100 元），基本支出 304.01 万元，执行率 74.36%，差额 25.64 个百分点，另有 999 万元。"
    result = score_faithfulness(narrative, source, checks)
    assert result.numbers == 6  # the list enumerator "1." is not a number
    assert result.unsupported == ["999 万元"]
    assert result.share == pytest.approx(5 / 6)


# --- the gold files --------------------------------------------------------------------------


ALL_GOLD = [(p, SAMPLES_DIR) for p in GOLD_FILES] + [(p, CORPUS_DIR) for p in CORPUS_GOLD_FILES]


@pytest.fixture(scope="module", params=ALL_GOLD, ids=[p.stem for p, _ in ALL_GOLD])
def gold_and_text(request, settings_module):
    path, reports_dir = request.param
    g = load_gold(path)
    assert Path(g.source).name == path.stem + ".txt", "gold is named after its report"
    return g, read_document(reports_dir / Path(g.source).name, settings_module)


@pytest.fixture(scope="module")
def settings_module():
    from summarizer.config import resolve_settings

    return resolve_settings(environ={})


def test_every_sample_has_a_gold_file():
    assert sorted(p.stem for p in GOLD_FILES) == sorted(p.stem for p in SAMPLES_DIR.glob("*.txt"))


def test_gold_figures_are_stated_in_the_report(gold_and_text):
    """Gold is read from the report: every annotated amount occurs in the text with a compatible unit."""
    g, document = gold_and_text
    quantities = find_quantities(document.text)
    for gold_figure in g.figures:
        assert any(
            figure_values_agree(gold_figure, gold_figure.key, q.value, q.unit or gold_figure.unit) for q in quantities
        ) or _written_glued(document.text, gold_figure.value), f"{gold_figure.key} {gold_figure.value} {gold_figure.unit} is not in the report"


def _written_glued(text: str, value: Decimal) -> bool:
    """Form cells run together ("319.65134.0241.93%") state numbers the number grammar reads as one:
    the digits as written still occur: a decimal of four or more characters anywhere, any other
    number with a non-digit on at least one side."""
    written = format(value, "f")
    compact = text.replace(",", "")
    if "." in written and len(written) >= 4 and written in compact:
        return True
    start = compact.find(written)
    while start != -1:
        before = compact[start - 1] if start else " "
        after = compact[start + len(written)] if start + len(written) < len(compact) else " "
        if not (before.isdigit() and after.isdigit()):
            return True
        start = compact.find(written, start + 1)
    return False


def test_gold_text_items_are_quoted_from_the_report(gold_and_text):
    g, document = gold_and_text
    source = normalise_text(document.original)  # as written, runaway repetitions included
    for group in (g.problems, g.measures, g.achievements or []):
        for gold_item in group:
            norm = normalise_text(gold_item.text)
            # Every sentence of the annotation occurs in the report (points may be abridged).
            for sentence in filter(None, (normalise_text(s) for s in gold_item.text.split("。"))):
                assert sentence in source, f"not in the report: {sentence[:30]}"
            assert norm


def test_gold_identities_hold(gold_and_text):
    """Every identity the annotator wrote down holds within the report's rounding, and its numbers are stated."""
    g, document = gold_and_text
    stated = {q.value for q in find_quantities(document.text)}
    for identity in g.identities:
        for number in (identity.total, *identity.parts):
            assert number in stated or _written_glued(document.text, number), f"{identity.about}: {number} is not in the report"
        places = max(-n.as_tuple().exponent for n in (identity.total, *identity.parts))
        tolerance = Decimal(1).scaleb(-places) * len(identity.parts)
        if identity.relation == "sum":
            computed = sum(identity.parts, Decimal(0))
        elif identity.relation == "difference":
            computed = identity.parts[0] - sum(identity.parts[1:], Decimal(0))
        else:
            computed = identity.parts[0] / identity.parts[1] * 100
            tolerance = max(tolerance, Decimal("0.01"))
        assert abs(computed - identity.total) <= tolerance, f"{identity.about}: {computed} != {identity.total}"


def test_gold_findings_name_known_rule_families(gold_and_text):
    g, _document = gold_and_text
    families = {"identity.", "consistency.", "rate.", "plausibility.", "grounding."}
    for finding in g.findings:
        assert set(finding.rules) <= families, finding.id


def test_gold_rejects_unknown_keys(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"source": "x.txt", "figures": [{"key": "total_money", "value": 1, "unit": "万元"}]}), encoding="utf-8")
    with pytest.raises(InputError, match="unknown figure key"):
        load_gold(bad)
    bad.write_text(json.dumps({"source": "x.txt", "meta": {"unit": "x"}}), encoding="utf-8")
    with pytest.raises(InputError, match="unknown meta field"):
        load_gold(bad)


# --- runs: thresholds and comparison ---------------------------------------------------------


def run_dict(f1_figures: float | None, share: float | None = 1.0) -> dict:
    return {
        "backend": "rules",
        "overall": {"figures": {"precision": f1_figures, "recall": f1_figures, "f1": f1_figures}, "meta": {"f1": 1.0}},
        "narrative": {"share": share},
        "reports": {"a": {"groups": {"figures": {"precision": f1_figures, "recall": f1_figures, "f1": f1_figures}}}},
    }


def test_check_thresholds():
    thresholds = {"min_f1": {"figures": 0.9, "meta": 0.95, "problems": 0.5}, "min_narrative_share": 0.99}
    failures = check_thresholds(run_dict(0.85, share=0.9), thresholds)
    assert [f.split(":")[0] for f in failures] == ["figures", "problems", "narrative"]
    assert check_thresholds(run_dict(0.95) | {"overall": {**run_dict(0.95)["overall"], "problems": {"f1": 0.5}}}, thresholds) == []


def test_compare_runs_lists_what_moved():
    before, after = run_dict(0.8), run_dict(0.9) | {"backend": "llm"}
    metadata, differences = compare_runs(before, after)
    assert metadata == {"backend": ("rules", "llm")}
    assert {(d.scope, d.group, d.metric, d.delta) for d in differences} == {
        (scope, "figures", metric, 0.1) for scope in ("overall", "a") for metric in ("precision", "recall", "f1")
    }


# --- mutation --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xiangyin(settings_module):
    path = SAMPLES_DIR / "xiangyin_2022_administrative_approval_bureau_department.txt"
    return read_document(path, settings_module), load_gold(GOLD_DIR / (path.stem + ".json"))


def test_identity_members_come_from_identities_that_hold(xiangyin):
    _document, g = xiangyin
    members = {(f.key, str(f.value)) for f in identity_members(g)}
    assert {("expenditure_total", "1179.61"), ("basic_expenditure", "304.01"), ("personnel_expenditure", "247.37"),
            ("public_expenditure", "56.64"), ("project_expenditure", "875.6"), ("project_line", "251.6")} <= members  # fmt: skip
    # The 专项资金 actual payments are in no identity, nor are the extra 220.2 / 38 lines.
    assert ("project_line", "146") not in members
    assert ("project_line", "220.2") not in members


def test_mutation_is_deterministic_and_cycles_kinds(xiangyin):
    document, g = xiangyin
    first = mutate(document, g, 8, seed=3, name="x")
    again = mutate(document, g, 8, seed=3, name="x")
    other = mutate(document, g, 8, seed=4, name="x")
    assert [m.text for m in first] == [m.text for m in again]
    assert [m.text for m in first] != [m.text for m in other]
    assert [m.kind for m in first] == list(KINDS) * 2
    assert len({m.text for m in first}) == 8  # no copy repeats another


def test_each_mutation_is_one_local_edit(xiangyin):
    document, g = xiangyin
    original = document.original
    for m in mutate(document, g, 8, seed=0, name="x"):
        assert m.text != original
        prefix = original[: m.start]
        assert m.text.startswith(prefix)
        assert m.text.endswith(original[m.end :]), m.description
        inserted = m.text[len(prefix) : len(m.text) - (len(original) - m.end)]
        if m.kind == "identity_number":
            assert Decimal(inserted) != Decimal(original[m.start : m.end].replace(",", ""))
            assert m.expect_catch
        elif m.kind == "unit_switch":
            assert (original[m.start : m.end], inserted) == ("万元", "元")
        elif m.kind == "heading_synonym":
            assert inserted and not m.expect_catch
        else:
            assert inserted == "" and m.end - m.start > 20


def test_section_removed_makes_removed_gold_optional(xiangyin):
    document, g = xiangyin
    removed = [m for m in mutate(document, g, 16, seed=0, name="x") if m.kind == "section_removed"]
    assert removed
    for m in removed:
        cut = normalise_text(document.original[m.start : m.end])
        for before, after in zip(g.problems + g.measures, m.gold.problems + m.gold.measures):
            if normalise_text(before.text) in cut:
                assert not after.required
            else:
                assert after.required == before.required


def test_new_alarms_compare_rule_status_and_numbers():
    clean = [check("identity.basic", inputs=[("a", "1", "万元")]), check("rate.x", "pass")]
    mutated = [check("identity.basic", inputs=[("a", "1", "万元")]), check("rate.x", "fail"), check("identity.basic", inputs=[("a", "2", "万元")])]
    assert [c.status.value + " " + c.rule for c in new_alarms(clean, mutated)] == ["fail rate.x", "fail identity.basic"]


# --- the command -----------------------------------------------------------------------------

runner = CliRunner()


def test_eval_command_writes_a_run_file(tmp_path):
    out = tmp_path / "run.json"
    result = runner.invoke(app, ["eval", "--gold", str(GOLD_DIR), "--samples", str(SAMPLES_DIR), "--out", str(out), "--mutate", "2"])
    assert result.exit_code == 0, result.output
    assert "overall" in result.output and "mutation" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["backend"] == "rules" and data["package_version"] and data["timestamp"]
    assert "prompt_hash" in data
    assert set(data["reports"]) == {p.stem for p in GOLD_FILES}
    for group in ("meta", "figures", "problems", "measures", "findings"):
        assert set(data["overall"][group]) >= {"tp", "fp", "fn", "precision", "recall", "f1"}
    assert data["mutation"]["copies"] == 2 * len(GOLD_FILES)


def test_eval_compare_prints_differences(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(run_dict(0.8)), encoding="utf-8")
    b.write_text(json.dumps(run_dict(0.9)), encoding="utf-8")
    result = runner.invoke(app, ["eval", "--compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "+0.100" in result.output and "figures" in result.output


def test_eval_thresholds_exit_code(tmp_path):
    impossible = tmp_path / "thresholds.json"
    impossible.write_text(json.dumps({"min_f1": {"meta": 1.01}}), encoding="utf-8")
    result = runner.invoke(
        app, ["eval", "--gold", str(GOLD_DIR), "--samples", str(SAMPLES_DIR), "--out", str(tmp_path / "r.json"), "--thresholds", str(impossible)]
    )
    assert result.exit_code == 7
    assert "meta: F1" in result.output


def test_eval_missing_gold_dir_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["eval", "--gold", str(tmp_path / "nope"), "--samples", str(SAMPLES_DIR)])
    assert result.exit_code == 4
    assert "no gold files" in result.output


def test_faithfulness_is_unit_aware_against_the_source():
    source = "全县有35个部门单位，办结回访 514 件，满意率 99.8%。支出合计\t1179.61"
    assert score_faithfulness("涉及 35 个部门，满意率 99.8%，支出 1179.61 万元。", source, []).unsupported == []
    result = score_faithfulness("项目支出 35 万元，满意率 514%。", source, [])
    assert result.unsupported == ["35 万元", "514%"]
