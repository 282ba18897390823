"""summarizer: typed, grounded, verified summaries of 预算绩效自评报告.

The package is a one-way pipeline (see ../shared/STYLE.md):
ingest -> structure -> extract (backends) -> verify -> render, with evaluate beside it.
Importing the package must stay cheap: no heavy library is imported here.
"""

__version__ = "0.1.0"
