"""The genre's vocabulary as data: loaded once, validated, and read by every stage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from summarizer import genre
from summarizer.genre import GenreError, build, vocabulary
from summarizer.schemas import FIGURE_KEYS


def test_the_vocabulary_loads_once_and_names_every_figure_key():
    assert vocabulary() is vocabulary()
    assert FIGURE_KEYS == vocabulary().key_names
    assert all(spec.kind in genre.KINDS for spec in vocabulary().keys.values())


@pytest.mark.parametrize(
    ("score", "grade"), [("97", "优"), ("90", "优"), ("89.9", "良"), ("80", "良"), ("60", "中"), ("59", "差")]
)
def test_one_grade_band_for_every_stage(score, grade):
    assert vocabulary().grade_for_score(Decimal(score)) == grade


@pytest.mark.parametrize(("word", "grade"), [("优秀", "优"), ("良好", "良"), ("中等", "中"), ("合格", "中"), ("不合格", "差")])
def test_grade_words(word, grade):
    assert vocabulary().grade_of_word(word) == grade


def _files():
    return [genre._read(name) for name in ("figures.toml", "sections.toml", "grades.toml", "indicators.toml", "meta.toml")]


def test_an_unknown_key_in_a_label_is_refused():
    figures, sections, grades, indicators, meta = _files()
    figures["subject"].append({"key": "total_money", "pattern": "总钱"})
    with pytest.raises(GenreError, match="unknown key 'total_money'"):
        build(figures, sections, grades, indicators, meta)


def test_a_bad_pattern_is_refused_with_its_place():
    figures, sections, grades, indicators, meta = _files()
    sections["problem"] = "存在(问题"
    with pytest.raises(GenreError, match="sections.problem"):
        build(figures, sections, grades, indicators, meta)


def test_bands_must_run_from_the_highest_grade_down():
    figures, sections, grades, indicators, meta = _files()
    grades["bands"] = {"优": 60, "良": 80, "中": 90, "差": 0}
    with pytest.raises(GenreError, match="bands"):
        build(figures, sections, grades, indicators, meta)


def test_a_label_added_as_data_reaches_the_extractor():
    from summarizer.backends import rules_figures

    figures, sections, grades, indicators, meta = _files()
    figures["subject"].append({"key": "fixed_assets", "pattern": "资产原值"})
    extended = build(figures, sections, grades, indicators, meta)
    patterns = [(entry.pattern, entry.key) for entry in extended.subjects]
    assert rules_figures._closest(patterns, "年末资产原值")[0] == "fixed_assets"
    assert rules_figures._closest(rules_figures._SUBJECT_RE, "年末资产原值") is None


@pytest.mark.parametrize("name", ["_SUBJECT_RE", "_GENERIC_RE", "_RATE_RE", "_AFTER_RE", "_KV_RE"])
def test_a_label_set_as_one_regex_matches_where_one_of_its_patterns_does(name, samples_dir):
    """The extractor rejects a clause with one search of the joined patterns; on every clause of
    the samples that must agree with trying the patterns one by one."""
    import re

    from summarizer.backends import rules_figures

    labels = getattr(rules_figures, name)
    assert labels.any_of is not None
    clauses = [
        clause for sample in sorted(samples_dir.glob("*.txt"))
        for clause in re.split(r"[。；;，,\n]", sample.read_text(encoding="utf-8"))
    ]
    for clause in clauses:
        assert bool(labels.any_of.search(clause)) == any(pattern.search(clause) for pattern, _ in labels), clause


# ---- identities (identities.toml) ---------------------------------------------------------


def test_identities_load_once_over_known_figure_keys():
    from summarizer.genre.identities import identities
    from summarizer.schemas import RuleId

    known = identities()
    assert known is identities()
    assert {"expenditure_total", "expenditure_by_type", "basic_expenditure", "balance", "execution_rate"} <= set(known.ids)
    keys = set(vocabulary().keys)
    for identity in known.sums:
        assert identity.total in keys and set(identity.parts) <= keys
    # every identity verification checks has a typed rule id
    for identity in known.sums + known.differences:
        assert RuleId(f"identity.{identity.id}")
    for rate in known.rates + known.growth:
        assert RuleId(f"rate.{rate.id}")


@pytest.mark.parametrize(
    ("section", "entry", "message"),
    [
        ("sum", {"id": "x", "name": "x", "total": "total_money", "parts": ["basic_expenditure"]}, "unknown figure key"),
        ("sum", {"id": "x", "name": "x", "total": "balance", "parts": []}, "needs one or more"),
        ("sum", {"id": "balance_parts", "name": "again", "total": "balance", "parts": ["carried_forward"]}, "duplicate id"),
        ("rate", {"id": "y", "name": "y", "rate": "execution_rate", "numerator": ["actual_spending"]}, "denominator"),
    ],
)
def test_a_malformed_identity_is_refused(section, entry, message):
    from summarizer.genre.identities import build_identities

    data = genre._read("identities.toml")
    data.setdefault(section, []).append(entry)
    with pytest.raises(GenreError, match=message):
        build_identities(data, set(vocabulary().keys))
