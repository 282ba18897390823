"""Errors: one root exception, subclasses that carry context, exit codes in one place.

Every user-facing failure is a SummarizerError whose str() is one line saying what went
wrong and, where there is one, the fix. The CLI turns these into exit codes; nothing else
in the package prints tracebacks or calls sys.exit.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0
    SOME_FAILED = 1  # a batch finished but at least one file failed
    USAGE = 2  # typer's own code for bad arguments
    INPUT = 3  # the file cannot be read as a report
    CONFIG = 4  # settings are missing or invalid
    BACKEND = 5  # the extraction backend failed (endpoint down, retries exhausted)
    OUTPUT = 6  # an output could not be written
    THRESHOLD = 7  # an evaluation fell below its thresholds


class SummarizerError(Exception):
    """Root of every error the package raises on purpose."""

    exit_code: ExitCode = ExitCode.SOME_FAILED

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        super().__init__(self.one_line())

    def one_line(self) -> str:
        text = " ".join(self.message.split())
        return f"{self.path}: {text}" if self.path is not None else text


class InputError(SummarizerError):
    """The input file is missing, empty, binary, undecodable, unsupported or not a report."""

    exit_code = ExitCode.INPUT


class ConfigError(SummarizerError):
    """Settings are missing or invalid; the message names the flag or variable to set."""

    exit_code = ExitCode.CONFIG


class BackendError(SummarizerError):
    """An extraction backend failed after its retries."""

    exit_code = ExitCode.BACKEND


class OutputError(SummarizerError):
    """An output file could not be written."""

    exit_code = ExitCode.OUTPUT


class ThresholdError(SummarizerError):
    """An evaluation run scored below the stored thresholds."""

    exit_code = ExitCode.THRESHOLD
