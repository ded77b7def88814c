"""A throwaway cargo crate holding many translated kernels, and a line protocol to call them from Python.

`build_crate(dir, kernels)` writes `src/k_<name>.rs` (each kernel's emitted text, its own error enum
included) and a `main.rs` that reads one call per stdin line and writes one result line; `Runner` keeps
the binary running so that hypothesis can call it thousands of times for the price of one build.

The protocol, one token per value: f64 as the 16 hex digits of its bits (exact, NaN payloads aside),
i64 and usize in decimal, bool as 0/1, arrays as their length then their items. A result line is
`ok <values>` or `err <Variant>`.
"""

from __future__ import annotations

import math
import os
import struct
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtool.scaffold.signature import Signature
from devtool.translate.rustfmt import format_rust

CARGO_TOML = """\
[package]
name = "translated"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
"""

MAIN_HEAD = """\
//! Calls the translated kernels, one call per stdin line (see tests/translate_crate.py).
use std::io::{self, BufRead, Write};

fn f64_of(token: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(token, 16).expect("f64 bits"))
}

struct Tokens<'a>(std::str::SplitWhitespace<'a>);

// Not every reader is used by every set of kernels.
#[allow(dead_code)]
impl Tokens<'_> {
    fn next(&mut self) -> &str {
        self.0.next().expect("a token")
    }
    fn f64(&mut self) -> f64 {
        f64_of(self.next())
    }
    fn i64(&mut self) -> i64 {
        self.next().parse().expect("an i64")
    }
    fn usize(&mut self) -> usize {
        self.next().parse().expect("a usize")
    }
    fn bool(&mut self) -> bool {
        self.next() == "1"
    }
    fn f64s(&mut self) -> Vec<f64> {
        let n = self.usize();
        (0..n).map(|_| self.f64()).collect()
    }
    fn matrix(&mut self) -> (Vec<f64>, usize) {
        let rows = self.usize();
        let cols = self.usize();
        ((0..rows * cols).map(|_| self.f64()).collect(), cols)
    }
    fn i64s(&mut self) -> Vec<i64> {
        let n = self.usize();
        (0..n).map(|_| self.i64()).collect()
    }
}

trait Show {
    fn show(&self, out: &mut String);
}

impl Show for f64 {
    fn show(&self, out: &mut String) {
        out.push_str(&format!(" {:016x}", self.to_bits()));
    }
}

impl Show for i64 {
    fn show(&self, out: &mut String) {
        out.push_str(&format!(" {self}"));
    }
}

impl Show for usize {
    fn show(&self, out: &mut String) {
        out.push_str(&format!(" {self}"));
    }
}

impl Show for bool {
    fn show(&self, out: &mut String) {
        out.push_str(if *self { " 1" } else { " 0" });
    }
}

impl<T: Show> Show for Vec<T> {
    fn show(&self, out: &mut String) {
        out.push_str(&format!(" {}", self.len()));
        for v in self {
            v.show(out);
        }
    }
}

macro_rules! show_tuple {
    ($($name:ident),+) => {
        impl<$($name: Show),+> Show for ($($name,)+) {
            #[allow(non_snake_case)]
            fn show(&self, out: &mut String) {
                let ($($name,)+) = self;
                $($name.show(out);)+
            }
        }
    };
}
show_tuple!(A, B);
show_tuple!(A, B, C);
show_tuple!(A, B, C, D);
show_tuple!(A, B, C, D, E);

fn answer<T: Show, E: std::fmt::Debug>(result: Result<T, E>) -> String {
    match result {
        Ok(value) => {
            let mut out = String::from("ok");
            value.show(&mut out);
            out
        }
        Err(err) => format!("err {err:?}"),
    }
}

fn main() {
    let stdin = io::stdin();
    let mut stdout = io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.expect("a line");
        let mut tokens = Tokens(line.split_whitespace());
        let reply = match tokens.next() {
"""

MAIN_TAIL = """\
            other => format!("unknown {other}"),
        };
        writeln!(stdout, "{reply}").expect("stdout");
        stdout.flush().expect("stdout");
    }
}
"""

READERS = {"f64[,]": "matrix", "f64[]": "f64s", "f64[*]": "f64s", "i64[]": "i64s", "i64[*]": "i64s",
           "f64": "f64", "i64": "i64", "usize": "usize", "bool": "bool"}  # fmt: skip


@dataclass(frozen=True)
class Kernel:
    name: str
    signature: Signature
    rust: str


def main_rs(kernels: Sequence[Kernel]) -> str:
    arms = []
    for k in kernels:
        reads = [f"let a{i} = tokens.{READERS[a.type]}();" for i, a in enumerate(k.signature.args)]
        passed = [
            f"&a{i}.0, a{i}.1" if a.ndim == 2 else f"&a{i}" if a.is_array else f"a{i}"
            for i, a in enumerate(k.signature.args)
        ]
        arms.append(
            f'            "{k.name}" => {{\n                '
            + "\n                ".join(reads)
            + f"\n                answer(translated::k_{k.name}::{k.name}({', '.join(passed)}))"
            + "\n            }\n"
        )
    return MAIN_HEAD + "".join(arms) + MAIN_TAIL


def build_crate(root: Path, kernels: Sequence[Kernel]) -> None:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(CARGO_TOML)
    lib = "//! Kernels translated by devtool, one module each.\n" + "".join(
        f"pub mod k_{k.name};\n" for k in sorted(kernels, key=lambda k: k.name)
    )
    (root / "src/lib.rs").write_text(lib)
    for k in kernels:
        (root / f"src/k_{k.name}.rs").write_text(k.rust)
    main = main_rs(kernels)
    (root / "src/main.rs").write_text(format_rust(main) or main)


def cargo(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("CARGO_TARGET_DIR", str(Path.home() / ".cache/devtool/target"))
    return subprocess.run(["cargo", *args], cwd=root, capture_output=True, text=True, env=env, check=False)


def binary(root: Path) -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/devtool/target"))
    return target / "debug" / "translated"


# -- the protocol, Python side ---------------------------------------------------------------------------
def hex_bits(x: float) -> str:
    return f"{struct.unpack('<Q', struct.pack('<d', x))[0]:016x}"


def encode(value: Any, kind: str) -> str:
    if kind == "f64[,]":
        rows, cols = value.shape
        return " ".join([str(rows), str(cols), *(hex_bits(float(v)) for v in value.ravel())])
    if kind.startswith("f64["):
        return " ".join([str(len(value)), *(hex_bits(float(v)) for v in value)])
    if kind.startswith("i64["):
        return " ".join([str(len(value)), *(str(int(v)) for v in value)])
    if kind == "f64":
        return hex_bits(float(value))
    if kind == "bool":
        return "1" if value else "0"
    return str(int(value))


EXCEPTIONS = {
    ValueError: "Value",
    IndexError: "Index",
    ZeroDivisionError: "ZeroDivision",
    OverflowError: "Overflow",
}
I64 = (-(2**63), 2**63 - 1)


def python_answer(fn: Callable[..., Any], args: Sequence[Any], sig: Signature) -> str:
    """What the Python function gives, in the protocol's words (an int outside i64 is an OverflowError)."""
    try:
        result = fn(*args)
    except tuple(EXCEPTIONS) as err:
        return f"err {EXCEPTIONS[type(err)]}"
    values = result if sig.returns_tuple else (result,)
    parts = ["ok"]
    for v, kind in zip(values, sig.returns, strict=True):
        if kind in ("i64", "usize") and not (I64[0] if kind == "i64" else 0) <= int(v) <= I64[1]:
            return "err Overflow"
        if kind == "f64[,]":  # the kernel returns it row-major, as a Vec<f64>
            v, kind = v.ravel(), "f64[]"
        parts.append(encode(v, kind))
    return " ".join(parts)


def same(python: str, rust: str, ulps: int = 0) -> bool:
    """Equal answers: floats bit for bit (any NaN equals any NaN), or within `ulps` units in the last
    place."""
    a, b = python.split(), rust.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        if len(x) != 16 or len(y) != 16:
            return False
        fx, fy = (struct.unpack("<d", bytes.fromhex(t)[::-1])[0] for t in (x, y))
        if math.isnan(fx) and math.isnan(fy):
            continue
        if (
            ulps
            and math.isfinite(fx)
            and math.isfinite(fy)
            and abs(fx - fy) <= ulps * math.ulp(max(abs(fx), abs(fy)))
        ):
            continue
        return False
    return True


class Runner:
    """The built binary, kept running: `call(name, line)` sends one call and returns its answer line."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def call(self, name: str, args: Sequence[Any], sig: Signature) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        line = " ".join([name, *(encode(v, a.type) for v, a in zip(args, sig.args, strict=True))])
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"the kernel binary died on {name}: {stderr[-2000:]}")
        return answer

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)
