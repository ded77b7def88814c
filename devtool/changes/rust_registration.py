"""The Rust registration edits: `pub mod` in lib.rs, `add_submodule` in the #[pymodule] function, and a
generated module's `mod <function>;` / `<function>::register(m)?;`.

Each edit parses the file with tree-sitter, finds its place among the items and statements there
(whatever the spacing, comments, attributes or line breaks), and splices its lines in or out; the rest
of the file stays byte for byte. New lines go where rustfmt keeps them: `mod` lines in the sorted
position of their group, calls after the last call of their kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from ..errors import UnrecognisedShape
from ..workspace import DEFAULT_EXTENSION
from .rust_syntax import (
    Item,
    called,
    code_children,
    delete_item,
    find_function,
    first_param,
    is_pub,
    items,
    mod_declarations,
    mod_groups,
    parse_rust,
    sorted_row,
    tail_is_ok_unit,
    text_of,
)
from .splice import Source

LIB_RS = "rust/src/lib.rs"
PYTHON_MOD_RS = "rust/src/python/mod.rs"


@dataclass(frozen=True)
class LibModule:
    """`pub mod <module>;` in lib.rs, in the sorted position of the last group of `pub mod` lines."""

    module: str
    label: str = LIB_RS

    def apply(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        decls = mod_declarations(root)
        if any(d.name == self.module for d in decls):
            return text
        groups = [g for g in mod_groups(decls) if any(is_pub(d) for d in g)]
        if not groups:
            raise UnrecognisedShape(self.label, None, f"no `pub mod` line to add `pub mod {self.module};` to")
        row = sorted_row(groups[-1], self.module)
        indent = source.indent(groups[-1][0].first_row)
        return source.insert_lines(row, [f"{indent}pub mod {self.module};"]).text

    def revert(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        decl = next((d for d in mod_declarations(root) if d.name == self.module), None)
        return text if decl is None else delete_item(source, decl.start, decl.node).text


@dataclass(frozen=True)
class _Body:
    """A function's first parameter (what it registers into) and its body."""

    param: str
    body: Node


def _function_body(root: Node, name: str, label: str, what: str) -> _Body:
    """The function `name`, with a first parameter and a body ending in `Ok(())`.

    Raises:
        UnrecognisedShape: no such function, no parameter, or a body not ending in `Ok(())`.
    """
    fn = find_function(root, name)
    if fn is None:
        raise UnrecognisedShape(label, None, f"no `{what}` line: devtool registers in that function")
    param, body = first_param(fn), fn.child_by_field_name("body")
    if param is None or body is None:
        raise UnrecognisedShape(label, fn.start_point.row + 1, f"`{what}` has no parameter to register with")
    if not tail_is_ok_unit(body):
        last = code_children(body)[-1] if code_children(body) else body
        raise UnrecognisedShape(label, last.end_point.row + 1, f"`{what}` does not end with `Ok(())`")
    return _Body(param, body)


Lines = Callable[[str, str], list[str]]  # (indent, one more level of indent) -> the statement's lines


def _insert_statement(source: Source, body: Node, after: Node | None, lines: Lines) -> str:
    """The statement `lines` makes, after `after` or else before the final `Ok(())`, at that line's indent."""
    anchor = after if after is not None else code_children(body)[-1]
    row = anchor.end_point.row + 1 if after is not None else anchor.start_point.row
    indent = source.indent(anchor.start_point.row)
    return source.insert_lines(row, lines(indent, "\t" if indent.startswith("\t") else "    ")).text


# --- python/mod.rs: one add_submodule(...) statement per module ------------------------------------


@dataclass(frozen=True)
class _Call:
    statement: Node
    module: str


def _submodule_calls(body: Node, label: str) -> list[_Call]:
    """Each `add_submodule(<param>, "<module>", <path>::register)?;` statement of the body.

    Raises:
        UnrecognisedShape: an `add_submodule` call devtool cannot read (at its line).
    """
    found: list[_Call] = []
    for statement in code_children(body):
        call = called(statement)
        if call is None or text_of(call.child_by_field_name("function")) != "add_submodule":
            continue
        args = code_children(call.child_by_field_name("arguments") or call)
        if len(args) != 3 or args[1].type != "string_literal" or not text_of(args[2]).endswith("::register"):
            raise UnrecognisedShape(
                label, statement.start_point.row + 1, "an `add_submodule(...)?;` devtool cannot read"
            )
        found.append(_Call(statement, text_of(args[1])[1:-1]))
    return found


def _submodule_lines(param: str, module: str) -> Lines:
    """The statement as rustfmt writes it: on one line while the arguments fit in 60 columns."""
    args = f'{param}, "{module}", crate::{module}::register'

    def lines(indent: str, step: str) -> list[str]:
        if len(args) <= 60:
            return [f"{indent}add_submodule({args})?;"]
        inner = indent + step
        return [
            f"{indent}add_submodule(",
            f"{inner}{param},",
            f'{inner}"{module}",',
            f"{inner}crate::{module}::register,",
            f"{indent})?;",
        ]

    return lines


@dataclass(frozen=True)
class Submodule:
    """`add_submodule(m, "<module>", crate::<module>::register)?;` in the #[pymodule] function.

    `extension` names that function: the extension module's name (see `Workspace.extension_name`).
    """

    module: str
    label: str = PYTHON_MOD_RS
    extension: str = DEFAULT_EXTENSION

    def apply(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        fn = _function_body(root, self.extension, self.label, f"fn {self.extension}(")
        calls = _submodule_calls(fn.body, self.label)
        if any(c.module == self.module for c in calls):
            return text
        after = calls[-1].statement if calls else None
        return _insert_statement(source, fn.body, after, _submodule_lines(fn.param, self.module))

    def revert(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        fn = _function_body(root, self.extension, self.label, f"fn {self.extension}(")
        call = next((c for c in _submodule_calls(fn.body, self.label) if c.module == self.module), None)
        if call is None:
            return text
        return delete_item(source, call.statement.start_byte, call.statement).text


# --- a generated module's mod.rs: `mod <function>;` and `<function>::register(m)?;` ---------------


def _register_calls(body: Node) -> list[tuple[Node, str]]:
    """Each `<function>::register(...)?;` statement of the body, with the function's name."""
    found: list[tuple[Node, str]] = []
    for statement in code_children(body):
        call = called(statement)
        target = call.child_by_field_name("function") if call is not None else None
        if target is not None and target.type == "scoped_identifier":
            path, name = target.child_by_field_name("path"), text_of(target.child_by_field_name("name"))
            if name == "register" and path is not None and path.type == "identifier":
                found.append((statement, text_of(path)))
    return found


@dataclass(frozen=True)
class ModuleFunction:
    """`mod <function>;` and `<function>::register(m)?;` in a devtool-generated module's mod.rs."""

    function: str
    label: str = "mod.rs"

    def apply(self, text: str) -> str:
        return self._add_register(self._add_mod(text))

    def revert(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        fn = _function_body(root, "register", self.label, "pub fn register(")
        call = next((s for s, name in _register_calls(fn.body) if name == self.function), None)
        if call is not None:
            source, root = parse_rust(delete_item(source, call.start_byte, call).text, self.label)
        decl = next((d for d in self._mods(root) if d.name == self.function), None)
        return source.text if decl is None else delete_item(source, decl.start, decl.node).text

    def _mods(self, root: Node) -> list[Item]:
        """The `mod` lines above `fn register`."""
        fn_row = next((i.first_row for i in items(root) if i.name == "register"), None)
        return [d for d in mod_declarations(root) if fn_row is None or d.last_row < fn_row]

    def _add_mod(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        _function_body(root, "register", self.label, "pub fn register(")
        decls = self._mods(root)
        if any(d.name == self.function for d in decls):
            return text
        groups = mod_groups(decls)
        if groups:
            row = sorted_row(groups[-1], self.function)
        else:
            row = next(i.first_row for i in items(root) if i.name == "register")
        return source.insert_lines(row, [f"mod {self.function};"]).text

    def _add_register(self, text: str) -> str:
        source, root = parse_rust(text, self.label)
        fn = _function_body(root, "register", self.label, "pub fn register(")
        calls = _register_calls(fn.body)
        if any(name == self.function for _, name in calls):
            return text
        after = calls[-1][0] if calls else None
        call = f"{self.function}::register({fn.param})?;"
        return _insert_statement(source, fn.body, after, lambda indent, _: [f"{indent}{call}"])
