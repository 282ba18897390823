"""Prompt templates: find them, render them with one strict Jinja environment, hash their content.

The templates live in the repository's prompts/ folder, which the wheel ships as
summarizer/_prompts (pyproject force-include). `prompts_dir()` finds whichever exists, the
installed copy first. A user folder (setting `prompts_dir`) overrides templates by file name,
like datasette's template ChoiceLoader.

`PromptSet.hash` is a content hash of every template the set can render (name and bytes,
sorted), so any edit to a prompt, an example or an override changes it. It is recorded in each
output (`Report.prompt_hash`) and is part of the response cache key. No network, no model here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..errors import ConfigError

SUFFIX = ".j2"


def prompts_dir(package_dir: Path | None = None) -> Path:
    """The built-in prompts folder: summarizer/_prompts when installed, else the checkout's prompts/."""
    package_dir = package_dir or Path(__file__).resolve().parent.parent
    for candidate in (package_dir / "_prompts", package_dir.parent / "prompts"):
        if (candidate / f"system{SUFFIX}").is_file():
            return candidate
    raise ConfigError(f"prompt templates not found (looked in {package_dir / '_prompts'} and {package_dir.parent / 'prompts'}); reinstall summarizer")


class PromptSet:
    """The system and per-section user prompts, rendered by one StrictUndefined environment."""

    def __init__(self, override_dir: Path | None = None, builtin_dir: Path | None = None) -> None:
        import jinja2

        self.builtin_dir = builtin_dir or prompts_dir()
        folders = [self.builtin_dir]
        if override_dir is not None:
            if not Path(override_dir).is_dir():
                raise ConfigError(f"prompts folder {override_dir} does not exist; fix --prompts-dir or SUMMARIZER_PROMPTS_DIR")
            folders.insert(0, Path(override_dir))
        self.folders = folders
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in folders]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # prompts are plain text; the report is delimited, not escaped
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.hash = self._content_hash()

    def _content_hash(self) -> str:
        digest = hashlib.sha256()
        names = sorted({path.relative_to(folder).as_posix() for folder in self.folders for path in folder.rglob(f"*{SUFFIX}")})
        for name in names:
            source, _, _ = self.environment.loader.get_source(self.environment, name)
            digest.update(name.encode("utf-8") + b"\0" + source.encode("utf-8") + b"\0")
        return digest.hexdigest()[:16]

    def render(self, name: str, **context: Any) -> str:
        return self.environment.get_template(name + SUFFIX).render(**context).strip() + "\n"
