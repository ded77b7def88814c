"""Registration edits: the lines that wire a module into lib.rs, python/mod.rs and rust_bridge/__init__.py.

Each edit is a value with `apply(text)` (a no-op when already present) and `revert(text)` (removes
exactly the lines `apply` adds). Lines are placed where rustfmt and ruff's isort would put them, so
`cargo fmt --check` and `ruff check`/`ruff format --check` stay clean on the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Protocol, TypeVar

from ..errors import ConflictError, UnrecognisedShape
from ..workspace import Workspace
from .plan import FileChange, read_text

LIB_RS = "rust/src/lib.rs"
PYTHON_MOD_RS = "rust/src/python/mod.rs"
BRIDGE_INIT = "src/rust_bridge/__init__.py"

_MOD_DECL = re.compile(r"(?:pub(?:\([^)]*\))? )?mod (\w+);")
_ITEM_PREFIX = re.compile(r"#\[.*\]|///.*")  # attributes and doc comments belong to the item below
_REGISTER_FN = re.compile(r"pub fn register\((\w+): .*\) -> PyResult<\(\)> \{")
_REGISTER_CALL = re.compile(r"    (\w+)::register\((\w+)\)\?;")
_PYMODULE_FN = re.compile(r"(?:pub )?fn crypto_trading_engine\((\w+): .*\{")
_SUBMODULE_CALL = re.compile(r'add_submodule\(\s*\w+,\s*"(\w+)",\s*[\w:]+,?\s*\)\?;')
_OK = "    Ok(())"
_FROM_IMPORT = re.compile(r"from \.(\w*) import (.*)")
_MEMBER = re.compile(r"    (\w+),")
_ALL_ENTRY = re.compile(r'    "(\w+)",')

_Ordered = TypeVar("_Ordered", str, int)


class Edit(Protocol):
    """An anchored, idempotent change to one file's text."""

    @property
    def label(self) -> str: ...

    def apply(self, text: str) -> str: ...

    def revert(self, text: str) -> str: ...


@dataclass(frozen=True)
class _Lines:
    """A text as lines without their endings, so edits keep the file's newline style and final newline."""

    lines: tuple[str, ...]
    newline: str
    final_newline: bool

    @classmethod
    def parse(cls, text: str) -> _Lines:
        newline = "\r\n" if "\r\n" in text else "\n"
        parts = text.split(newline)
        final = len(parts) > 1 and parts[-1] == ""
        return cls(tuple(parts[:-1] if final else parts), newline, final)

    def render(self) -> str:
        return self.newline.join(self.lines) + (self.newline if self.final_newline else "")

    def insert(self, index: int, new: Sequence[str]) -> _Lines:
        return replace(self, lines=(*self.lines[:index], *new, *self.lines[index:]))

    def delete(self, start: int, stop: int) -> _Lines:
        return replace(self, lines=self.lines[:start] + self.lines[stop:])


# --- ordering: where rustfmt and ruff expect a new line -------------------------------------------


def _natord(a: str, b: str) -> int:
    """Natural order as ruff's isort and RUF022 use it (the `natord` crate): digit runs compare as numbers."""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i].isdigit() and b[j].isdigit():
            i2, j2 = _digit_end(a, i), _digit_end(b, j)
            left, right = a[i:i2], b[j:j2]
            if "0" in (left[0], right[0]):  # a leading zero compares digit by digit, like a fraction
                order = _cmp(left, right)
            else:
                order = _cmp(len(left), len(right)) or _cmp(left, right)
            if order:
                return order
            i, j = i2, j2
        elif a[i] != b[j]:
            return _cmp(a[i], b[j])
        else:
            i, j = i + 1, j + 1
    return _cmp(len(a) - i, len(b) - j)


def _digit_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return end


def _cmp(a: _Ordered, b: _Ordered) -> int:
    return (a > b) - (a < b)


def _member_type(name: str) -> int:
    """isort's "order by type": CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.isupper():
        return 0
    return 1 if name[:1].isupper() else 2


def _isort_cmp(a: str, b: str) -> int:
    return _cmp(_member_type(a), _member_type(b)) or _natord(a.lower(), b.lower()) or _cmp(a, b)


def _sorted_position(names: Sequence[tuple[int, str]], name: str, after: int) -> int:
    """The index before the first (index, name) that sorts after `name` (isort order), else `after`."""
    for index, other in names:
        if _isort_cmp(other, name) > 0:
            return index
    return after


# --- Rust `mod` declarations (rustfmt sorts each run of them by name, bytewise) ---------------------


@dataclass(frozen=True)
class _ModItem:
    start: int  # first attribute or doc line of the item
    line: int  # the `mod name;` line
    name: str


def _mod_runs(lines: Sequence[str], stop: int) -> list[list[_ModItem]]:
    """The runs of consecutive `mod x;` items (with their attributes) among lines[:stop]."""
    runs: list[list[_ModItem]] = []
    prefix: int | None = None
    for index, line in enumerate(lines[:stop]):
        decl = _MOD_DECL.fullmatch(line)
        if decl is not None:
            item = _ModItem(index if prefix is None else prefix, index, decl.group(1))
            if runs and runs[-1][-1].line + 1 == item.start:
                runs[-1].append(item)
            else:
                runs.append([item])
            prefix = None
        elif _ITEM_PREFIX.fullmatch(line):
            prefix = index if prefix is None else prefix
        else:
            prefix = None
    return runs


def _mod_position(run: Sequence[_ModItem], name: str) -> int:
    for item in run:
        if item.name > name:
            return item.start
    return run[-1].line + 1


def _without_mod(doc: _Lines, name: str, stop: int) -> _Lines:
    for index, line in enumerate(doc.lines[:stop]):
        decl = _MOD_DECL.fullmatch(line)
        if decl is not None and decl.group(1) == name:
            return doc.delete(index, index + 1)
    return doc


def _is_pub(doc: _Lines, item: _ModItem) -> bool:
    return doc.lines[item.line].startswith("pub ")


def _has_mod(doc: _Lines, name: str, stop: int) -> bool:
    return any(item.name == name for run in _mod_runs(doc.lines, stop) for item in run)


@dataclass(frozen=True)
class LibModule:
    """`pub mod <module>;` in lib.rs, in the sorted run of `mod` lines."""

    module: str
    label: str = LIB_RS

    def apply(self, text: str) -> str:
        doc = _Lines.parse(text)
        if _has_mod(doc, self.module, len(doc.lines)):
            return text
        runs = [r for r in _mod_runs(doc.lines, len(doc.lines)) if any(_is_pub(doc, i) for i in r)]
        if not runs:
            raise UnrecognisedShape(self.label, None, f"no `pub mod` line to add `pub mod {self.module};` to")
        return doc.insert(_mod_position(runs[-1], self.module), [f"pub mod {self.module};"]).render()

    def revert(self, text: str) -> str:
        doc = _Lines.parse(text)
        return _without_mod(doc, self.module, len(doc.lines)).render()


# --- python/mod.rs: one add_submodule(...) statement per module ------------------------------------


@dataclass(frozen=True)
class _FnBody:
    """A function at column 0: its parameter, and the lines between its `{` line and its `}` line."""

    param: str
    open: int
    close: int


def _find_fn(doc: _Lines, pattern: re.Pattern[str], label: str, what: str) -> _FnBody:
    """The function whose first line matches `pattern`, ending with `Ok(())` and a `}` at column 0.

    Raises:
        UnrecognisedShape: the function, its closing `}` or its final `Ok(())` is missing.
    """
    found = ((i, pattern.fullmatch(line)) for i, line in enumerate(doc.lines))
    opening, match = next(((i, m) for i, m in found if m is not None), (None, None))
    if opening is None or match is None:
        raise UnrecognisedShape(label, None, f"no `{what}` line (devtool edits the shape it generates)")
    close = next((i for i in range(opening + 1, len(doc.lines)) if doc.lines[i] == "}"), None)
    if close is None:
        raise UnrecognisedShape(label, opening + 1, f"`{what}` has no closing `}}` at column 0")
    if doc.lines[close - 1] != _OK:
        raise UnrecognisedShape(label, close, f"`{what}` does not end with `Ok(())` before its `}}`")
    return _FnBody(match.group(1), opening, close)


def _submodule_statements(doc: _Lines, body: _FnBody, label: str) -> list[tuple[int, int, str]]:
    """Each `add_submodule(...)?;` statement in the body: (first line, end line + 1, module name).

    Raises:
        UnrecognisedShape: a statement starting with `add_submodule(` is not one devtool can read.
    """
    found: list[tuple[int, int, str]] = []
    index = body.open + 1
    while index < body.close:
        if doc.lines[index].lstrip().startswith("add_submodule("):  # tabs or spaces, as a person wrote it
            end = next((i for i in range(index, body.close) if doc.lines[i].endswith(")?;")), body.close - 1)
            call = _SUBMODULE_CALL.fullmatch(" ".join(line.strip() for line in doc.lines[index : end + 1]))
            if call is None:
                raise UnrecognisedShape(label, index + 1, "an `add_submodule(...)?;` devtool cannot read")
            found.append((index, end + 1, call.group(1)))
            index = end
        index += 1
    return found


def _submodule_lines(param: str, module: str) -> list[str]:
    """The statement as rustfmt writes it: on one line while the arguments fit in 60 columns."""
    args = f'{param}, "{module}", crate::{module}::register'
    if len(args) <= 60:
        return [f"    add_submodule({args})?;"]
    return [
        "    add_submodule(",
        f"        {param},",
        f'        "{module}",',
        f"        crate::{module}::register,",
        "    )?;",
    ]


@dataclass(frozen=True)
class Submodule:
    """`add_submodule(m, "<module>", crate::<module>::register)?;` in `fn crypto_trading_engine`."""

    module: str
    label: str = PYTHON_MOD_RS

    def apply(self, text: str) -> str:
        doc = _Lines.parse(text)
        body = _find_fn(doc, _PYMODULE_FN, self.label, "fn crypto_trading_engine(")
        statements = _submodule_statements(doc, body, self.label)
        if any(name == self.module for _, _, name in statements):
            return text
        where = statements[-1][1] if statements else body.close - 1
        return doc.insert(where, _submodule_lines(body.param, self.module)).render()

    def revert(self, text: str) -> str:
        doc = _Lines.parse(text)
        body = _find_fn(doc, _PYMODULE_FN, self.label, "fn crypto_trading_engine(")
        for start, stop, name in _submodule_statements(doc, body, self.label):
            if name == self.module:
                return doc.delete(start, stop).render()
        return text


# --- a generated module's mod.rs: `mod <function>;` and `<function>::register(m)?;` ---------------


@dataclass(frozen=True)
class ModuleFunction:
    """`mod <function>;` and `<function>::register(m)?;` in a devtool-generated module's mod.rs."""

    function: str
    label: str = "mod.rs"

    def apply(self, text: str) -> str:
        return self._add_register(self._add_mod(_Lines.parse(text))).render()

    def revert(self, text: str) -> str:
        doc = _Lines.parse(text)
        body = _find_fn(doc, _REGISTER_FN, self.label, "pub fn register(")
        for index in range(body.open + 1, body.close):
            call = _REGISTER_CALL.fullmatch(doc.lines[index])
            if call is not None and call.group(1) == self.function:
                doc = doc.delete(index, index + 1)
                break
        return _without_mod(doc, self.function, body.open).render()

    def _add_mod(self, doc: _Lines) -> _Lines:
        body = _find_fn(doc, _REGISTER_FN, self.label, "pub fn register(")
        if _has_mod(doc, self.function, body.open):
            return doc
        runs = _mod_runs(doc.lines, body.open)
        where = _mod_position(runs[-1], self.function) if runs else _item_start(doc.lines, body.open)
        return doc.insert(where, [f"mod {self.function};"])

    def _add_register(self, doc: _Lines) -> _Lines:
        body = _find_fn(doc, _REGISTER_FN, self.label, "pub fn register(")
        found = ((i, _REGISTER_CALL.fullmatch(doc.lines[i])) for i in range(body.open + 1, body.close))
        calls = [(i, call.group(1)) for i, call in found if call is not None]
        if any(name == self.function for _, name in calls):
            return doc
        where = calls[-1][0] + 1 if calls else body.close - 1
        return doc.insert(where, [f"    {self.function}::register({body.param})?;"])


def _item_start(lines: Sequence[str], index: int) -> int:
    """The first attribute or doc line above lines[index]."""
    while index > 0 and _ITEM_PREFIX.fullmatch(lines[index - 1]):
        index -= 1
    return index


# --- rust_bridge/__init__.py: `from .<module>_py import (...)` and `__all__` --------------------------


@dataclass(frozen=True)
class _Import:
    module: str
    start: int
    stop: int  # one past the closing `)` (or past the line, for a one-line import)
    parenthesised: bool


def _relative_imports(doc: _Lines) -> list[_Import]:
    imports: list[_Import] = []
    index = 0
    while index < len(doc.lines):
        match = _FROM_IMPORT.fullmatch(doc.lines[index])
        if match is None:
            index += 1
            continue
        stop = index + 1
        if match.group(2) == "(":
            stop = (
                next((i for i in range(index, len(doc.lines)) if doc.lines[i] == ")"), len(doc.lines) - 1) + 1
            )
        imports.append(_Import(match.group(1), index, stop, match.group(2) == "("))
        index = stop
    return imports


def _all_entries(doc: _Lines, label: str) -> tuple[int, list[tuple[int, str]]]:
    """The index of `__all__`'s closing `]`, and its `"name",` entries as (line index, name).

    Raises:
        UnrecognisedShape: no `__all__ = [` line, or one entry per line is not what it holds.
    """
    opening = next((i for i, line in enumerate(doc.lines) if line.startswith("__all__")), None)
    if opening is None or doc.lines[opening] != "__all__ = [":
        line_no = None if opening is None else opening + 1
        raise UnrecognisedShape(label, line_no, 'expected `__all__ = [` with one `"name",` per line')
    entries: list[tuple[int, str]] = []
    for index in range(opening + 1, len(doc.lines)):
        if doc.lines[index] == "]":
            return index, entries
        entry = _ALL_ENTRY.fullmatch(doc.lines[index])
        if entry is None:
            raise UnrecognisedShape(label, index + 1, 'expected a `"name",` entry of `__all__`')
        entries.append((index, entry.group(1)))
    raise UnrecognisedShape(label, opening + 1, "`__all__ = [` has no closing `]` at column 0")


@dataclass(frozen=True)
class BridgeExports:
    """The functions of one module in `rust_bridge/__init__.py`: its import block and `__all__` entries."""

    module: str
    functions: tuple[str, ...]
    label: str = BRIDGE_INIT

    def apply(self, text: str) -> str:
        doc = self._checked(text)
        for function in self.functions:
            doc = self._export(self._import(doc, function), function)
        return doc.render()

    def revert(self, text: str) -> str:
        doc = self._checked(text)
        for function in self.functions:
            doc = self._unexport(self._unimport(doc, function), function)
        return doc.render()

    def _checked(self, text: str) -> _Lines:
        """The parsed text, its shape checked before any edit so errors name the lines as they are on disk."""
        doc = _Lines.parse(text)
        self._block(doc)
        _all_entries(doc, self.label)
        return doc

    def _block(self, doc: _Lines) -> tuple[_Import | None, list[tuple[int, str]]]:
        """This module's import block and its members, or (None, []) without one.

        Raises:
            UnrecognisedShape: the block is not `from .<module>_py import (` with one name per line.
        """
        block = next((i for i in _relative_imports(doc) if i.module == f"{self.module}_py"), None)
        if block is None:
            return None, []
        members = [(i, _MEMBER.fullmatch(doc.lines[i])) for i in range(block.start + 1, block.stop - 1)]
        if not block.parenthesised or not all(m for _, m in members):
            raise UnrecognisedShape(
                self.label,
                block.start + 1,
                f"expected `from .{self.module}_py import (` with one `name,` per line",
            )
        return block, [(i, m.group(1)) for i, m in members if m is not None]

    def _import(self, doc: _Lines, function: str) -> _Lines:
        block, members = self._block(doc)
        if block is not None:
            if any(name == function for _, name in members):
                return doc
            return doc.insert(_sorted_position(members, function, block.stop - 1), [f"    {function},"])
        imports = _relative_imports(doc)
        if not imports:
            raise UnrecognisedShape(
                self.label, None, f"no `from .` import to put `from .{self.module}_py` next to"
            )
        own = f"{self.module}_py"
        after = next(
            (i.start for i in imports if _natord(i.module.lower(), own.lower()) > 0), imports[-1].stop
        )
        return doc.insert(after, [f"from .{own} import (", f"    {function},", ")"])

    def _unimport(self, doc: _Lines, function: str) -> _Lines:
        block, members = self._block(doc)
        if block is None:
            return doc
        for index, name in members:
            if name == function:
                return (
                    doc.delete(block.start, block.stop) if len(members) == 1 else doc.delete(index, index + 1)
                )
        return doc

    def _export(self, doc: _Lines, function: str) -> _Lines:
        close, entries = _all_entries(doc, self.label)
        if any(name == function for _, name in entries):
            return doc
        return doc.insert(_sorted_position(entries, function, close), [f'    "{function}",'])

    def _unexport(self, doc: _Lines, function: str) -> _Lines:
        _, entries = _all_entries(doc, self.label)
        for index, name in entries:
            if name == function:
                return doc.delete(index, index + 1)
        return doc


def bridge_functions(text: str, module: str) -> tuple[str, ...]:
    """The functions `rust_bridge/__init__.py` imports from `<module>_py`, in file order.

    Raises:
        UnrecognisedShape: that import is not in the parenthesised one-name-per-line form.
    """
    _, members = BridgeExports(module, ())._block(_Lines.parse(text))
    return tuple(name for _, name in members)


# --- planners: current text from disk -> FileChanges, nothing written -------------------------------


def plan_register_module(ws: Workspace, module: str, functions: Iterable[str]) -> list[FileChange]:
    """The edits wiring a new `module` (and its first `functions`) into lib.rs, python/mod.rs and the bridge.

    Raises:
        UnrecognisedShape: one of these files is not in a shape devtool edits.
        ConflictError: a function is already exported by the bridge from another module.
    """
    functions = tuple(functions)
    _check_unexported(ws, module, functions)
    edits: list[tuple[Path, Edit]] = [
        (ws.lib_rs, LibModule(module, _label(ws, ws.lib_rs))),
        (ws.python_mod_rs, Submodule(module, _label(ws, ws.python_mod_rs))),
        (ws.bridge_init, BridgeExports(module, functions, _label(ws, ws.bridge_init))),
    ]
    return _changes(ws, edits, revert=False)


def plan_unregister_module(ws: Workspace, module: str) -> list[FileChange]:
    """The edits removing `module` and every function the bridge imports from it.

    Raises:
        UnrecognisedShape: one of these files is not in a shape devtool edits.
    """
    functions = bridge_functions(_read(ws, ws.bridge_init), module)
    edits: list[tuple[Path, Edit]] = [
        (ws.lib_rs, LibModule(module, _label(ws, ws.lib_rs))),
        (ws.python_mod_rs, Submodule(module, _label(ws, ws.python_mod_rs))),
        (ws.bridge_init, BridgeExports(module, functions, _label(ws, ws.bridge_init))),
    ]
    changes = _changes(ws, edits, revert=True)
    after = {str(c.path): c.after or "" for c in changes}
    for path in (ws.lib_rs, ws.python_mod_rs):
        label = _label(ws, path)
        before = _read(ws, path)
        _refuse_dangling(label, before, after.get(label, before), module)
    return changes


def _refuse_dangling(label: str, before: str, after: str, module: str) -> None:
    """Raises UnrecognisedShape at a line that still names `module` once its registrations are reverted.

    Such a line is one the edits could not read (an odd form of `mod` or `add_submodule`); left in
    place, it would name a module whose files are deleted, and the crate would not build.
    """
    mention = re.compile(rf"\b(crate::{module}::|mod\s+{module}\s*;)")
    left = _Lines.parse(after).lines
    for index, line in enumerate(left):
        if mention.search(line):
            # The line number on disk: reverting only deletes lines, so count the same line's occurrences.
            nth = left[: index + 1].count(line)
            on_disk = [i for i, text in enumerate(_Lines.parse(before).lines) if text == line]
            raise UnrecognisedShape(
                label,
                on_disk[nth - 1] + 1 if len(on_disk) >= nth else None,
                f"still names module {module!r} in a form devtool cannot remove: {line.strip()}",
            )


def plan_register_functions(ws: Workspace, module: str, functions: Iterable[str]) -> list[FileChange]:
    """The edits adding `functions` to an existing devtool-generated `module`: its mod.rs and the bridge.

    Raises:
        UnrecognisedShape: the module's mod.rs or the bridge is not in a shape devtool edits.
        ConflictError: a function is already exported by the bridge from another module.
    """
    functions = tuple(functions)
    _check_unexported(ws, module, functions)
    return _changes(ws, _function_edits(ws, module, functions), revert=False)


def plan_unregister_functions(ws: Workspace, module: str, functions: Iterable[str]) -> list[FileChange]:
    """The edits removing `functions` from `module`'s mod.rs and from the bridge.

    Raises:
        UnrecognisedShape: the module's mod.rs or the bridge is not in a shape devtool edits.
    """
    return _changes(ws, _function_edits(ws, module, tuple(functions)), revert=True)


def _function_edits(ws: Workspace, module: str, functions: tuple[str, ...]) -> list[tuple[Path, Edit]]:
    mod_rs = ws.module_dir(module) / "mod.rs"
    edits: list[tuple[Path, Edit]] = [(mod_rs, ModuleFunction(f, _label(ws, mod_rs))) for f in functions]
    edits.append((ws.bridge_init, BridgeExports(module, functions, _label(ws, ws.bridge_init))))
    return edits


def _check_unexported(ws: Workspace, module: str, functions: tuple[str, ...]) -> None:
    """Raises ConflictError if the bridge already exports one of `functions`, other than from `module`."""
    text = _read(ws, ws.bridge_init)
    label = _label(ws, ws.bridge_init)
    _, entries = _all_entries(_Lines.parse(text), label)
    taken = {name for _, name in entries} - set(bridge_functions(text, module))
    clash = sorted(taken.intersection(functions))
    if clash:
        raise ConflictError(f"{label} already exports {', '.join(clash)}; choose another function name")


def _changes(ws: Workspace, edits: Sequence[tuple[Path, Edit]], *, revert: bool) -> list[FileChange]:
    """Apply (or revert) the edits in order, per file, and keep the files whose text changes."""
    texts: dict[Path, tuple[str, str]] = {}
    for path, edit in edits:
        before, current = texts.get(path) or (_read(ws, path),) * 2
        texts[path] = (before, edit.revert(current) if revert else edit.apply(current))
    return [
        FileChange(PurePosixPath(_label(ws, path)), before, after)
        for path, (before, after) in texts.items()
        if before != after
    ]


def _read(ws: Workspace, path: Path) -> str:
    """The file's text as is (newlines untranslated).

    Raises:
        UnrecognisedShape: the file is missing or not UTF-8.
    """
    try:
        return read_text(path)
    except FileNotFoundError as err:
        raise UnrecognisedShape(_label(ws, path), None, "the file is missing") from err
    except UnicodeDecodeError as err:
        raise UnrecognisedShape(_label(ws, path), None, f"not UTF-8 text ({err.reason})") from err


def _label(ws: Workspace, path: Path) -> str:
    return path.relative_to(ws.root).as_posix()
