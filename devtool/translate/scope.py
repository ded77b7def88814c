"""What a function body can see while it is translated: its names and types, the module's constants, the
helpers and notes collected so far."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import Array, Refused, Scalar, Tuple, Type, join_flavor

if TYPE_CHECKING:
    from .unit import Unit

#: Rust keywords and names the emitted code uses itself: a Python local of that name gets a `_` suffix.
RESERVED = frozenset(
    """
    as async await break const continue crate dyn else enum extern false fn for if impl in let loop
    match mod move mut pub ref return self Self static struct super trait true type unsafe use
    where while abstract become box do final macro override priv typeof unsized virtual yield try
    gen union at ix ix2 rows get add_i sub_i mul_i value item0 item1 item2 item3
    checked floordiv_i mod_i div_f divmod_f pow_f pow_i math1 to_int
    py_min py_max np_minimum np_maximum new_len list_len square KernelError f64 i64 usize bool Ok
    Err Result Vec
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


class Unknown(Exception):
    """During inference: the expression reads a local whose type is not known yet."""


@dataclass(frozen=True)
class Const:
    """A module-level numeric constant carried into Rust."""

    name: str
    type: Scalar
    value: float | int | bool
    line: int
    source: str


def rust_name(name: str) -> str:
    return f"{name}_" if name in RESERVED else name


def rust_mentions(code: str, name: str) -> bool:
    """Whether the Rust `code` names `name` outside its comments (a Python name: its Rust spelling)."""
    return re.search(rf"\b{re.escape(rust_name(name))}\b", re.sub(r"//[^\n]*", "", code)) is not None


def const_name(name: str) -> str:
    """A module constant's Rust name: upper case, as rustc wants consts."""
    return rust_name(name.upper())


def shown(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def refuse(node: ast.AST, why: str, construct: str | None = None) -> Refused:
    return Refused(getattr(node, "lineno", 0), construct or shown(node), why)


def join(a: Type, b: Type, node: ast.AST, name: str) -> Type:
    """The type of a local assigned both `a` and `b` (int widens to float, as Python's values allow)."""
    if a == b:
        return a
    if isinstance(a, Scalar) and isinstance(b, Scalar):
        if "bool" in (a.kind, b.kind) and a.kind != b.kind:
            raise refuse(node, f"makes `{name}` a bool on one path and a number on another: give it one type")
        kind = "float" if "float" in (a.kind, b.kind) else a.kind
        return Scalar(kind, join_flavor(a.flavor, b.flavor))
    if (
        isinstance(a, Array)
        and isinstance(b, Array)
        and (a.elem, a.ndim, a.origin) == (b.elem, b.ndim, b.origin)
    ):
        return Array(a.elem, a.origin, a.ndim, join_flavor(a.flavor, b.flavor))
    if isinstance(a, Tuple) and isinstance(b, Tuple) and len(a.items) == len(b.items):
        return Tuple(tuple(join(x, y, node, name) for x, y in zip(a.items, b.items, strict=True)))
    raise refuse(node, f"gives `{name}` a value of another kind than before: give it one type")


@dataclass
class Scope:
    """One function being translated: its parameters, locals and what the emitter collected."""

    unit: Unit
    node: ast.FunctionDef
    params: dict[str, Type]
    locals: dict[str, Type] = field(default_factory=dict)
    infer: bool = True
    #: the variables of the enclosing `for` loops, innermost last
    loop_vars: list[tuple[str, Scalar]] = field(default_factory=list)
    for_targets: set[str] = field(default_factory=set)
    assigned_params: set[str] = field(default_factory=set)
    widened: set[str] = field(default_factory=set)
    #: 2-D arrays made in the function (their Rust name) -> the 2-D parameter whose columns they have
    matrix_roots: dict[str, str] = field(default_factory=dict)
    #: `not (a < b)` on floats keeps Python's NaN rule; clippy would suggest a rewrite that does not.
    needs_neg_cmp_allow: bool = False

    def type_of(self, name: str, node: ast.AST) -> Type:
        for var, t in reversed(self.loop_vars):
            if var == name:
                return t
        if name in self.for_targets:
            raise refuse(
                node, "reads a loop variable outside its loop: not translated (assign it to another name)"
            )
        if name in self.locals:
            return self.locals[name]
        if name in self.params:
            return self.params[name]
        const = self.unit.constant(name)
        if const is not None:
            return const.type
        if self.infer:
            raise Unknown(name)
        raise refuse(node, "is not a parameter, a local or a numeric module constant: not translatable")

    def is_loop_var(self, name: str) -> bool:
        return any(var == name for var, _ in self.loop_vars)

    def bind(self, name: str, value: Type, node: ast.AST) -> None:
        """Record that `name` is assigned a value of type `value` (inference only widens)."""
        if name in self.params:
            self.assigned_params.add(name)
            if value != self.params[name] and not (
                isinstance(value, Scalar) and isinstance(self.params[name], Scalar)
            ):
                raise refuse(node, f"assigns a new kind of value to parameter `{name}`: not translated")
            return
        if self.unit.constant(name) is not None:
            raise refuse(node, f"assigns module constant `{name}` (a global that changes): not translatable")
        old = self.locals.get(name)
        new = value if old is None else join(old, value, node, name)
        if isinstance(old, Scalar) and isinstance(new, Scalar) and old.kind != new.kind:
            self.widened.add(name)
        if isinstance(value, Scalar) and isinstance(new, Scalar) and value.kind != new.kind:
            self.widened.add(name)
        self.locals[name] = new
