"""Evaluation: score extraction against hand-read gold, one module per responsibility.

    gold.py      the gold model (Gold, GoldFigure, … GoldIdentity), load_gold, and the comparisons
                 scoring and mutation share (normalise_text, figure_values_agree)
    scoring.py   one Report against its Gold: counts per field group, narrative faithfulness
    runs.py      a run over a folder (evaluate), mutation runs, thresholds, comparing run files
    printing.py  the tables `summarizer eval` prints

Dependencies flow gold ← scoring ← runs ← printing; ../mutate.py reads gold.py only, and runs.py
imports mutate lazily, so there is no import loop. This file imports nothing, so that importing
summarizer.evaluation.gold (as mutate does) loads the gold model alone.
"""
