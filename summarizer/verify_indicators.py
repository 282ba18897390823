"""Verification of the performance indicators (绩效指标) and self-score rows against themselves.
No I/O; part of the verification pass (verify.py calls `indicator_checks`).

What a reviewer reads from one indicator table, and what this module checks:

  plausibility.indicator_target  a quantitative target ("≥180人", "不低于85%", "≤30万元") that
                                 the actual value written beside it does not meet. warn (a
                                 result below target is a finding to look at, not an
                                 arithmetic error)
  consistency.unit_slip          target and actual with the same digits in different money
                                 units (20万元 / 20元). warn
  plausibility.rate_range        a share indicator (合格率, 满意度 …) whose target or actual is
                                 above 100%. fail (a glued 1000%+ is a warn)
  identity.self_score            a level's stated weight ("产出指标(60分)") against its rows:
                                 the rows' scores above it fail, their weights above it fail,
                                 below it warn (a row may not have been read); the budget
                                 execution row's score against 分值 × 执行率 (fail when the
                                 report states the formula, warn for 100% without full marks)

It never raises on odd input: values that do not parse are skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .genre import vocabulary
from .numbers import MONEY_UNITS
from .schemas import Check, CheckInput, CheckStatus, Indicator, RuleId, Severity
from .verify_text import HUNDRED, SCORE_TOLERANCE, fmt, make_check, new_input

__all__ = ["indicator_checks"]

PASS, WARN, FAIL = CheckStatus.PASS, CheckStatus.WARN, CheckStatus.FAIL

# Operators of a quantitative target, as the genre writes them, to a comparison.
_AT_LEAST = ("≥", ">=", "＞=", "不低于", "不少于", "不小于", "大于等于", "大于或等于")
_MORE_THAN = (">", "＞", "大于", "多于", "高于", "超过")
_AT_MOST = ("≤", "<=", "＜=", "不高于", "不超过", "不大于", "小于等于", "小于或等于", "控制在")
_LESS_THAN = ("<", "＜", "小于", "少于", "低于")
_EXACT = ("=", "＝")  # the form's 指标性质 column: "=" before an exact target ("= | 100 | %")
_OPERATORS = sorted((*_AT_LEAST, *_MORE_THAN, *_AT_MOST, *_LESS_THAN, *_EXACT), key=len, reverse=True)
_NUMBER = r"(?P<number>\d+(?:\.\d+)?)"
_UNIT = r"(?P<unit>%|[\u3400-\u9fff]{1,2}(?:/[\u3400-\u9fff]{1,2})?)?"


@lru_cache(maxsize=1)  # compiled on first use: most real reports state no target/actual to parse (slow to compile: the unit's CJK range)
def _value_pattern() -> re.Pattern[str]:
    """A quantitative target ("≥95%", "不低于180人") or an actual value ("完成 96%"), as one pattern
    (its CJK unit classes compiled once, not once for each): a target is a match without a done
    word (完成, 达到 …), an actual one without an operator or a suffix (以上 …). Operators and
    done words share no start, and a suffix is tried only after every unit, so each reading is
    the one its own pattern would make."""
    return re.compile(
        r"^(?:(?P<operator>" + "|".join(re.escape(o) for o in _OPERATORS) + r")|(?P<done>完成|达到|实际|为))?\s*"
        + _NUMBER + r"\s*" + _UNIT + r"\s*(?P<suffix>以上|以下|以内|及以上|及以下)?$"
    )


_SHARE = re.compile(r"满意率|满意度|好评率|覆盖率|合格率|达标率|知晓率|办结率|回复率|参保率|入学率|巩固率|验收合格|准确率|及时率|到位率|拨付率|兑现率|发放率")
_EXECUTION_ROW = re.compile(r"预算执行率|资金执行率|执行率")
_LEVEL_WEIGHT = r"\s*[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]"
_OWN_WEIGHT = re.compile(_LEVEL_WEIGHT + r"$")
_FORMULA = re.compile(r"分\s*[*×xX]\s*(?:预算)?执行率|分值\s*[*×xX]\s*(?:预算)?执行率")


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # a table's names and values are cleaned by several checks
def _clean(value: str | None) -> str:
    return _SPACES.sub("", value or "").replace("，", "").replace(",", "")


def _parse_target(value: str | None) -> tuple[str, Decimal, str] | None:
    match = _value_pattern().match(_clean(value))
    if match is None or match.group("done") is not None:
        return None
    operator, suffix = match.group("operator") or "", match.group("suffix") or ""
    if operator in _AT_LEAST or (not operator and suffix in ("以上", "及以上")):
        comparison = ">="
    elif operator in _MORE_THAN:
        comparison = ">"
    elif operator in _AT_MOST or (not operator and suffix in ("以下", "以内", "及以下")):
        comparison = "<="
    elif operator in _LESS_THAN:
        comparison = "<"
    else:
        comparison = "="
    try:
        return comparison, Decimal(match.group("number")), match.group("unit") or ""
    except InvalidOperation:
        return None


def _parse_actual(value: str | None) -> tuple[Decimal, str] | None:
    match = _value_pattern().match(_clean(value))
    if match is None or match.group("operator") is not None or match.group("suffix") is not None:
        return None
    try:
        return Decimal(match.group("number")), match.group("unit") or ""
    except InvalidOperation:
        return None


_PERSONS = {"人", "人次", "名"}


def _same_unit(a: str, b: str) -> bool:
    return a == b or {a, b} <= _PERSONS


def _input(row: Indicator, word: str, value: Decimal, unit: str) -> CheckInput:
    return new_input({"label": f"{row.name}{word}", "value": value, "unit": unit, "span": row.span})


def _target_inputs(row: Indicator, goal: Decimal, goal_unit: str, value: Decimal, unit: str) -> list[CheckInput]:
    """A target check's inputs (made only for a check: most targets are met)."""
    return [_input(row, "目标值", goal, goal_unit), _input(row, "实际完成值", value, unit or goal_unit)]


def _targets(rows: Sequence[Indicator]) -> list[Check]:
    checks: list[Check] = []
    met = 0
    for row in rows:
        target, actual = _parse_target(row.target), _parse_actual(row.actual)
        if target is None or actual is None:
            continue
        comparison, goal, goal_unit = target
        value, unit = actual
        if goal_unit in MONEY_UNITS and unit in MONEY_UNITS and goal_unit != unit and goal == value and "万" in goal_unit + unit:
            checks.append(make_check(
                RuleId.UNIT_SLIP, WARN, Severity.MEDIUM,
                f"指标“{row.name}”目标值 {row.target}、实际完成值 {row.actual}：数字相同而单位一为元、一为万元，疑为单位笔误，请核对",
                _target_inputs(row, goal, goal_unit, value, unit), goal, value,
            ))
            continue
        if not (_same_unit(goal_unit, unit) or (unit == "" and goal_unit != "%")):
            continue
        # A money target with no operator is the cost allowed (成本指标 "项目计划总投资 20万元").
        ceiling = goal_unit in MONEY_UNITS and comparison == "=" and unit in ("", goal_unit)
        if comparison == "=" and not ceiling:
            continue  # an exact target missed ("100%" / 98%) is left to the score
        missed = {
            ">=": value < goal, ">": value <= goal, "<=": value > goal, "<": value >= goal, "=": ceiling and value > goal,
        }[comparison]
        if not missed:
            met += 1
            continue
        checks.append(make_check(
            RuleId.INDICATOR_TARGET, WARN, Severity.MEDIUM,
            f"指标“{row.name}”目标值为 {row.target}，实际完成值 {row.actual}，未达到目标，请核对完成情况的表述与得分",
            _target_inputs(row, goal, goal_unit, value, unit), goal, value,
        ))
    if met and not checks:
        checks.append(make_check(RuleId.INDICATOR_TARGET, PASS, Severity.INFO, f"{met} 项量化指标的实际完成值达到目标值"))
    return checks


def _shares(rows: Sequence[Indicator]) -> list[Check]:
    """A share indicator stated above 100% (target or actual)."""
    checks: list[Check] = []
    for row in rows:
        if not _SHARE.search(row.name or ""):
            continue
        for word, written in (("目标值", row.target), ("实际完成值", row.actual)):
            parsed = _parse_target(written)
            if parsed is None or parsed[2] != "%" or parsed[1] <= HUNDRED or parsed[0] in ("<=", "<"):
                continue
            value = parsed[1]
            # A target over 100% is most often a mangled "≥" (≥90% read as 290%): asked, not failed.
            guess = value >= 1000 or word == "目标值"
            checks.append(make_check(
                RuleId.RATE_RANGE, WARN if guess else FAIL, Severity.MEDIUM,
                f"指标“{row.name}”{word}写为 {written}，这是占比，不可能超过 100%"
                + ("（疑为相邻数字粘连，请核对原表）" if value >= 1000 else "（疑为“≥”等符号误识，请核对原表）" if guess else ""),
                [_input(row, word, value, "%")], HUNDRED, value,
            ))
    return checks


@lru_cache(maxsize=1024)
def _stated_weight_pattern(name: str) -> re.Pattern[str]:
    """A level's name followed by its weight; OCR and flattened forms break a cell's name with
    spaces ("部门决 策(25 分)"), so any whitespace may sit between its characters."""
    return re.compile(r"\s*".join(re.escape(character) for character in name) + _LEVEL_WEIGHT)


_WeightCache = dict[tuple[str, int, int], "tuple[str, Decimal] | None"]


def _stated_weight(name: str | None, row: Indicator, text: str, cache: _WeightCache | None = None) -> tuple[str, Decimal] | None:
    """A level's name and the weight written with it ("产出指标(60分)"), read from the name itself
    or, where the extractor kept the bare name, from the text before the row (the nearest one)."""
    level = _clean(name)
    if not level:
        return None
    own = _OWN_WEIGHT.search(level)
    if own is not None:
        return level[: own.start()], Decimal(own.group(1))
    key = (level, row.span.start, row.span.end)
    if cache is not None and key in cache:
        return cache[key]
    found = _weight_before(level, row.span.start, row.span.end, text)
    if cache is not None:
        cache[key] = found  # rows of one level share names and spans, and three checks ask
    return found


def _weight_before(level: str, start: int, end: int, text: str) -> tuple[str, Decimal] | None:
    """The weight written with `level` nearest before `end`."""
    # The row's span may open on the level's own cell ("产出指标(70分)数量指标…"): read to its end.
    found = None
    # (within bounds rather than in a slice: the pattern has no anchor, so the matches are the same)
    for match in _stated_weight_pattern(level).finditer(text, max(0, start - 1500), end):
        found = match
    if found is None:
        return None
    return level, Decimal(found.group(1))


def _level_weight(row: Indicator, text: str, cache: _WeightCache | None = None) -> tuple[str, Decimal] | None:
    """The level-1 name of a row and the weight written with it."""
    return _stated_weight(row.level1, row, text, cache)


def _compare(level: str, weight: Decimal, names: list[str], values: list[Decimal], spans: list[Indicator], word: str) -> Check | None:
    """Values (scores or weights) of the members of a level against the level's stated weight:
    above it fails; below it warns for weights (a member may not have been read); else passes
    (None)."""
    total = sum(values, Decimal(0))
    failed = total > weight + SCORE_TOLERANCE
    if not failed and not (word == "分值" and total < weight - SCORE_TOLERANCE):
        return None  # passes: no message, no inputs
    listed = " + ".join(f"{name} {fmt(value)}" for name, value in zip(names, values))
    inputs = [new_input({"label": f"{level}分值", "value": weight, "unit": "分", "span": spans[0].span})]
    inputs += [_input(row, word, value, "分") for row, value in zip(spans, values)]
    if failed:
        return make_check(
            RuleId.SELF_SCORE, FAIL, Severity.HIGH,
            f"自评表{word}不平：{level}（{fmt(weight)}分）下各指标{word} {listed} = {fmt(total)}，超过其分值",
            inputs, total, weight, SCORE_TOLERANCE,
        )
    return make_check(
        RuleId.SELF_SCORE, WARN, Severity.LOW,
        f"自评表分值：{level}（{fmt(weight)}分），读到的下级指标分值 {listed} = {fmt(total)}，少 {fmt(weight - total)}；若已列全则不平，请核对",
        inputs, total, weight, SCORE_TOLERANCE,
    )


def _levels(rows: Sequence[Indicator], text: str, cache: _WeightCache) -> list[Check]:
    """Each level's stated weight ("产出指标(60分)", "目标任务(15分)") against the weights and
    scores of its rows; a level-1 whose level-2s all state their weights against those."""
    level1s: dict[tuple[str, Decimal], list[tuple[Indicator, tuple[str, Decimal] | None]]] = defaultdict(list)
    level2s: dict[tuple[str, str, Decimal], list[Indicator]] = defaultdict(list)
    for row in rows:
        if row.weight is None and row.score is None:
            continue
        if _clean(row.name) in ("总分", "合计", "总计") or _clean(row.level1) == _clean(row.name):
            continue
        level1 = _level_weight(row, text, cache)
        level2 = _stated_weight(row.level2, row, text, cache) if _clean(row.level2) not in ("", _clean(row.name), _clean(row.level1)) else None
        if level1 is not None:
            level1s[level1].append((row, level2))
        if level2 is not None:
            level2s[(level1[0] if level1 else "", *level2)].append(row)
    groups: list[tuple[str, Decimal, list[Indicator], list[tuple[str, list[str], list[Decimal | None], list[Indicator]]]]] = []
    for (_, level, weight), members in level2s.items():
        groups.append((level, weight, members, []))
    for (level, weight), pairs in level1s.items():
        members = [row for row, _ in pairs]
        nodes: dict[tuple[str, Decimal], Indicator] = {}
        for row, level2 in pairs:
            if level2 is not None:
                nodes.setdefault(level2, row)
        whole = all(level2 is not None for _, level2 in pairs)
        # Level-2 weights stand for their rows' weights when every row sits under a stated one.
        weights = [([n for n, _ in nodes], [w for _, w in nodes], list(nodes.values()))] if whole else []
        groups.append((level, weight, members, [("分值", *w) for w in weights]))
    checks: list[Check] = []
    passed = 0
    for level, weight, members, instead in groups:
        compared = [("得分", [row.name for row in members], [row.score for row in members], members)]
        compared += instead or [("分值", [row.name for row in members], [row.weight for row in members], members)]
        for word, names, values, spans in compared:
            if any(value is None for value in values):
                continue
            check = _compare(level, weight, names, values, spans, word)
            if check is None:
                passed += 1
            else:
                checks.append(check)
    if passed and not checks:
        checks.append(make_check(RuleId.SELF_SCORE, PASS, Severity.INFO, f"自评表各一级指标的分值与其下指标一致（{passed} 组）"))
    return checks


def _execution_rows(rows: Sequence[Indicator], text: str) -> list[Check]:
    """The budget execution row: its score is its weight × the execution rate."""
    formula = bool(_FORMULA.search(text))
    checks: list[Check] = []
    for row in rows:
        if row.weight is None or row.score is None or not _EXECUTION_ROW.search(row.name or ""):
            continue
        actual = _parse_actual(row.actual)
        if actual is None or actual[1] != "%" or actual[0] > HUNDRED:
            continue
        rate = actual[0]
        expected = row.weight * rate / HUNDRED
        if abs(row.score - expected) <= Decimal("0.5") * (1 if row.score == row.score.to_integral_value() else Decimal("0.02")):
            continue
        inputs = [_input(row, "分值", row.weight, "分"), _input(row, "执行率", rate, "%"), _input(row, "得分", row.score, "分")]
        if formula:
            checks.append(make_check(
                RuleId.SELF_SCORE, FAIL, Severity.HIGH,
                f"“{row.name}”得分 {fmt(row.score)}，按报告所写 分值 × 执行率 = {fmt(row.weight)} × {fmt(rate)}% = {fmt(expected)}",
                inputs, expected, row.score, Decimal("0.5"),
            ))
        elif rate == HUNDRED and row.score < row.weight:
            checks.append(make_check(
                RuleId.SELF_SCORE, WARN, Severity.MEDIUM,
                f"“{row.name}”执行率 100%，得分 {fmt(row.score)} 却低于其分值 {fmt(row.weight)}，请核对",
                inputs, row.weight, row.score, Decimal("0.5"),
            ))
    return checks


_TOTAL_NAME = re.compile(rf"^(?:{vocabulary().indicator_total_row.pattern})(?:{_LEVEL_WEIGHT})?$")


def _table_total(
    rows: Sequence[Indicator], text: str, self_score: Decimal | None, executions: Sequence[tuple[Decimal, Decimal]],
    cache: _WeightCache,
) -> list[Check]:
    """A table whose rows carry scores but no weights of their own ("产出指标(60分) | 数量指标 |
    … | 20"): its level-1 weights and the budget-execution part (a row "预算执行率", or the block
    scored "得分(20分*执行率)") against the total row's weight "总分(100分)"; when they make it,
    the rows' scores and the execution score against the total score (the row's, or the self
    score). The rows of a level may not all have been read, so a mismatch warns."""
    root = next((row for row in rows if _TOTAL_NAME.match(_clean(row.name))), None)
    if root is None:
        return []
    total_weight = root.weight
    if total_weight is None:
        written = _TOTAL_NAME.match(_clean(root.evidence)) or _TOTAL_NAME.match(_clean(root.name))
        total_weight = Decimal(written.group(1)) if written is not None and written.group(1) else None
    members = [row for row in rows if row is not root and (row.weight is not None or row.score is not None)]
    if total_weight is None or not members or all(row.weight is not None for row in members):
        return []  # leaf weights all read: verify's self-score tree compares them with the total
    levels: dict[str, Decimal] = {}
    execution: list[tuple[Decimal, Decimal | None]] = []
    for row in members:
        level = _level_weight(row, text, cache)
        if level is not None:
            levels.setdefault(level[0], level[1])
        elif row.weight is not None and _EXECUTION_ROW.search(row.name or ""):
            execution.append((row.weight, row.score))
        else:
            return []  # a row under no weighted level: the table's parts are not all known
    if not levels:
        return []
    if not execution:
        execution = list(executions)
    if len(execution) > 1:
        return []  # several execution parts: which one this table holds is a guess
    parts = [(f"{name}", weight) for name, weight in levels.items()] + [("预算执行", weight) for weight, _ in execution]
    weight_sum = sum((weight for _, weight in parts), Decimal(0))
    listed = " + ".join(f"{name} {fmt(weight)}" for name, weight in parts)
    inputs = [CheckInput(label="总分分值", value=total_weight, unit="分", span=root.span)]
    inputs += [CheckInput(label=f"{name}分值", value=weight, unit="分") for name, weight in parts]
    if abs(weight_sum - total_weight) > SCORE_TOLERANCE:
        return [make_check(
            RuleId.SELF_SCORE, WARN, Severity.MEDIUM,
            f"自评表分值：各一级指标与预算执行的分值 {listed} = {fmt(weight_sum)}，与总分 {fmt(total_weight)} 不符，请核对各项分值",
            inputs, weight_sum, total_weight, SCORE_TOLERANCE,
        )]
    total_score = root.score if root.score is not None else self_score
    scores = [row.score for row in members if row.weight is None or not _EXECUTION_ROW.search(row.name or "")] + [score for _, score in execution]
    if total_score is None or any(score is None for score in scores):
        return [make_check(RuleId.SELF_SCORE, PASS, Severity.INFO, f"自评表各一级指标与预算执行的分值之和 {fmt(weight_sum)} = 总分 {fmt(total_weight)}")]
    score_sum = sum(scores, Decimal(0))
    if abs(score_sum - total_score) > SCORE_TOLERANCE:
        return [make_check(
            RuleId.SELF_SCORE, WARN, Severity.MEDIUM,
            f"自评表得分：各指标得分与预算执行得分之和为 {fmt(score_sum)}，与总得分 {fmt(total_score)} 不符；若各行已读全则不平，请核对",
            [CheckInput(label="总得分", value=total_score, unit="分", span=root.span)], score_sum, total_score, SCORE_TOLERANCE,
        )]
    return [make_check(RuleId.SELF_SCORE, PASS, Severity.INFO, f"自评表分值之和 {fmt(weight_sum)} = 总分，得分之和 {fmt(score_sum)} = 总得分")]


def indicator_checks(
    indicators: Sequence[Indicator], text: str, *, self_score: Decimal | None = None,
    executions: Sequence[tuple[Decimal, Decimal]] = (),
) -> list[Check]:
    """Every indicator check; `text` is the report's text the indicators' spans point into,
    `self_score` the report's stated self score, `executions` the (weight, score) of the table's
    budget-execution rows scored by a stated formula (verify_breakdowns.execution_scores)."""
    rows = list(indicators)
    if not rows:
        return []
    weights: _WeightCache = {}  # a level's written weight, read once per name and span
    return (
        _targets(rows) + _shares(rows) + _levels(rows, text, weights) + _execution_rows(rows, text)
        + _table_total(rows, text, self_score, executions, weights)
    )
