"""Section-aware chunks of a report that fit a token budget. No I/O, no model.

A report is cut into blocks at its headings (structure.Layout): the title block before the first
heading, then one block per section, each carrying its heading path and role. Blocks are
packed in reading order into chunks whose text stays within the budget; a block larger than the
budget is split at line boundaries (table rows, paragraphs) and, for one huge line, at sentence
ends. A request may ask for the blocks of some roles only (hybrid fills weak parts), so a
chunk's blocks need not be contiguous; every chunk keeps the offsets of its blocks so quotes
are aligned first where the model read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..document import Document
from ..structure import Layout, Role

TITLE_BLOCK = "（标题与基本信息）"


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    title: str
    role: Role


@dataclass
class Chunk:
    blocks: list[Block] = field(default_factory=list)
    tokens: int = 0

    @property
    def windows(self) -> list[tuple[int, int]]:
        return [(block.start, block.end) for block in self.blocks]

    @property
    def roles(self) -> list[Role]:
        return sorted({block.role for block in self.blocks}, key=lambda role: role.value)

    def text(self, document: Document) -> str:
        """The blocks' text; a gap between non-adjacent blocks is marked so no quote spans it."""
        parts: list[str] = []
        previous_end: int | None = None
        for block in self.blocks:
            if previous_end is not None and block.start != previous_end:
                parts.append("\n……\n")
            parts.append(document.text[block.start : block.end])
            previous_end = block.end
        return "".join(parts)


def blocks_of(document: Document, layout: Layout) -> list[Block]:
    """Disjoint blocks covering the text, cut at every heading, in reading order."""
    text = document.text
    sections = sorted(layout.sections, key=lambda section: section.heading.start)
    blocks: list[Block] = []
    first = sections[0].heading.start if sections else len(text)
    if text[:first].strip():
        blocks.append(Block(0, first, TITLE_BLOCK, Role.BASIC))
    path: list[tuple[int, str]] = []
    for index, section in enumerate(sections):
        heading = section.heading
        while path and path[-1][0] >= heading.level:
            path.pop()
        title = " / ".join([*(name for _, name in path), heading.marker + heading.title])
        if not heading.label:
            path.append((heading.level, heading.marker + heading.title))
        end = sections[index + 1].heading.start if index + 1 < len(sections) else len(text)
        if end > heading.start and text[heading.start : end].strip():
            blocks.append(Block(heading.start, end, title, section.role))
    return blocks


def select(blocks: Iterable[Block], roles: Iterable[Role] | None) -> list[Block]:
    """The blocks with one of `roles` (all when roles is None or nothing matches)."""
    blocks = list(blocks)
    if roles is None:
        return blocks
    wanted = set(roles)
    chosen = [block for block in blocks if block.role in wanted]
    return chosen or blocks


def _split(document: Document, block: Block, budget: int, count: Callable[[str], int]) -> list[Block]:
    """Cut an oversized block at the line (else sentence, else character) nearest its middle."""
    text = document.text
    if block.end - block.start <= 1 or count(text[block.start : block.end]) <= budget:
        return [block]
    middle = (block.start + block.end) // 2
    cut = -1
    for separators in ("\n", "。；;！？!?", "，,、 "):
        candidates = []
        for separator in separators:
            left = text.rfind(separator, block.start + 1, middle)
            right = text.find(separator, middle, block.end - 1)
            candidates += [i + 1 for i in (left, right) if i >= 0]
        if candidates:
            cut = min(candidates, key=lambda i: abs(i - middle))
            break
    if cut <= block.start or cut >= block.end:
        cut = middle
    left = Block(block.start, cut, block.title, block.role)
    right = Block(cut, block.end, block.title + "（续）", block.role)
    return _split(document, left, budget, count) + _split(document, right, budget, count)


def chunk(document: Document, blocks: Iterable[Block], budget: int, count: Callable[[str], int]) -> list[Chunk]:
    """Pack blocks in order into chunks of at most `budget` tokens of report text (one chunk
    holding every block when they fit together, which is the usual case)."""
    blocks = list(blocks)
    whole = Chunk(blocks=blocks)
    whole.tokens = count(whole.text(document)) if blocks else 0
    if whole.tokens <= budget:
        return [whole] if blocks else []
    chunks: list[Chunk] = []
    current = Chunk()
    for block in blocks:
        for piece in _split(document, block, budget, count):
            tokens = count(document.text[piece.start : piece.end])
            if current.blocks and current.tokens + tokens > budget:
                chunks.append(current)
                current = Chunk()
            current.blocks.append(piece)
            current.tokens += tokens
    if current.blocks:
        chunks.append(current)
    return chunks
