"""Extraction backends, registered by name and imported only when asked for.

`summarizer --help` must not import openai, so this module names backends as import paths
and `get_backend` imports the one a run selects.
"""

from __future__ import annotations

import importlib

from ..config import Settings
from ..errors import ConfigError
from .base import Backend

REGISTRY: dict[str, str] = {
    "rules": "summarizer.backends.rules:RulesBackend",
    "llm": "summarizer.backends.llm:LLMBackend",
    "hybrid": "summarizer.backends.hybrid:HybridBackend",
}


def get_backend(settings: Settings) -> Backend:
    target = REGISTRY.get(settings.backend)
    if target is None:
        raise ConfigError(f"unknown backend {settings.backend!r}; choose from {', '.join(REGISTRY)}")
    module_name, _, class_name = target.partition(":")
    backend_class = getattr(importlib.import_module(module_name), class_name)
    return backend_class(settings)
