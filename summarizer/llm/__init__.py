"""The LLM side of extraction: client, cache, tokens, chunking, alignment, prompts, grounding.

Imported only when `--backend llm` or `--backend hybrid` is selected; nothing here is imported
by `summarizer --help`, and only client.py imports openai and instructor.
"""
