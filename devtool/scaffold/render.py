"""Signature + names -> cookiecutter context -> {workspace-relative path: text}. Writes nothing.

The template (`devtool/template/`, package data in the wheel) renders one module and one function
into three folders, read back here and then thrown away:

    <module>/module/    the files a new module starts with (its first function included)
    <module>/function/  the files each function adds (kernel, tests, benchmark)
    <module>/append/    the function's part of the module files, to append to them

so a module's files are exactly their header followed by the appended part of each function.

The templates read like the files they make; line breaking is the formatters' job: every render goes
through one pass of rustfmt and ruff (`format_files`) before it is returned.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cookiecutter.exceptions import (  # type: ignore[import-untyped]
    ContextDecodingException,
    UndefinedVariableInTemplate,
)
from cookiecutter.generate import generate_context, generate_files  # type: ignore[import-untyped]
from cookiecutter.prompt import prompt_for_config  # type: ignore[import-untyped]
from jinja2 import BytecodeCache, TemplateSyntaxError
from jinja2.bccache import Bucket

from ..errors import RenderError, UsageError
from ..names import check_identifier
from ..workspace import DEFAULT_EDITION, DEFAULT_EXTENSION
from .model import PARITY_EXAMPLES, kernel_signature, rust_function
from .placeholder import placeholder
from .python_model import TYPE_TABLES, python_function
from .signature import Arg, Signature

#: The template devtool ships: a folder of the package, in a source tree and in an installed wheel alike.
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "template"

#: A customised copy of the template to render instead of the one devtool ships.
TEMPLATE_ENV = "DEVTOOL_TEMPLATE"


def active_template() -> Path:
    """The template to render: $DEVTOOL_TEMPLATE (a team's customised copy) or the one devtool ships."""
    custom = os.environ.get(TEMPLATE_ENV)
    return Path(custom) if custom else TEMPLATE_DIR


_MODULE, _FUNCTION, _APPEND = "module", "function", "append"

#: ruff's settings for generated Python, given on the command line so that no configuration file found
#: around the files changes the output; the same as this repository's [tool.ruff] (tests/test_render.py).
RUFF_SETTINGS: tuple[str, ...] = (
    "--isolated",
    "--line-length=110",
    "--target-version=py311",
    '--config=lint.isort.known-first-party = ["devtool", "rust_bridge", "crypto_trading_engine"]',
)

_PYTHON_SUFFIXES = (".py", ".pyi")
_RUFF = (sys.executable, "-m", "ruff")

#: Module-level names of the generated Python that a function of the same name would shadow.
_RESERVED_FUNCTION_NAMES = frozenset({"np", "npt"})


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept for the process: compiling is most of a render's time.

    Jinja checks each entry against its template's source, so an edited template recompiles.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE_CACHE = _MemoryBytecodeCache()


@dataclass(frozen=True)
class RenderedFunction:
    """A function added to an existing module: files to create, and text to append to module files."""

    created: dict[str, str]
    appended: dict[str, str]


def template_version(template_dir: Path = TEMPLATE_DIR) -> str:
    """The template's version, `_template_version` in its cookiecutter.json."""
    return str(_read_json(template_dir / "cookiecutter.json")["_template_version"])


def render_module(
    module: str,
    function: str,
    signature: Signature,
    *,
    template_dir: Path = TEMPLATE_DIR,
    source: str | None = None,
    translation: str | None = None,
    not_served: str | None = None,
    edition: str = DEFAULT_EDITION,
    extension: str = DEFAULT_EXTENSION,
) -> dict[str, str]:
    """Every file of a new module whose first function is `function`, by workspace-relative path.

    `source` (`package.module:function`, from `new-module --from`) makes that Python function the
    fallback and the reference, and leaves the Rust kernel unwritten, unless `translation` (the Rust
    devtool translated it into) is given: then that is the kernel, written and served, or, with the
    reason it is `not_served` (it disagreed, or was not verified), kept in a comment under the
    unwritten kernel. `edition`: the engine's Rust edition, which rustfmt formats the Rust files for.
    `extension`: the engine's extension module (`Workspace.extension_name`), whose package holds the
    stubs and which the tests import.

    Raises:
        UsageError: a name the template cannot use.
        RenderError: the template is broken (names the template file and the Jinja error).
    """
    kernel = Kernel(source, translation, not_served)
    tree = _render(module, function, signature, template_dir, kernel, edition, extension)
    return {path: text for (part, path), text in tree.items() if part in (_MODULE, _FUNCTION)}


def render_function(
    module: str,
    function: str,
    signature: Signature,
    *,
    template_dir: Path = TEMPLATE_DIR,
    source: str | None = None,
    translation: str | None = None,
    not_served: str | None = None,
    edition: str = DEFAULT_EDITION,
    extension: str = DEFAULT_EXTENSION,
) -> RenderedFunction:
    """The files `function` adds to the existing `module`, and the text it appends to the module's files.

    `source`, `translation`, `not_served`, `edition` and `extension` as for `render_module`.

    Raises:
        UsageError: a name the template cannot use.
        RenderError: the template is broken (names the template file and the Jinja error).
    """
    kernel = Kernel(source, translation, not_served)
    tree = _render(module, function, signature, template_dir, kernel, edition, extension)
    return RenderedFunction(
        created={path: text for (part, path), text in tree.items() if part == _FUNCTION},
        appended={path: text for (part, path), text in tree.items() if part == _APPEND},
    )


@dataclass(frozen=True)
class Kernel:
    """What a function is made from: a Python function (`source`, `package.module:function`) or
    nothing, and the Rust devtool translated it into, with the input it disagreed on if it did."""

    source: str | None = None
    translation: str | None = None
    not_served: str | None = None


def build_context(
    module: str,
    function: str,
    signature: Signature,
    kernel: Kernel = Kernel(),
    extension: str = DEFAULT_EXTENSION,
) -> dict[str, Any]:
    """The cookiecutter `extra_context`: the names, the signature as plain data for Jinja, the source.

    Each of `_sig`'s args has its `default` as a Python expression, or None when it is required.
    `_source` is `{}`, or `{"module": ..., "function": ...}` for a module made `--from` a Python function,
    with `"rust"` (the translated kernel), `"not_served"` (why it is not served, or "")
    and `"examples"` (how many generated inputs its parity test tries) when devtool translated it.
    `_model` holds the values computed for the templates: the Rust file's (`model.rust_function`, of
    the kernel's signature), and under `placeholder`, `python` and `types` the placeholder computation's
    code and expected values (`placeholder.placeholder`, of the kernel's signature), the Python files'
    values (`python_model.python_function`, of the bridge's signature: it expands the frames itself
    where the kernel's arguments are meant) and the type tables. A template whose cookiecutter.json has
    no `_model` key (an old version) ignores it.

    `_sig.args` are the kernel's (`model.kernel_signature`: a `frame[...]` argument expanded into its
    columns); the bridge's parameters, as the signature names them, are `_model.python`'s.
    """
    expanded = kernel_signature(signature)
    first_matrix = expanded.first_matrix
    source = kernel.source
    from_source = source is not None
    source_module, _, source_function = (source or "").rpartition(":")
    made_from: dict[str, Any] = {"module": source_module, "function": source_function} if source else {}
    served: str | None = None
    kept: str | None = None
    if source and kernel.translation is not None:
        made_from |= {"rust": kernel.translation, "not_served": kernel.not_served or ""}
        made_from["examples"] = PARITY_EXAMPLES
        served = None if kernel.not_served else source_function
        kept = kernel.translation if kernel.not_served else None
    return {
        "module": module,
        "function": function,
        "signature": str(signature),
        "extension": extension,
        "_source": made_from,
        "_model": {
            **rust_function(
                expanded,
                function,
                from_source=from_source,
                translated=served,
                kept=kept,
                not_served=kernel.not_served or "",
            ).as_context(),
            "placeholder": placeholder(expanded).as_context(),
            "python": python_function(signature, from_source=from_source).as_context(),
            "types": TYPE_TABLES,
        },
        "_sig": {
            "args": [_arg_context(a) for a in expanded.args],
            "returns": list(signature.returns),
            "returns_tuple": signature.returns_tuple,
            "first_array": expanded.first_array.name,
            "first_param": next(
                a.name for a in signature.args if a.is_frame or a.name == expanded.first_array.name
            ),
            "first_matrix": first_matrix.name if first_matrix else "",
            "array_results": list(expanded.array_results),
            "free_results": list(expanded.free_results),
            "scalar_results": list(expanded.scalar_results),
            "returned_results": list(expanded.returned_results),
        },
    }


def _arg_context(arg: Arg) -> dict[str, Any]:
    return {
        "name": arg.name,
        "type": arg.type,
        "is_array": arg.is_array,
        "is_free": arg.is_free,
        "default": arg.py_default,
        "columns": list(arg.columns),
        "column_args": list(arg.column_args),
    }


def _render(
    module: str,
    function: str,
    signature: Signature,
    template_dir: Path,
    kernel: Kernel,
    edition: str,
    extension: str,
) -> dict[tuple[str, str], str]:
    """Render the whole template into a temporary folder and format it; {(part, relative path): text}."""
    _check_names(module, function, signature)
    extra = build_context(module, function, signature, kernel, extension)
    with tempfile.TemporaryDirectory(prefix="devtool-render-") as out:
        try:
            context = generate_context(str(template_dir / "cookiecutter.json"), extra_context=extra)
            context["cookiecutter"].update(prompt_for_config(context, no_input=True))
            env_vars = context["cookiecutter"].get("_jinja2_env_vars", {})
            context["cookiecutter"]["_jinja2_env_vars"] = {**env_vars, "bytecode_cache": _BYTECODE_CACHE}
            project = Path(generate_files(str(template_dir), context, output_dir=out, accept_hooks=False))
        except OSError:
            raise
        except Exception as err:  # anything a template expression raises (Jinja, 1/0, ...) is a template bug
            raise _render_error(err, template_dir) from err
        return _format_tree(_read_tree(project), edition)


def format_files(files: Mapping[str, str], *, edition: str = DEFAULT_EDITION) -> dict[str, str]:
    """`files` ({relative path: text}) as the formatters write them, in one pass over all of them.

    Rust (`.rs`) through rustfmt for `edition`; Python (`.py`, `.pyi`) through `ruff check --select I
    --fix` (imports sorted), then `ruff format`, with `RUFF_SETTINGS`. Other files are returned as they are.

    Raises:
        RenderError: a formatter is missing or rejects a file (the template rendered broken code).
    """
    formatted = dict(files)
    for path, text in files.items():
        if path.endswith(".rs"):  # through stdin: rustfmt would look for the files of `mod x;` lines
            formatted[path] = _run_formatter(
                path, [_rustfmt(), "--edition", edition, "--emit", "stdout"], text
            )
    python = [path for path in files if path.endswith(_PYTHON_SUFFIXES)]
    if python:
        with tempfile.TemporaryDirectory(prefix="devtool-format-") as tmp:
            root = Path(tmp)
            for path in python:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(files[path], encoding="utf-8")
            for command in (["check", "--select", "I", "--fix"], ["format"]):
                _run_formatter(
                    ", ".join(python), [*_RUFF, *command, "--quiet", *RUFF_SETTINGS, *python], cwd=root
                )
            formatted |= {path: (root / path).read_text(encoding="utf-8") for path in python}
    return formatted


def _rustfmt() -> str:
    rustfmt = shutil.which("rustfmt")
    if rustfmt is None:
        raise RenderError("rustfmt", None, "rustfmt is not installed (rustup component add rustfmt)")
    return rustfmt


def _run_formatter(
    rendered: str, command: list[str], stdin: str | None = None, cwd: Path | None = None
) -> str:
    """The formatter's output; a RenderError naming the rendered files it refused (they do not parse)."""
    result = subprocess.run(command, input=stdin, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = "rustfmt" if command[0].endswith("rustfmt") else f"ruff {command[3]}"
        raise RenderError(rendered, None, f"{tool} refused the rendered code: {result.stderr.strip()}")
    return result.stdout


def _format_tree(tree: dict[tuple[str, str], str], edition: str) -> dict[tuple[str, str], str]:
    """The rendered tree formatted, each appended part as it reads at the end of its formatted module file.

    A module file is its header followed by every function's part; a part alone is no file a formatter
    takes as it stands in the module (the blank lines before it), so it is cut from the formatted module
    file after the formatted header.
    """
    files = {f"{part}/{path}": text for (part, path), text in tree.items()}
    headers: dict[str, str] = {}
    for (part, path), text in tree.items():
        module_text = tree.get((_MODULE, path))
        if part == _APPEND and module_text is not None:
            if not module_text.endswith(text):
                raise RenderError(path, None, "the module file does not end with the part a function appends")
            headers[path] = f"header/{path}"
            files[headers[path]] = module_text[: len(module_text) - len(text)]
    formatted = format_files(files, edition=edition)
    result = {(part, path): formatted[f"{part}/{path}"] for part, path in tree}
    for path, header in headers.items():
        module_text, header_text = formatted[f"{_MODULE}/{path}"], formatted[header]
        if not module_text.startswith(header_text):
            raise RenderError(path, None, "the formatted module file does not start with its header")
        result[(_APPEND, path)] = module_text[len(header_text) :]
    return result


def _check_names(module: str, function: str, signature: Signature) -> None:
    check_identifier(module, "module name")
    check_identifier(function, "function name")
    if function in _RESERVED_FUNCTION_NAMES:
        raise UsageError(f"function name {function!r} would shadow the generated code's {function!r}")
    for arg in signature.args:
        if arg.name == function:
            raise UsageError(f"argument name {arg.name!r} is the function's name; choose another")
        if function in arg.column_args:
            raise UsageError(f"a column of {arg.name!r} is the function's name, {function!r}; choose another")


def _read_tree(project: Path) -> dict[tuple[str, str], str]:
    """The rendered files, without the `__pycache__` folders that pip's byte-compiling of an installed
    wheel leaves in the template (cookiecutter copies them along)."""
    tree: dict[tuple[str, str], str] = {}
    for path in sorted(project.rglob("*")):
        if path.is_file() and "__pycache__" not in path.relative_to(project).parts:
            part, *rest = path.relative_to(project).parts
            tree[(part, "/".join(rest))] = path.read_text(encoding="utf-8")
    return tree


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise RenderError(str(path), None, f"cannot read the template's context: {err}") from err
    return data


def _render_error(err: Exception, template_dir: Path) -> RenderError:
    """The template file (and line) a Jinja or cookiecutter error comes from, and its message."""
    if isinstance(err, ContextDecodingException):
        return RenderError(_shown(template_dir / "cookiecutter.json", template_dir), None, str(err))
    cause: BaseException = err
    message = str(err)
    if isinstance(err, UndefinedVariableInTemplate):
        cause, message = err.error, f"{err.message}: {err.error}"
    if isinstance(cause, TemplateSyntaxError) and cause.filename:
        path = _template_path(cause.filename, template_dir)
        return RenderError(_shown(path, template_dir), cause.lineno, cause.message or message)
    # Jinja rewrites tracebacks so that template frames carry the template's file and line;
    # the innermost one is where the error is.
    for frame, line in reversed(list(traceback.walk_tb(cause.__traceback__))):
        path = _template_path(frame.f_code.co_filename, template_dir)
        if path is not None:
            return RenderError(_shown(path, template_dir), line, message)
    return RenderError(_shown(template_dir, template_dir), None, message)


def _template_path(filename: str, template_dir: Path) -> Path | None:
    """The template file a frame's filename names, or None for Python code outside the template.

    Jinja names templates relative to the folder cookiecutter renders from, the one child of the
    template folder whose name is a Jinja expression.
    """
    root = template_dir.resolve()
    if filename.startswith("<"):  # a file or folder name rendered from a string
        return None
    if Path(filename).is_absolute():
        path = Path(filename).resolve()
    else:
        projects = [p for p in root.iterdir() if p.is_dir() and "{{" in p.name]
        path = ((projects[0] if projects else root) / filename).resolve()
    return path if path.is_relative_to(root) else None


def _shown(path: Path | None, template_dir: Path) -> str:
    """`path` as `template/...` (the template folder's own name first)."""
    root = template_dir.resolve()
    if path is None:
        return root.name
    return (Path(root.name) / path.resolve().relative_to(root)).as_posix()
