"""Rust source parsed with tree-sitter's Rust grammar: the items and statements registration edits look for.

A parse that does not need the file to be in one fixed layout: comments, blank lines, tabs, attributes
and statements split across lines are all just syntax. A file tree-sitter cannot parse is refused at the
first line it cannot read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import tree_sitter_rust
from tree_sitter import Language, Node, Parser

from ..errors import UnrecognisedShape
from .splice import Source


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_rust.language()))


def parse_rust(text: str, label: str, *, strict: bool = True) -> tuple[Source, Node]:
    """The text and its syntax tree's root.

    Raises:
        UnrecognisedShape: `strict` and the text is not valid Rust (at the first line that is not).
    """
    source = Source.of(text)
    root = _parser().parse(source.data).root_node
    if strict and root.has_error:
        raise UnrecognisedShape(label, _error_row(root) + 1, "not valid Rust: the parser cannot read it here")
    return source, root


def _error_row(root: Node) -> int:
    """The row of the first syntax error; for a missing token, the row of the code it should follow."""
    bad = _first_error(root)
    if bad.is_missing:
        before = bad.prev_sibling
        while before is not None and is_comment(before):
            before = before.prev_sibling
        if before is not None:
            return before.end_point.row
    return bad.start_point.row


def _first_error(node: Node) -> Node:
    for child in node.children:
        if child.is_error or child.is_missing:
            return child
        if child.has_error:
            return _first_error(child)
    return node


def text_of(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode("utf-8")


def walk(node: Node) -> Iterator[Node]:
    """`node` and every node below it, in source order."""
    yield node
    for child in node.children:
        yield from walk(child)


def is_comment(node: Node) -> bool:
    return node.type in ("line_comment", "block_comment")


def code_children(node: Node) -> list[Node]:
    """The named children that are not comments."""
    return [c for c in node.named_children if not is_comment(c)]


def _is_outer_doc(node: Node) -> bool:
    return is_comment(node) and any(c.type == "outer_doc_comment_marker" for c in node.children)


@dataclass(frozen=True)
class Item:
    """An item with the attributes and doc comments above it (rustfmt's span of the item)."""

    node: Node
    start: int  # byte offset of its first attribute or doc comment, else of the item
    first_row: int

    @property
    def last_row(self) -> int:
        return self.node.end_point.row

    @property
    def name(self) -> str:
        return text_of(self.node.child_by_field_name("name"))


def items(parent: Node) -> list[Item]:
    """The items directly in `parent` (a file or a `{}` block), each with its attributes and doc comments."""
    found: list[Item] = []
    prefix: Node | None = None
    for child in parent.named_children:
        if child.type == "attribute_item" or _is_outer_doc(child):
            prefix = prefix or child
            continue
        if not is_comment(child):
            first = prefix or child
            found.append(Item(child, first.start_byte, first.start_point.row))
        prefix = None
    return found


def mod_declarations(parent: Node) -> list[Item]:
    """The `mod name;` items (without a body) directly in `parent`."""
    return [
        i for i in items(parent) if i.node.type == "mod_item" and i.node.child_by_field_name("body") is None
    ]


def is_pub(item: Item) -> bool:
    return any(text_of(c) == "pub" for c in item.node.children if c.type == "visibility_modifier")


def mod_groups(decls: list[Item]) -> list[list[Item]]:
    """The groups rustfmt sorts: declarations on consecutive lines (a blank or comment line separates)."""
    groups: list[list[Item]] = []
    for decl in decls:
        if groups and groups[-1][-1].last_row + 1 == decl.first_row:
            groups[-1].append(decl)
        else:
            groups.append([decl])
    return groups


def sorted_row(group: list[Item], name: str) -> int:
    """The row a `mod name;` goes to in `group`: rustfmt sorts a group by name, bytewise."""
    later = next((d for d in group if d.name > name), None)
    return later.first_row if later is not None else group[-1].last_row + 1


def delete_item(source: Source, start: int, node: Node) -> Source:
    """The item from `start` to the end of `node` removed: its whole lines when it has them to itself."""
    end_row = node.end_point.row
    rest = source.line(end_row)[node.end_point.column :].strip()
    if source.is_blank_before(start) and (not rest or rest.startswith(b"//")):
        return source.delete_rows(source.row_of(start), end_row)
    stop = node.end_byte
    if (
        not rest
    ):  # last on its line: take the blanks before it, so the line ends where the code before it does
        while start > 0 and source.data[start - 1 : start] in (b" ", b"\t"):
            start -= 1
    while rest and stop < len(source.data) and source.data[stop : stop + 1] in (b" ", b"\t"):
        stop += 1
    return source.splice(start, stop, "")


def find_function(root: Node, name: str) -> Node | None:
    """The first `fn name` anywhere in the file."""
    return next(
        (
            n
            for n in walk(root)
            if n.type == "function_item" and text_of(n.child_by_field_name("name")) == name
        ),
        None,
    )


def first_param(fn: Node) -> str | None:
    """The name of the function's first parameter."""
    params = fn.child_by_field_name("parameters")
    first = next((c for c in code_children(params) if c.type == "parameter"), None) if params else None
    pattern = first.child_by_field_name("pattern") if first is not None else None
    return text_of(pattern) if pattern is not None and pattern.type == "identifier" else None


def called(statement: Node) -> Node | None:
    """The call of an `f(...)?;` or `f(...);` statement, or None for another statement."""
    if statement.type != "expression_statement":
        return None
    expr = next(iter(code_children(statement)), None)
    if expr is not None and expr.type == "try_expression":
        expr = next(iter(code_children(expr)), None)
    return expr if expr is not None and expr.type == "call_expression" else None


def tail_is_ok_unit(body: Node) -> bool:
    statements = code_children(body)
    return bool(statements) and "".join(text_of(statements[-1]).split()) == "Ok(())"


def crate_references(root: Node, module: str) -> list[Node]:
    """Every `mod module;`/`mod module {}` and every path starting `crate::module`, in source order."""
    found: list[Node] = []
    for node in walk(root):
        if node.type == "mod_item" and text_of(node.child_by_field_name("name")) == module:
            found.append(node)
        elif node.type in ("scoped_identifier", "scoped_type_identifier"):
            path = text_of(node.child_by_field_name("path"))
            if path == "crate" and text_of(node.child_by_field_name("name")) == module:
                found.append(node)
    return found
