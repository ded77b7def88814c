"""What `devtool profile` runs: a script, a module, a module:function call or a pytest node id.

`parse_target` reads the user's words into a `Target`; `prepare` imports what the target needs and
builds one `Invocation`; `run` calls it through a runner (the profiler's `runcall` in-process, or
`enter_target` in the py-spy child) and turns an exception or a failing exit into a `TargetFailure`.
"""

from __future__ import annotations

import contextlib
import cProfile
import difflib
import importlib
import importlib.util
import os
import re
import runpy
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, Literal, NoReturn

from .errors import (
    TargetImportError,
    TargetNotFound,
    TargetSetupError,
    TargetSyntaxError,
)

TargetKind = Literal["script", "module", "call", "pytest"]
FailureKind = Literal["exception", "exit", "pytest", "interrupted"]
Runner = Callable[..., object]

_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_CALL = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<function>[A-Za-z_][\w.]*)$")


@dataclass(frozen=True)
class Target:
    """One thing to profile; every field is plain data so the py-spy child can receive it as JSON."""

    kind: TargetKind
    spec: str  # as the user wrote it
    argv: tuple[str, ...] = ()  # the words after `--`
    path: str | None = None  # script, or the test file of a node id (absolute)
    module: str | None = None  # -m module, or the module of module:function
    function: str | None = None  # module:function (a dotted qualname such as Class.method works too)
    setup: str | None = None  # Python statements run (unprofiled) before the call
    call_args: str | None = None  # the text between the parentheses of the call
    repeat: int = 1  # how many times the call is made

    @property
    def label(self) -> str:
        """A short name for reports and default file names."""
        if self.kind == "script" and self.path:
            return Path(self.path).stem
        if self.kind == "pytest":
            file_part, _, rest = self.spec.partition("::")
            return rest.split("::")[-1].split("[")[0] or Path(file_part).stem
        if self.kind == "call" and self.function:
            return self.function.replace(".", "-")
        return (self.module or self.spec).replace(".", "-")


@dataclass(frozen=True)
class TargetFailure:
    """How the target failed: the exception (with its traceback), a non-zero exit, or failing tests."""

    kind: FailureKind
    message: str
    traceback: str
    exit_code: int | None = None


@dataclass(frozen=True)
class Invocation:
    """The one call that runs the target, with the sys.argv and sys.path[0] it expects."""

    kind: TargetKind
    func: Callable[..., object]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    argv: tuple[str, ...] = ()
    path0: str = ""
    repeat: int = 1


def parse_target(
    spec: str,
    *,
    cwd: Path,
    argv: tuple[str, ...] = (),
    as_module: bool = False,
    as_pytest: bool = False,
    setup: str | None = None,
    call_args: str | None = None,
    repeat: int = 1,
) -> Target:
    """Read the user's target words into a Target.

    Raises:
        TargetSyntaxError: the words name no kind of target, or options do not fit the kind.
        TargetNotFound: a script or test file that does not exist.
    """
    spec = spec.strip()
    if not spec:
        raise TargetSyntaxError("no target: give a script, -m MODULE, MODULE:FUNCTION or a pytest node id")
    if as_module and as_pytest:
        raise TargetSyntaxError("-m and --pytest exclude each other")
    if repeat < 1:
        raise TargetSyntaxError(f"--repeat must be at least 1, got {repeat}")
    kind = _kind_of(spec, cwd, as_module=as_module, as_pytest=as_pytest)
    if kind != "call" and (setup is not None or call_args is not None or repeat != 1):
        raise TargetSyntaxError("--setup, --call-args and --repeat apply to a MODULE:FUNCTION target only")
    if kind == "call":
        match = _CALL.match(spec)
        assert match is not None  # _kind_of said so
        _compile_user_code(setup, "exec", "--setup")
        _compile_user_code(call_args, "eval", "--call-args")
        return Target(kind, spec, argv, None, match["module"], match["function"], setup, call_args, repeat)
    if kind == "module":
        return Target(kind, spec, argv, module=spec)
    if kind == "pytest":
        path = _existing(cwd / spec.partition("::")[0], spec, what="test file")
        return Target(kind, spec, argv, path=str(path))
    path = _existing(cwd / spec, spec, what="script")
    if path.is_dir():
        raise TargetSyntaxError(
            f"{spec} is a directory: name a script in it, or add --pytest to run its tests"
        )
    return Target(kind, spec, argv, path=str(path))


def _kind_of(spec: str, cwd: Path, *, as_module: bool, as_pytest: bool) -> TargetKind:
    if as_module:
        if not _MODULE.match(spec):
            raise TargetSyntaxError(f"-m {spec}: not a dotted module name (like package.module)")
        return "module"
    if as_pytest or "::" in spec:
        return "pytest"
    if _CALL.match(spec) and not (cwd / spec).exists():
        return "call"
    if spec.endswith(".py") or "/" in spec or (cwd / spec).exists():
        return "script"
    if _MODULE.match(spec):
        raise TargetSyntaxError(
            f"{spec} looks like a module: run it with `-m {spec}`, or call one of its functions "
            f"as `{spec}:FUNCTION`"
        )
    raise TargetSyntaxError(
        f"cannot tell what {spec!r} is: give a script (path/to/script.py), -m package.module, "
        "package.module:function, or a pytest node id (tests/test_x.py::test_y)"
    )


def _existing(path: Path, spec: str, *, what: str) -> Path:
    if not path.exists():
        raise TargetNotFound(f"{what} not found: {spec} (looked for {path})")
    return path.resolve()


def _compile_user_code(source: str | None, mode: Literal["exec", "eval"], option: str) -> CodeType | None:
    if source is None:
        return None
    text = f"_collect(\n{source}\n)" if mode == "eval" else source
    try:
        return compile(text, f"<{option}>", mode)
    except SyntaxError as err:
        raise TargetSyntaxError(f"{option} is not valid Python: {err.msg} in {source!r}") from err


def prepare(target: Target, cwd: Path) -> Invocation:
    """Import what the target needs and build the call that runs it (nothing is profiled yet).

    Raises:
        TargetImportError: the module or function does not import (or pytest is missing).
        TargetSetupError: `--setup` or `--call-args` raised.
    """
    if target.kind == "script":
        assert target.path is not None
        script = Path(target.path)
        return Invocation(
            "script",
            runpy.run_path,
            (str(script),),
            {"run_name": "__main__"},
            (str(script), *target.argv),
            str(script.parent),
        )
    if target.kind == "module":
        assert target.module is not None
        with _sys_state((target.module,), str(cwd)):
            _find_module(target.module)
        return Invocation(
            "module",
            runpy.run_module,
            (target.module,),
            {"run_name": "__main__", "alter_sys": True},
            (target.module, *target.argv),
            str(cwd),
        )
    if target.kind == "pytest":
        assert target.path is not None
        pytest = _import_pytest()
        _, sep, rest = target.spec.partition("::")
        node_id = f"{target.path}{sep}{rest}"  # absolute, so it does not depend on the process's directory
        return Invocation("pytest", pytest.main, ([node_id, *target.argv],), {}, ("pytest",), str(cwd))
    return _prepare_call(target, cwd)


def _find_module(name: str) -> None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError) as err:
        raise TargetImportError(f"module {name} does not import: {err}") from err
    if spec is None:
        raise TargetImportError(
            f"no module named {name!r} (looked in the current directory and site-packages)"
        )


def _import_pytest() -> ModuleType:
    try:
        return importlib.import_module("pytest")
    except ImportError as err:
        raise TargetImportError("a pytest node id needs pytest: pip install pytest") from err


def _prepare_call(target: Target, cwd: Path) -> Invocation:
    assert target.module is not None and target.function is not None
    with _sys_state((target.module,), str(cwd)):
        module = _import_module(target.module)
        func = _lookup(module, target.function)
        namespace: dict[str, Any] = dict(vars(module))
        args, kwargs = _build_arguments(target, namespace)
    return Invocation("call", func, args, kwargs, (target.module,), str(cwd), target.repeat)


def _import_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise TargetImportError(f"module {name} does not import: {err}") from err
    except Exception as err:  # the module's own code raised while importing
        raise TargetImportError(
            f"module {name} raised while importing:\n{_format_exception(err).rstrip()}"
        ) from err


def _lookup(module: ModuleType, qualname: str) -> Callable[..., object]:
    obj: object = module
    for part in qualname.split("."):
        if not hasattr(obj, part):
            names = [n for n in dir(obj) if not n.startswith("_")]
            close = difflib.get_close_matches(part, names, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise TargetImportError(f"{module.__name__} has no function {qualname!r}{hint}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise TargetImportError(f"{module.__name__}:{qualname} is a {type(obj).__name__}, not a function")
    return obj


def _build_arguments(target: Target, namespace: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    setup = _compile_user_code(target.setup, "exec", "--setup")
    call_args = _compile_user_code(target.call_args, "eval", "--call-args")
    option = "--setup"
    try:
        if setup is not None:
            exec(setup, namespace)
        option = "--call-args"
        if call_args is None:
            return (), {}
        namespace["_collect"] = lambda *a, **k: (a, k)
        collected: tuple[tuple[Any, ...], dict[str, Any]] = eval(call_args, namespace)
        return collected
    except Exception as err:
        raise TargetSetupError(f"{option} raised:\n{_format_exception(err).rstrip()}") from err


def run(invocation: Invocation, runner: Runner) -> TargetFailure | None:
    """Run the target through `runner(func, *args, **kwargs)`; None when it succeeded.

    Only this process reports: a child the target forked that returns here instead of exiting
    ends now, with its own exit code, rather than going on to print a second report.
    """
    parent = os.getpid()
    failure = _run(invocation, runner, parent)
    if os.getpid() != parent:
        _end_forked_child(failure)
    return failure


def _run(invocation: Invocation, runner: Runner, parent: int) -> TargetFailure | None:
    with _sys_state(invocation.argv, invocation.path0), _os_exit_raises(parent):
        try:
            for _ in range(invocation.repeat):
                result = runner(invocation.func, *invocation.args, **invocation.kwargs)
        except SystemExit as err:
            return _exit_failure(err)
        except _OsExit as err:
            code = err.code
            return (
                None if code == 0 else TargetFailure("exit", f"the target called os._exit({code})", "", code)
            )
        except KeyboardInterrupt as err:
            return TargetFailure("interrupted", "interrupted (Ctrl-C)", _format_exception(err), 130)
        except BaseException as err:
            return TargetFailure("exception", _one_line(err), _format_exception(err))
    if invocation.kind == "pytest" and isinstance(result, int) and result != 0:
        return _pytest_failure(result)
    return None


class _OsExit(BaseException):
    """`os._exit(code)` called by the target in devtool's own process (not a `except Exception`)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


_REAL_OS_EXIT = os._exit


@contextmanager
def _os_exit_raises(parent: int) -> Iterator[None]:
    """While the target runs, `os._exit` in this process raises `_OsExit` instead of ending devtool.

    Otherwise a target's `os._exit(4)` would end devtool with 4, an exit code that means "build failed".
    In a forked child it still exits at once, as the target expects.
    """

    def exit_or_raise(status: int) -> NoReturn:
        if os.getpid() != parent:
            _REAL_OS_EXIT(status)
        raise _OsExit(status)

    os._exit = exit_or_raise
    try:
        yield
    finally:
        os._exit = _REAL_OS_EXIT


def _end_forked_child(failure: TargetFailure | None) -> NoReturn:
    code = 0 if failure is None else (failure.exit_code or 1)
    if failure is not None and failure.traceback:
        sys.stderr.write(failure.traceback)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    _REAL_OS_EXIT(code)


def enter_target(func: Callable[..., object], *args: Any, **kwargs: Any) -> object:
    """Call the target; the py-spy child runs through here so its stacks can be cut at this frame."""
    return func(*args, **kwargs)


def _exit_failure(err: SystemExit) -> TargetFailure | None:
    code = err.code
    if code is None or code == 0:
        return None
    if isinstance(code, int):
        return TargetFailure("exit", f"the target exited with code {code}", "", code)
    return TargetFailure("exit", f"the target exited: {code}", "", 1)


def _pytest_failure(code: int) -> TargetFailure:
    meaning = {1: "tests failed", 2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests ran"}
    return TargetFailure(
        "pytest", f"pytest exited with code {code} ({meaning.get(code, 'failed')})", "", code
    )


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _format_exception(err: BaseException) -> str:
    """The traceback as Python prints it, without devtool's and runpy's frames in front."""
    exc = traceback.TracebackException.from_exception(err)
    frames = list(exc.stack)
    skip = {
        __file__,
        runpy.__file__,
        cProfile.__file__,
        "<frozen runpy>",
        str(Path(__file__).with_name("child.py")),
    }
    while frames and (frames[0].filename in skip or "importlib" in frames[0].filename):
        frames.pop(0)
    exc.stack = traceback.StackSummary.from_list(frames)
    return "".join(exc.format())


@contextmanager
def _sys_state(argv: tuple[str, ...], path0: str) -> Iterator[None]:
    """sys.argv and sys.path[0] as `python script.py ARGS` or `python -m module ARGS` would set them.

    The working directory is restored after as well: a script that changes it (`os.chdir(DATA)` to read
    its CSVs) must not move where the profile, the flame graph and the command checks are written.
    """
    saved_argv, saved_path, saved_cwd = list(sys.argv), list(sys.path), os.getcwd()
    sys.argv[:] = list(argv)
    sys.path.insert(0, path0)
    try:
        yield
    finally:
        sys.argv[:] = saved_argv
        sys.path[:] = saved_path
        os.chdir(saved_cwd)
