"""The bridge's registration: `from .<module>_py import (...)` and `__all__` entries in its __init__.py.

The file is parsed with Python's `ast`, so any valid shape is read: one-line or parenthesised imports,
comments, blank lines, a tuple or a list for `__all__`. New names are spliced in where ruff's isort
(imports) and RUF022 (`__all__`) keep them, one per line where the file has them one per line; the
rest of the file stays byte for byte.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import UnrecognisedShape
from .ordering import first_after, isort_cmp, module_cmp
from .splice import Source

BRIDGE_INIT = "src/rust_bridge/__init__.py"

#: A one-line import or `__all__` longer than this is split one name per line, with a trailing comma
#: (ruff's default line length; the magic trailing comma keeps ruff from joining it under a longer one).
LINE_LENGTH = 88


@dataclass(frozen=True)
class _Element:
    """One name of an import or one entry of `__all__`: its text's byte span and rows."""

    name: str
    start: int
    stop: int
    row: int
    end_row: int


def _parse(text: str, label: str) -> tuple[Source, ast.Module]:
    """Raises UnrecognisedShape: the text is not valid Python (at the line the parser names)."""
    try:
        return Source.of(text), ast.parse(text)
    except SyntaxError as err:
        raise UnrecognisedShape(label, err.lineno, f"not valid Python: {err.msg}") from err


def _span(source: Source, node: ast.expr | ast.alias | ast.stmt) -> tuple[int, int]:
    end_row, end_col = node.end_lineno or node.lineno, node.end_col_offset or 0
    return source.line_starts[node.lineno - 1] + node.col_offset, source.line_starts[end_row - 1] + end_col


def _element(source: Source, name: str, node: ast.expr | ast.alias) -> _Element:
    start, stop = _span(source, node)
    return _Element(name, start, stop, node.lineno - 1, (node.end_lineno or node.lineno) - 1)


def _relative_imports(tree: ast.Module) -> list[ast.ImportFrom]:
    return [s for s in tree.body if isinstance(s, ast.ImportFrom) and s.level == 1]


def _import_of(tree: ast.Module, module: str) -> ast.ImportFrom | None:
    return next((s for s in _relative_imports(tree) if s.module == f"{module}_py"), None)


def _members(source: Source, stmt: ast.ImportFrom) -> list[_Element]:
    return [_element(source, alias.asname or alias.name, alias) for alias in stmt.names]


def _all_of(source: Source, tree: ast.Module, label: str) -> tuple[ast.stmt, list[_Element], int]:
    """`__all__`'s statement, its entries, and the offset of its closing bracket.

    Raises:
        UnrecognisedShape: no `__all__`, or one that is not a list or tuple of strings.
    """
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        value = getattr(stmt, "value", None)
        if not isinstance(value, ast.List | ast.Tuple) or not all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            raise UnrecognisedShape(label, stmt.lineno, "expected `__all__ = [...]`, a list of strings")
        entries = [_element(source, str(e.value), e) for e in value.elts if isinstance(e, ast.Constant)]
        return stmt, entries, _span(source, value)[1] - 1
    raise UnrecognisedShape(label, None, "no `__all__ = [...]` to add the functions to")


def _one_per_line(elements: Sequence[_Element], opening_row: int) -> bool:
    rows = [e.row for e in elements]
    return (
        bool(elements)
        and len(set(rows)) == len(rows)
        and all(e.row == e.end_row for e in elements)
        and rows[0] > opening_row
    )


def _comment_top(source: Source, row: int) -> int:
    """The first of the comment lines right above `row` (they belong to the line below them), else `row`."""
    while row > 0 and source.line(row - 1).strip().startswith(b"#"):
        row -= 1
    return row


def _insert(
    source: Source,
    elements: Sequence[_Element],
    opening_row: int,
    empty_at: int,
    literal: tuple[str, str],
    cmp: Callable[[str, str], int],
) -> Source:
    """`literal` (name, text) added in sorted position: a line of its own if each element has one."""
    name, text = literal
    at = first_after([e.name for e in elements], name, cmp)
    if not elements:
        return source.splice(empty_at, empty_at, text)
    if _one_per_line(elements, opening_row):
        anchor = elements[at] if at is not None else elements[-1]
        line = f"{source.indent(anchor.row)}{text},"
        if at is not None:
            return source.insert_lines(_comment_top(source, anchor.row), [line])
        if source.data[anchor.stop :].lstrip(b" \t")[:1] != b",":
            source = source.splice(anchor.stop, anchor.stop, ",")
        return source.insert_lines(anchor.end_row + 1, [line])
    if at is not None:
        return source.splice(elements[at].start, elements[at].start, f"{text}, ")
    return source.splice(elements[-1].stop, elements[-1].stop, f", {text}")


def _remove(source: Source, elements: Sequence[_Element], opening_row: int, name: str) -> Source:
    """The element `name` removed: its line if it has one to itself, else its text and one comma."""
    at = next((i for i, e in enumerate(elements) if e.name == name), None)
    if at is None:
        return source
    element = elements[at]
    if _one_per_line(elements, opening_row):
        rest = source.line(element.end_row)[element.stop - source.line_starts[element.end_row] :]
        rest = rest.strip().removeprefix(b",").strip()
        if source.is_blank_before(element.start) and (not rest or rest.startswith(b"#")):
            return source.delete_rows(element.row, element.end_row)
    if at + 1 < len(elements):
        return source.splice(element.start, elements[at + 1].start, "")
    if at > 0:
        return source.splice(elements[at - 1].stop, element.stop, "")
    return source.splice(element.start, element.stop, "")


def _delete_statement(source: Source, stmt: ast.stmt) -> Source:
    start, stop = _span(source, stmt)
    end_row = (stmt.end_lineno or stmt.lineno) - 1
    rest = source.line(end_row)[stop - source.line_starts[end_row] :].strip()
    if source.is_blank_before(start) and (not rest or rest.startswith(b"#")):
        first, last = stmt.lineno - 1, end_row
        if _is_blank(source, first - 1) and _is_blank(source, last + 1):  # no double blank line left
            last += 1
        return source.delete_rows(first, last)
    return source.splice(start, stop, "")


def _is_blank(source: Source, row: int) -> bool:
    return 0 <= row < len(source.line_starts) and not source.line(row).strip()


def _split_if_long(source: Source, label: str, find: Callable[[Source, ast.Module], ast.stmt | None]) -> str:
    """The text, with the statement `find` picks split one element per line if it is one line too long."""
    stmt = find(source, _parse(source.text, label)[1])
    if stmt is None or stmt.end_lineno != stmt.lineno or len(source.line(stmt.lineno - 1)) <= LINE_LENGTH:
        return source.text
    if isinstance(stmt, ast.ImportFrom):
        nodes: Sequence[ast.expr | ast.alias] = stmt.names
        first, last = _span(source, nodes[0])[0], _span(source, nodes[-1])[1]
        opening = source.data.rfind(b"(", 0, first)
        if opening < _span(source, stmt)[0]:  # `import a, b`: the brackets are added
            return source.splice(first, last, f"({_one_per_line_body(source, nodes)})").text
        return source.splice(
            opening + 1, source.data.index(b")", last), _one_per_line_body(source, nodes)
        ).text
    value = getattr(stmt, "value", None)
    if not isinstance(value, ast.List | ast.Tuple) or not value.elts:
        return source.text
    start, stop = _span(source, value)
    if source.data[start : start + 1] not in (b"[", b"("):
        return source.text  # a tuple without brackets: left as it is
    return source.splice(start + 1, stop - 1, _one_per_line_body(source, value.elts)).text


def _one_per_line_body(source: Source, nodes: Sequence[ast.expr | ast.alias]) -> str:
    texts = [source.data[slice(*_span(source, n))].decode("utf-8") for n in nodes]
    return "".join(f"{source.newline.decode()}    {text}," for text in texts) + source.newline.decode()


@dataclass(frozen=True)
class BridgeExports:
    """The functions of one module in `rust_bridge/__init__.py`: its import and its `__all__` entries."""

    module: str
    functions: tuple[str, ...]
    label: str = BRIDGE_INIT

    def apply(self, text: str) -> str:
        self._check(text)
        for function in self.functions:
            text = self._export(self._import(text, function), function)
        return text

    def revert(self, text: str) -> str:
        self._check(text)
        for function in self.functions:
            text = self._unexport(self._unimport(text, function), function)
        return text

    def _check(self, text: str) -> None:
        """Refuse before any edit, so errors name the lines as they are on disk."""
        source, tree = _parse(text, self.label)
        _all_of(source, tree, self.label)

    def _import(self, text: str, function: str) -> str:
        source, tree = _parse(text, self.label)
        stmt = _import_of(tree, self.module)
        if stmt is not None:
            members = _members(source, stmt)
            if any(m.name == function for m in members):
                return text
            source = _insert(source, members, stmt.lineno - 1, 0, (function, function), isort_cmp)
            return _split_if_long(source, self.label, lambda _, tree: _import_of(tree, self.module))
        imports = _relative_imports(tree)
        if not imports:
            raise UnrecognisedShape(
                self.label, None, f"no `from .` import to put `from .{self.module}_py` next to"
            )
        own = f"{self.module}_py"
        block = [f"from .{own} import (", f"    {function},", ")"]
        later = next((s for s in imports if module_cmp(s.module or "", own) > 0), None)
        if later is None:
            return source.insert_lines(imports[-1].end_lineno or 0, block).text
        row = _comment_top(source, later.lineno - 1)
        if row == later.lineno - 1:
            return source.insert_lines(row, block).text
        # ruff's isort keeps a blank line above an import's own comment lines: go above that blank line
        if later is not imports[0] and not source.line(row - 1).strip():
            return source.insert_lines(row - 1, block).text
        return source.insert_lines(row, [*block, ""]).text

    def _unimport(self, text: str, function: str) -> str:
        source, tree = _parse(text, self.label)
        stmt = _import_of(tree, self.module)
        if stmt is None:
            return text
        members = _members(source, stmt)
        if [m.name for m in members] == [function]:
            return _delete_statement(source, stmt).text
        return _remove(source, members, stmt.lineno - 1, function).text

    def _export(self, text: str, function: str) -> str:
        source, tree = _parse(text, self.label)
        stmt, entries, closing = _all_of(source, tree, self.label)
        if any(e.name == function for e in entries):
            return text
        quote = source.data[entries[0].start : entries[0].start + 1].decode() if entries else '"'
        literal = (function, f"{quote}{function}{quote}")
        source = _insert(source, entries, stmt.lineno - 1, closing, literal, isort_cmp)
        return _split_if_long(source, self.label, lambda src, tree: _all_of(src, tree, self.label)[0])

    def _unexport(self, text: str, function: str) -> str:
        source, tree = _parse(text, self.label)
        stmt, entries, _ = _all_of(source, tree, self.label)
        return _remove(source, entries, stmt.lineno - 1, function).text


def bridge_functions(text: str, module: str, label: str = BRIDGE_INIT) -> tuple[str, ...]:
    """The names `rust_bridge/__init__.py` imports from `<module>_py`, in file order.

    Raises:
        UnrecognisedShape: the file is not valid Python.
    """
    source, tree = _parse(text, label)
    stmt = _import_of(tree, module)
    return () if stmt is None else tuple(m.name for m in _members(source, stmt))


def exported_names(text: str, label: str = BRIDGE_INIT) -> tuple[str, ...]:
    """The entries of `__all__`.

    Raises:
        UnrecognisedShape: the file is not valid Python, or has no `__all__` list of strings.
    """
    source, tree = _parse(text, label)
    return tuple(e.name for e in _all_of(source, tree, label)[1])
