"""Token counting: the real tiktoken path with an encoding the test builds, and the documented estimate."""

from __future__ import annotations

import base64
import logging

import pytest
import tiktoken

from summarizer.llm import tokens
from summarizer.llm.tokens import TokenCounter, estimate_tokens, load_encoding

BYTE_RANKS = {bytes([i]): i for i in range(256)}  # one token per byte: counts are predictable


@pytest.fixture(autouse=True)
def fresh_encodings(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken-cache"))
    tokens.forget_encodings()
    yield
    tokens.forget_encodings()


@pytest.fixture
def byte_encoding_file(tmp_path):
    """A .tiktoken BPE file (base64 token, rank per line), the format tiktoken downloads."""
    path = tmp_path / "bytes.tiktoken"
    path.write_text("".join(f"{base64.b64encode(token).decode()} {rank}\n" for token, rank in BYTE_RANKS.items()))
    return path


def test_a_local_tiktoken_file_is_loaded_by_tiktoken(byte_encoding_file):
    counter = TokenCounter(str(byte_encoding_file))
    assert not counter.estimated
    assert counter.count("abc") == 3
    assert counter.count("预算") == 6  # three UTF-8 bytes per character, one token per byte
    assert counter.count("") == 0


def test_a_named_encoding_goes_through_tiktoken_get_encoding(monkeypatch):
    tiny = tiktoken.Encoding(name="tiny_test_bytes", pat_str=tokens.CL100K_PATTERN, mergeable_ranks=BYTE_RANKS, special_tokens={})
    monkeypatch.setitem(tiktoken.registry.ENCODINGS, "tiny_test_bytes", tiny)
    counter = TokenCounter("tiny_test_bytes")
    assert not counter.estimated
    assert counter.count("绩效 report") == 6 + 1 + 6
    # A chat request adds OpenAI's framing: 3 + 4 per message.
    assert counter.count_messages([{"role": "user", "content": "abc"}]) == 3 + 4 + 3


def test_an_encoding_that_cannot_load_falls_back_to_the_estimate_and_warns_once(monkeypatch, caplog):
    def offline(name):
        raise ConnectionError("no network")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    with caplog.at_level(logging.WARNING, logger="summarizer.llm"):
        first, second = TokenCounter("cl100k_base"), TokenCounter("cl100k_base")
        assert first.estimated and second.estimated
        assert first.count("预算执行率") == 5
    warnings = [record for record in caplog.records if "could not be loaded" in record.getMessage()]
    assert len(warnings) == 1
    assert "TIKTOKEN_CACHE_DIR" in warnings[0].getMessage()


def test_a_missing_file_or_unknown_name_is_an_estimate_not_an_error(tmp_path):
    assert load_encoding(str(tmp_path / "missing.tiktoken")) is None
    assert load_encoding("no_such_encoding_name") is None
    assert TokenCounter("no_such_encoding_name").count("abcd") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("预算执行率", 5),  # one per CJK character
        ("budget", 2),  # ~4 characters per token, rounded up
        ("支出1179.61万元", 4 + 2),  # 4 CJK + 7 other characters
        ("（一）", 3),  # full-width punctuation counts as CJK
        ("a b c d", 2),
    ],
)
def test_the_documented_estimate(text, expected):
    assert estimate_tokens(text) == expected
