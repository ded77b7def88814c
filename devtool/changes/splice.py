"""Minimal text edits at parsed positions: whole lines in or out, the rest of the file byte for byte.

Positions are UTF-8 byte offsets and rows, as tree-sitter and Python's `ast` give them; the file's
newline style (LF or CRLF) and its final newline (or the lack of one) are kept.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Source:
    """A file's text as UTF-8 bytes, with its lines' start offsets."""

    data: bytes

    @classmethod
    def of(cls, text: str) -> Source:
        return cls(text.encode("utf-8"))

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    @cached_property
    def newline(self) -> bytes:
        return b"\r\n" if b"\r\n" in self.data else b"\n"

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        starts = [0]
        starts += [i + 1 for i, byte in enumerate(self.data) if byte == 0x0A and i + 1 < len(self.data)]
        return tuple(starts)

    def row_of(self, offset: int) -> int:
        """The 0-based row holding byte `offset`."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def line(self, row: int) -> bytes:
        """Row `row` without its newline."""
        start = self.line_starts[row]
        stop = self.line_starts[row + 1] if row + 1 < len(self.line_starts) else len(self.data)
        return self.data[start:stop].rstrip(b"\r\n")

    def indent(self, row: int) -> str:
        line = self.line(row)
        return line[: len(line) - len(line.lstrip(b" \t"))].decode("utf-8")

    def insert_lines(self, row: int, lines: Sequence[str]) -> Source:
        """`lines` inserted before row `row` (after the last row when `row` is past it)."""
        block = b"".join(line.encode("utf-8") + self.newline for line in lines)
        if row < len(self.line_starts):
            at = self.line_starts[row]
            return Source(self.data[:at] + block + self.data[at:])
        if self.data and not self.data.endswith(b"\n"):  # no final newline: keep it that way
            return Source(self.data + self.newline + block[: -len(self.newline)])
        return Source(self.data + block)

    def delete_rows(self, first: int, last: int) -> Source:
        """Rows `first` to `last` (inclusive) removed with their newlines."""
        start = self.line_starts[first]
        if last + 1 < len(self.line_starts):
            return Source(self.data[:start] + self.data[self.line_starts[last + 1] :])
        if first > 0 and not self.data.endswith(b"\n"):  # the last line had no newline: drop the one before
            start -= len(self.newline)
        return Source(self.data[:start])

    def splice(self, start: int, stop: int, new: str) -> Source:
        return Source(self.data[:start] + new.encode("utf-8") + self.data[stop:])

    def is_blank_before(self, offset: int) -> bool:
        """Whether only spaces or tabs precede `offset` on its line."""
        return not self.data[self.line_starts[self.row_of(offset)] : offset].strip(b" \t")
