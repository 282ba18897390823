"""The pipeline flows one way: a module imports only from its own layer or the layers below.

schemas ← stages ← pipeline ← cli (../shared/STYLE.md, habit 1), checked on the source with ast
so a stage that reaches forward into a later one fails here rather than in review.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "summarizer"

LAYERS: list[set[str]] = [
    {"errors", "chars", "genre", "schemas", "numbers", "normalise", "evaluation.gold"},
    {"config", "document"},
    {"ingest", "formats", "structure", "grid"},
    {"backends", "llm"},
    {"verify", "verify_text", "verify_breakdowns", "verify_indicators"},
    {"assess", "suggestions", "draft", "formatting", "views", "render", "render_docx", "spreadsheet", "evidence_view"},
    {"outputs", "overview", "console"},
    {"pipeline"},
    {"evaluation", "mutate"},
    {"cli"},
]


def layer_of(module: str) -> int:
    """The layer of the most specific name LAYERS lists: evaluation.gold before evaluation."""
    parts = module.split(".")[1:]
    for depth in range(len(parts), 0, -1):
        name = ".".join(parts[:depth])
        for index, names in enumerate(LAYERS):
            if name in names:
                return index
    raise AssertionError(f"{module} is in no layer; add it to LAYERS")


def imports_of(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            name = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level else node.module
            if name and name.startswith("summarizer."):
                found.add(name)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("summarizer."))
    return found


def test_no_module_imports_a_later_layer():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if module == "summarizer":
            continue
        for target in imports_of(path, module):
            if layer_of(target) > layer_of(module):
                offences.append(f"{module} imports {target}")
    assert offences == []


def test_the_help_path_has_no_heavy_imports_at_module_level():
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    top_level = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    top_level |= {node.module.split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
    assert not top_level & {"openai", "instructor", "tiktoken", "docx", "pypdf", "openpyxl", "rich", "jinja2"}


def test_mutation_reads_the_gold_model_only():
    """mutate.py needs gold, not the runs that call it: evaluation.runs imports mutate, never the reverse."""
    targets = imports_of(PACKAGE / "mutate.py", "summarizer.mutate")
    assert {t for t in targets if t.startswith("summarizer.evaluation")} == {"summarizer.evaluation.gold"}
    assert layer_of("summarizer.evaluation.gold") < layer_of("summarizer.mutate") == layer_of("summarizer.evaluation.runs")


# The readers' parsers are imported when a file of their kind arrives, never on the way to --help.
FORMAT_PARSERS = ["pdfplumber", "pdfminer", "pypdfium2", "xlrd", "openpyxl", "docx", "rapidocr_onnxruntime", "cv2", "onnxruntime"]


def test_help_imports_no_format_parser():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from summarizer.cli import app\n"
        "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
        f"print(','.join(sorted(set({FORMAT_PARSERS!r}) & {{m.split('.')[0] for m in sys.modules}})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_a_forward_import_is_caught(tmp_path):
    stage = tmp_path / "verify.py"
    stage.write_text("from .cli import app\nfrom .schemas import Report\n", encoding="utf-8")
    targets = imports_of(stage, "summarizer.verify")
    assert targets == {"summarizer.cli", "summarizer.schemas"}
    assert [t for t in targets if layer_of(t) > layer_of("summarizer.verify")] == ["summarizer.cli"]
