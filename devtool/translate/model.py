"""The typed model the translator works on: value types, refusals and the finished translation.

A Python value is a float, an int or a bool, and either a Python object (`py`) or a numpy scalar (`np`):
the two behave differently where Rust must choose (a Python float divided by zero raises
ZeroDivisionError, a numpy one gives inf; Python ints are unbounded, numpy's wrap). `mixed` is a local
that holds one on some paths and the other on others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["float", "int", "bool"]
#: "unset": the elements of an empty list nothing has been appended to (yet).
Flavor = Literal["py", "np", "mixed", "unset"]
Origin = Literal["param", "array", "list"]

RUST_SCALARS: dict[str, str] = {"float": "f64", "int": "i64", "bool": "bool"}


@dataclass(frozen=True)
class Scalar:
    """A float, int or bool value."""

    kind: Kind
    flavor: Flavor = "py"

    @property
    def rust(self) -> str:
        return RUST_SCALARS[self.kind]


@dataclass(frozen=True)
class Array:
    """A 1-D or 2-D array: a parameter (read-only slice), a numpy array or a Python list made in the body."""

    elem: Literal["float", "int"]
    origin: Origin
    ndim: int = 1
    #: The flavor of the values read from it: numpy arrays give numpy scalars, lists what was put in.
    flavor: Flavor = "np"

    @property
    def element(self) -> Scalar:
        return Scalar(self.elem, self.flavor)

    @property
    def rust(self) -> str:
        inner = RUST_SCALARS[self.elem]
        return f"&[{inner}]" if self.origin == "param" else f"Vec<{inner}>"


@dataclass(frozen=True)
class Tuple:
    """A tuple of values, as assigned or returned."""

    items: tuple[Type, ...]

    @property
    def rust(self) -> str:
        return "(" + ", ".join(t.rust for t in self.items) + ")"


Type = Scalar | Array | Tuple

FLOAT = Scalar("float")
INT = Scalar("int")
BOOL = Scalar("bool")


def join_flavor(a: Flavor, b: Flavor) -> Flavor:
    return a if a == b else "mixed"


def promote(a: Scalar, b: Scalar) -> Scalar:
    """The type of `a op b` for an arithmetic op (bools refused by the caller); numpy wins over Python."""
    kind: Kind = "float" if "float" in (a.kind, b.kind) else "int"
    if a.flavor == "np" or b.flavor == "np":
        return Scalar(kind, "np")
    return Scalar(kind, join_flavor(a.flavor, b.flavor))


@dataclass(frozen=True)
class Refusal:
    """A construct outside the subset: where it is, what it is, and why it cannot be translated."""

    line: int
    construct: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}: `{self.construct}` {self.why}"


@dataclass(frozen=True)
class Translation:
    """The result of `translate`: the Rust text, or None with the refusals that stopped it.

    `rust` holds the error enum (unless an error path was given), the consts, the private helper
    functions and the kernel `pub fn NAME(...) -> Result<..., KernelError>`. `notes` say where the
    kernel knowingly differs from a literal reading of Python or rests on an assumption.
    """

    function: str
    rust: str | None
    refusals: tuple[Refusal, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.rust is not None


class Refused(Exception):
    """Raised inside the translator at the first construct it cannot translate; becomes a `Refusal`."""

    def __init__(self, line: int, construct: str, why: str) -> None:
        super().__init__(f"line {line}: `{construct}` {why}")
        self.refusal = Refusal(line, construct, why)
