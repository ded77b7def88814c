"""A first pass that lists every construct outside the subset at once, each with its line and why."""

from __future__ import annotations

import ast

from .calls import LIBRARIES, NUMPY_FUNCTIONS, numpy_refusal
from .lower import SLICE_REFUSAL
from .model import Refusal
from .scope import shown
from .unit import Unit

FORBIDDEN: dict[type, str] = {
    ast.Try: "catches exceptions (`try`): not translated; the kernel raises what Python raises",
    ast.With: "uses `with` (a context manager): not translatable",
    ast.ClassDef: "defines a class: not translatable",
    ast.FunctionDef: "defines a nested function: not translated; move it to the top of the file",
    ast.Lambda: "is a lambda: not translated",
    ast.ListComp: "is a list comprehension: write the loop with `append`",
    ast.SetComp: "is a set comprehension: sets are not translated",
    ast.DictComp: "is a dict comprehension: dicts are not translated",
    ast.GeneratorExp: "is a generator expression: write the loop",
    ast.Dict: "is a dict: dicts are not translated",
    ast.Set: "is a set: sets are not translated",
    ast.JoinedStr: "is an f-string: strings are not translated",
    ast.Yield: "yields (a generator): not translatable",
    ast.YieldFrom: "yields (a generator): not translatable",
    ast.Await: "awaits: not translatable",
    ast.Global: "declares a global (a global that changes): not translatable",
    ast.Nonlocal: "declares a nonlocal: not translatable",
    ast.Raise: "raises an exception: not translated yet",
    ast.Assert: "asserts: not translated",
    ast.Import: "imports inside the function: not translated",
    ast.ImportFrom: "imports inside the function: not translated",
    ast.Delete: "deletes a name: not translated",
    ast.Slice: SLICE_REFUSAL,
    ast.Starred: "unpacks with `*`: not translated",
    ast.NamedExpr: "uses `:=`: not translated",
    ast.Match: "uses `match`: not translated",
}


def scan(unit: Unit, function: str) -> list[Refusal]:
    """Refusals for `function` and the same-file functions it calls (each function once)."""
    found: list[Refusal] = []
    seen: set[str] = set()
    todo = [function]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        fn = unit.functions[name]
        _scan_function(unit, fn, found)
        for node in ast.walk(fn):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and unit.is_function(node.func.id)
            ):
                if node.func.id == function or node.func.id == name:
                    found.append(
                        Refusal(node.lineno, shown(node), "calls a function recursively: not translated")
                    )
                else:
                    todo.append(node.func.id)
    return sorted(set(found), key=lambda r: (r.line, r.construct))


def _scan_function(unit: Unit, fn: ast.FunctionDef, found: list[Refusal]) -> None:
    if fn.decorator_list:
        found.append(
            Refusal(fn.lineno, f"@{shown(fn.decorator_list[0])}", "decorates the function: not translated")
        )
    if fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs:
        found.append(Refusal(fn.lineno, f"def {fn.name}", "takes *args, **kwargs or keyword-only parameters"))
    libraries = _library_values(fn)
    body = (
        fn.body[1:]
        if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value, ast.Constant)
        else fn.body
    )
    for stmt in body:
        for node in ast.walk(stmt):
            why = FORBIDDEN.get(type(node))
            if why is not None:
                found.append(Refusal(getattr(node, "lineno", fn.lineno), _construct(node, unit), why))
            elif isinstance(node, ast.Call):
                _scan_call(node, found, libraries)
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str | bytes)
                and not _is_float_string(node, stmt)
                and not (isinstance(stmt, ast.Expr) and stmt.value is node)
            ):
                found.append(Refusal(node.lineno, shown(node), "is a string: strings are not translated"))


def _construct(node: ast.AST, unit: Unit) -> str:
    if isinstance(node, ast.stmt) and not isinstance(node, ast.Expr):
        return unit.lines[node.lineno - 1].strip()[:60]
    return shown(node)


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _library_values(fn: ast.FunctionDef) -> dict[str, str]:
    """Locals holding another library's objects (`df = pd.DataFrame(...)`, then `means = df.mean()`)."""
    found: dict[str, str] = {}
    for _ in range(3):
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and isinstance(
                node.value, ast.Call | ast.Attribute | ast.Subscript
            ):
                root = _root(node.value)
                name = root.id if isinstance(root, ast.Name) else ""
                library = LIBRARIES.get(name) or found.get(name)
                for target in node.targets:
                    if library and isinstance(target, ast.Name):
                        found[target.id] = library
    return found


def _scan_call(node: ast.Call, found: list[Refusal], libraries: dict[str, str]) -> None:
    func = node.func
    if not isinstance(func, ast.Attribute) or isinstance(func.value, ast.Call):
        return  # a chained call `a.b(...).c(...)` is reported once, at its first call
    root = _root(func)
    library = (LIBRARIES.get(root.id) or libraries.get(root.id)) if isinstance(root, ast.Name) else None
    if library:
        found.append(
            Refusal(
                node.lineno,
                f"{ast.unparse(func)}(...)",
                f"calls {library}: not translatable; write this part by hand",
            )
        )
    elif isinstance(root, ast.Name) and root.id in ("np", "numpy") and isinstance(func.value, ast.Name):
        if func.attr not in NUMPY_FUNCTIONS:  # the whole call, as the translator would show it
            found.append(Refusal(node.lineno, shown(node), numpy_refusal(func.attr)))
    elif (root is func.value and isinstance(root, ast.Name) and root.id == "math") or (
        func.attr in ("append", "copy") and isinstance(func.value, ast.Name)
    ):
        return  # math's functions, a list's append and an array's copy: the translator judges them
    elif isinstance(root, ast.Name) and root.id != "math":
        found.append(
            Refusal(
                node.lineno,
                f"{ast.unparse(func)}(...)",
                f"calls the method `{func.attr}` of `{root.id}`: methods are not translated (of an array, "
                "only `x.copy()`); write the loop, or this part by hand",
            )
        )
    else:
        found.append(
            Refusal(
                node.lineno,
                f"{ast.unparse(func)}(...)",
                "calls a method: not translated; write the loop, or this part by hand",
            )
        )


def _is_float_string(node: ast.Constant, stmt: ast.stmt) -> bool:
    for parent in ast.walk(stmt):
        if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id == "float":
            return node in parent.args
        if isinstance(parent, ast.keyword) and parent.arg == "dtype" and parent.value is node:
            return True
    return False
