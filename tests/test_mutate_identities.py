"""Mutation reads the genre's identities (identities.toml, the data verification checks) and the
identities annotated in gold, and plants an error where the identity is stated."""

from __future__ import annotations

import random
from decimal import Decimal

from summarizer.document import plain_document
from summarizer.evaluation.gold import Gold, GoldFigure, GoldIdentity
from summarizer.mutate import _identity_number, identity_members
from summarizer.numbers import find_quantities
from summarizer.schemas import Report
from summarizer.verify import verify


def gold(figures=(), identities=()) -> Gold:
    return Gold(source="x.txt", figures=list(figures), identities=list(identities))


def test_members_follow_the_identities_data():
    """支出 = 人员 + 公用 + 项目 (no 基本支出 stated) is an identity of identities.toml."""
    figures = [
        GoldFigure(key="expenditure_total", value=Decimal("799.12"), unit="万元"),
        GoldFigure(key="personnel_expenditure", value=Decimal("434.89"), unit="万元"),
        GoldFigure(key="public_expenditure", value=Decimal("77.4"), unit="万元"),
        GoldFigure(key="project_expenditure", value=Decimal("286.83"), unit="万元"),
        GoldFigure(key="fixed_assets", value=Decimal(12), unit="万元"),
    ]
    members = {f.key for f in identity_members(gold(figures))}
    assert members == {
        "expenditure_total",
        "personnel_expenditure",
        "public_expenditure",
        "project_expenditure",
    }


def test_a_gold_identity_is_planted_where_it_is_stated_and_caught():
    text = (
        "一、基本情况\n全年完成率100%，满意率100%。\n"
        "二、资金情况\n2023年下达资金113万元，其中养老补贴48万元、服务站15万元、幸福院50万元。\n"
        "三、其他\n验收合格率100%。"
    )
    document = plain_document(text)
    annotated = gold(
        identities=[
            GoldIdentity(
                about="113 = 48 + 15 + 50",
                total=Decimal(113),
                parts=[Decimal(48), Decimal(15), Decimal(50)],
            )
        ]
    )
    clean = verify(Report(source=document.source()), document)
    caught = 0
    for index in range(6):
        mutation = _identity_number(
            document, annotated, random.Random(index), index, set()
        )
        assert mutation is not None
        edited = {q.value for q in find_quantities(text)} - {
            q.value for q in find_quantities(mutation.text)
        }
        assert edited <= {
            Decimal(113),
            Decimal(48),
            Decimal(15),
            Decimal(50),
        }  # never a 100% elsewhere
        copy = plain_document(mutation.text)
        checks = verify(Report(source=copy.source()), copy)
        before = {(c.rule, c.status) for c in clean if c.status.value != "pass"}
        caught += any(
            (c.rule, c.status) not in before and c.status.value != "pass"
            for c in checks
        )
    assert caught == 6
