"""The record `new-module` keeps of what each module was generated from, one small JSON file per module.

`list`, `remove-module` and `update-module` work from these facts rather than from guesses.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import PurePosixPath

from .errors import DevtoolError, UsageError
from .workspace import Workspace

RECORDS_DIR = PurePosixPath(".devtool/modules")


@dataclass(frozen=True)
class FunctionRecord:
    """One generated function: its signature and the template version it was rendered from."""

    name: str
    signature: str
    template_version: str
    # `package.module:function`: the Python function it was made from (`--from`), which the generated
    # fallback imports and its parity tests compare the Rust kernel with.
    source: str | None = None
    # The Rust kernel devtool translated `source` into (None: not translated, the kernel is unwritten).
    translation: str | None = None
    # Why `translation` is not served, e.g. the input on which it disagreed with `source` and both
    # results (None with a translation: verified and served).
    not_served: str | None = None

    @property
    def served_translation(self) -> bool:
        """Whether the kernel is devtool's translation, verified and served."""
        return self.translation is not None and self.not_served is None


_OPTIONAL = ("translation", "not_served")


@dataclass(frozen=True)
class CrateRecord:
    """A crate a module needs (`--crate`, `add-crate`); its version is in Cargo.toml as cargo add wrote it."""

    name: str
    # Whether devtool's `cargo add` put it into Cargo.toml (it was not a dependency before): only such a
    # crate is `cargo remove`d with the last module that needs it.
    added: bool = True


@dataclass(frozen=True)
class ModuleRecord:
    """One generated module: its functions and every file devtool created for it."""

    module: str
    template_version: str
    functions: tuple[FunctionRecord, ...]
    files: tuple[str, ...] = field(default=())
    needs_attention: bool = False  # `update-module --conflicts=markers` left conflict markers in its files
    crates: tuple[CrateRecord, ...] = field(default=())  # the crates its kernels need, by name

    def with_function(self, function: FunctionRecord, files: tuple[str, ...]) -> ModuleRecord:
        return replace(
            self, functions=(*self.functions, function), files=tuple(sorted({*self.files, *files}))
        )

    def function_names(self) -> list[str]:
        return [f.name for f in self.functions]

    def crate_names(self) -> list[str]:
        return [c.name for c in self.crates]

    def with_crates(self, crates: list[CrateRecord]) -> ModuleRecord:
        """The record needing `crates` too; a crate it lists already keeps `added` if either says so."""
        merged = {c.name: c for c in self.crates}
        for crate in crates:
            known = merged.get(crate.name)
            merged[crate.name] = replace(crate, added=crate.added or (known is not None and known.added))
        return replace(self, crates=tuple(merged[n] for n in sorted(merged)))

    def to_json(self) -> str:
        data = asdict(self)
        # A function devtool did not translate keeps the record it had before translations existed.
        data["functions"] = [
            {k: v for k, v in asdict(f).items() if v is not None or k not in _OPTIONAL}
            for f in self.functions
        ]
        data["files"] = list(self.files)
        if self.crates:
            data["crates"] = [asdict(c) for c in self.crates]
        else:  # records of modules without crates stay as older devtools wrote them
            del data["crates"]
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ModuleRecord:
        data = json.loads(text)
        return cls(
            module=data["module"],
            template_version=str(data["template_version"]),
            functions=tuple(FunctionRecord(**f) for f in data["functions"]),
            files=tuple(data.get("files", ())),
            needs_attention=bool(data.get("needs_attention", False)),
            crates=tuple(CrateRecord(**c) for c in data.get("crates", ())),
        )


def record_path(module: str) -> PurePosixPath:
    """Where a module's record lives, relative to the workspace root."""
    return RECORDS_DIR / f"{module}.json"


def read_record(ws: Workspace, module: str) -> ModuleRecord | None:
    """The module's record, or None for a module written by hand.

    Raises:
        DevtoolError: the record exists but is not valid.
    """
    path = ws.root / record_path(module)
    if not path.exists():
        return None
    try:
        return ModuleRecord.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as err:
        raise DevtoolError(f"{path}: not a valid devtool module record ({err})") from err


def generated_record(ws: Workspace, module: str, otherwise: str) -> ModuleRecord:
    """The record of `module`, a module devtool generated.

    Raises:
        UsageError: there is no such module, or it was written by hand (`otherwise`, appended to the
            message, says what to do instead).
        DevtoolError: the record exists but is not valid.
    """
    if not ws.has_module(module):
        raise UsageError(f"no module {module!r} in {ws.root} (see `devtool list`)")
    record = read_record(ws, module)
    if record is None:
        raise UsageError(
            f"module {module!r} was not generated by devtool (no {record_path(module)}){otherwise}"
        )
    return record
