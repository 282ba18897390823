"""verify_indicators: an indicator table checked against itself (targets, shares, level weights,
the budget execution row). Table-driven, one row per form the genre writes."""

from decimal import Decimal

import pytest

from summarizer.schemas import CheckStatus, Indicator, RuleId, Span
from summarizer.verify_indicators import indicator_checks


def row(name, target=None, actual=None, weight=None, score=None, level1=None, start=0, end=10):
    return Indicator(
        level1=level1, name=name, target=target, actual=actual,
        weight=None if weight is None else Decimal(weight), score=None if score is None else Decimal(score),
        span=Span(start=start, end=end), evidence=name,
    )


def statuses(checks, rule):
    return [c.status for c in checks if c.rule == rule]


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("不低于180人", "164人", CheckStatus.WARN),  # below a floor
        ("≥928小时", "909.93小时", CheckStatus.WARN),
        ("不低于105人", "116人", CheckStatus.PASS),
        ("≥90%", "≥90%", None),  # an actual copied with its operator: nothing measured
        ("不低于85%", "100%", CheckStatus.PASS),
        ("≤30万元", "32万元", CheckStatus.WARN),  # above a ceiling
        ("20万元", "21万元", CheckStatus.WARN),  # a money target is the cost allowed
        ("20万元", "20万元", CheckStatus.PASS),
        ("100%", "98%", None),  # an exact target missed is left to the score
        ("=100%", "98%", None),
        ("260元/辆", "按该标准发放", None),
        ("小于5次", "无上访", None),
    ],
)
def test_target_against_actual(target, actual, status):
    checks = indicator_checks([row("指标", target, actual)], "")
    assert statuses(checks, RuleId.INDICATOR_TARGET) == ([status] if status else [])


def test_target_and_actual_in_different_money_units_warn():
    checks = indicator_checks([row("项目计划总投资", "20万元", "20元")], "")
    assert statuses(checks, RuleId.UNIT_SLIP) == [CheckStatus.WARN]


@pytest.mark.parametrize(
    ("name", "target", "actual", "status"),
    [
        ("项目(工程)验收合格率", "100%", "105%", CheckStatus.FAIL),
        ("市民满意度", "290%", "100%", CheckStatus.WARN),  # a target over 100%: a mangled ≥
        ("完成率", "100%", "105%", None),  # completion may exceed the plan
        ("群众满意度", "≥95%", "96%", None),
        ("发放(缴纳)覆盖率", "=110%", None, CheckStatus.WARN),  # the form's "=" operator column
        ("发放(缴纳)覆盖率", "=100%", None, None),
    ],
)
def test_share_above_hundred(name, target, actual, status):
    checks = indicator_checks([row(name, target, actual)], "")
    assert statuses(checks, RuleId.RATE_RANGE) == ([status] if status else [])


def test_level_weight_from_the_level_name():
    rows = [row("数量", score=20, level1="产出指标(60分)"), row("质量", score=20, level1="产出指标(60分)"), row("时效", score=22, level1="产出指标(60分)")]
    checks = indicator_checks(rows, "")
    assert statuses(checks, RuleId.SELF_SCORE) == [CheckStatus.FAIL]


def test_level_weight_read_from_the_text_before_the_rows():
    text = "产出指标(70分)数量指标甲10≥1米≥1米10效益指标(19分)社会效益指标乙10显著显著10丙10显著显著10"
    start = text.index("效益指标")
    rows = [
        row("甲", weight=10, score=10, level1="产出指标", start=0, end=20),
        row("乙", weight=10, score=10, level1="效益指标", start=start, end=start + 25),
        row("丙", weight=10, score=10, level1="效益指标", start=start, end=len(text)),
    ]
    checks = [c for c in indicator_checks(rows, text) if c.rule == RuleId.SELF_SCORE and "效益指标" in c.message]
    assert [c.status for c in checks] == [CheckStatus.FAIL, CheckStatus.FAIL]  # scores and weights 20 > 19


def test_level_weights_that_agree_pass_and_a_short_level_warns():
    text = "产出指标(30分)"
    rows = [row("甲", weight=10, score=9, level1="产出指标", end=12), row("乙", weight=10, score=10, level1="产出指标", end=12)]
    assert statuses(indicator_checks(rows, text), RuleId.SELF_SCORE) == [CheckStatus.WARN]
    rows.append(row("丙", weight=10, score=10, level1="产出指标", end=12))
    assert statuses(indicator_checks(rows, text), RuleId.SELF_SCORE) == [CheckStatus.PASS]


@pytest.mark.parametrize(
    ("text", "actual", "score", "status"),
    [
        ("得分(分值*执行率)", "100.00%", 9, CheckStatus.FAIL),
        ("得分(分值*执行率)", "90%", 9, None),
        ("得分", "100%", 8, CheckStatus.WARN),  # no formula stated: full execution, points lost
        ("得分", "95%", 8, None),
    ],
)
def test_execution_row_score(text, actual, score, status):
    checks = indicator_checks([row("预算执行率", actual=actual, weight=10, score=score)], text)
    assert statuses(checks, RuleId.SELF_SCORE) == ([status] if status else [])


def level2_row(name, weight, score, level1, level2, start=0, end=10):
    built = row(name, weight=weight, score=score, level1=level1, start=start, end=end)
    return built.model_copy(update={"level2": level2})


# A score tree flattened by OCR: level names broken by spaces, level-2 weights in the text.
_TREE = "部门决 策(25 分) 目标任务(15 分) 相关性(5 分) 5 明确性(5 分) 5 合理性(5 分) 5 预算编制(10 分) 测算依据(5 分) 2 目标管理(5 分) 4"


@pytest.mark.parametrize(
    ("edit", "status"),
    [
        (None, CheckStatus.PASS),  # 25 = 15 + 10, 15 = 5 + 5 + 5, 10 = 5 + 5
        (("部门决 策(25 分)", "部门决 策(24 分)"), CheckStatus.FAIL),  # level-2 weights above the level-1's
        (("目标任务(15 分)", "目标任务(14 分)"), CheckStatus.FAIL),  # rows above their level-2
        (("目标任务(15 分)", "目标任务(16 分)"), CheckStatus.WARN),  # rows short of their level-2
    ],
)
def test_level_weights_of_a_score_tree(edit, status):
    text = _TREE if edit is None else _TREE.replace(*edit)
    end = len(text)
    rows = [
        level2_row("相关性", 5, 5, "部门决策", "目标任务", end=end),
        level2_row("明确性", 5, 5, "部门决策", "目标任务", end=end),
        level2_row("合理性", 5, 5, "部门决策", "目标任务", end=end),
        level2_row("测算依据", 5, 2, "部门决策", "预算编制", end=end),
        level2_row("目标管理", 5, 4, "部门决策", "预算编制", end=end),
    ]
    found = statuses(indicator_checks(rows, text), RuleId.SELF_SCORE)
    assert (found == [CheckStatus.PASS]) if status is CheckStatus.PASS else (status in found and CheckStatus.PASS not in found)


def _scored_table(satisfaction_weight="10", second_score=20):
    rows = [
        row("数量", score=20, level1="产出指标(60分)"),
        row("质量", score=second_score, level1="产出指标(60分)"),
        row("时效", score=20, level1="产出指标(60分)"),
        row("社会效益", score=10, level1="效益指标(10分)"),
        row("满意率", score=10, level1=f"满意度指标({satisfaction_weight}分)"),
    ]
    return rows + [row("总分").model_copy(update={"evidence": "总分(100分)"})]


@pytest.mark.parametrize(
    ("satisfaction_weight", "second_score", "executions", "status"),
    [
        ("10", 20, [(Decimal(20), Decimal(20))], CheckStatus.PASS),  # 60 + 10 + 10 + 20 = 100, scores 100
        ("11", 20, [(Decimal(20), Decimal(20))], CheckStatus.WARN),  # weights 101
        ("10", 18, [(Decimal(20), Decimal(20))], CheckStatus.WARN),  # scores 98 against 100
        ("10", 20, [], CheckStatus.WARN),  # the execution block not read: 80 of 100, asked
        ("10", 20, [(Decimal(20), Decimal(20))] * 2, None),  # two execution blocks: no reading
    ],
)
def test_table_total_of_levels_and_execution(satisfaction_weight, second_score, executions, status):
    rows = _scored_table(satisfaction_weight, second_score)
    checks = [c for c in indicator_checks(rows, "", self_score=Decimal(100), executions=executions) if "总" in c.message]
    assert [c.status for c in checks] == ([status] if status else [])
