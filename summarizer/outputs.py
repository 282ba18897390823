"""Write a report's outputs whole or not at all.

Every format is rendered into memory first; only then is each file written to a temporary
name beside its target and renamed over it, so a crash or a render error never leaves a
half-written file behind.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from pathlib import Path

from .config import Settings
from .errors import OutputError
from .schemas import Report


class OutputNames:
    """Unique output stems within one batch (two report.txt in different folders)."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def stem_for(self, path: Path) -> str:
        with self._lock:
            stem, n = path.stem, 2
            while stem in self._used:
                stem, n = f"{path.stem}-{n}", n + 1
            self._used.add(stem)
            return stem


@functools.cache
def _umask() -> int:
    # Read once: os.umask can only be read by setting it, which must not race other threads.
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp_name, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def render_json(report: Report) -> bytes:
    return report.model_dump_json(indent=2).encode("utf-8")


def write_outputs(report: Report, settings: Settings, out_dir: Path, stem: str) -> list[Path]:
    rendered: dict[str, bytes] = {}
    others = [fmt for fmt in settings.formats if fmt != "json"]
    if others:
        from .render import render_formats

        rendered.update(render_formats(report, others, settings))
    if "json" in settings.formats:
        rendered["json"] = render_json(report)
    rendered = {fmt: rendered[fmt] for fmt in settings.formats}  # write in the order asked
    written: list[Path] = []
    try:
        for fmt, data in rendered.items():
            target = Path(out_dir) / f"{stem}.{fmt}"
            write_atomic(target, data)
            written.append(target)
    except OSError as exc:
        raise OutputError(
            f"cannot write {stem} outputs into {out_dir} ({exc.strerror or exc})", path=report.source.path
        ) from None
    return written
