"""Turn result dataclasses into the text a person reads or the JSON a script reads. Used by cli.py only."""

from __future__ import annotations

import json
from typing import Any

from ..doctor import DoctorReport
from ..scaffold.crates import AddCrateResult
from ..scaffold.listing import WorkspaceStatus
from ..scaffold.new_module import NewModuleResult
from ..scaffold.remove_module import RemoveModuleResult
from ..scaffold.update_module import UpdateResult
from ..verify import VerifyResult


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, default=str)


def _timings(plan_seconds: float | None, verified: VerifyResult | None) -> dict[str, float]:
    timings = {} if plan_seconds is None else {"plan": round(plan_seconds, 3)}
    if verified is not None:
        timings |= {step.name: round(step.seconds, 2) for step in verified.steps}
    timings["total"] = round(sum(timings.values()), 2)
    return timings


def new_module_json(result: NewModuleResult) -> dict[str, Any]:
    return {
        "ok": True,
        "module": result.module,
        "function": result.function,
        "signature": result.signature,
        "source": result.source,
        "kernel_written": result.kernel_written,
        "kernel": kernel_json(result),
        "added_to_existing": result.added_to_existing,
        "dry_run": result.dry_run,
        "created": result.created,
        "edited": result.edited,
        "stored": result.stored,
        "verified": result.verified is not None,
        "build_profile": None if result.release is None else ("release" if result.release else "debug"),
        "same_source": list(result.same_source),
        "crates": list(result.crates),
        "warnings": new_module_warnings(result),
        "timings": _timings(result.plan_seconds, result.verified),
        "log": str(result.verified.log_path) if result.verified else None,
        "diff": result.diff,
        "recovered": list(result.recovered),
    }


def kernel_json(result: NewModuleResult) -> dict[str, Any]:
    """What became of the kernel: `state` translated (verified, served), refused, not-asked
    (--no-translate), disagreed (not served) or placeholder (not made --from a Python function)."""
    kernel = result.kernel
    return {
        "state": kernel.state,
        "verified": kernel.state == "translated" and result.verified is not None,
        "examples": kernel.examples,
        "refusals": [{"line": r.line, "construct": r.construct, "why": r.why} for r in kernel.refusals],
        "counterexample": kernel.counterexample,
        "notes": list(kernel.notes),
    }


def kernel_lines(result: NewModuleResult) -> list[str]:
    """One line per function on its kernel: translated and verified, not translated (each reason with
    its line), or translated but disagreeing (the counterexample)."""
    kernel, name = result.kernel, f"{result.module}.{result.function}"
    if kernel.state == "translated" and result.verified is not None:
        return [
            f"{name}: translated and verified: the Rust kernel agreed with {result.source} on "
            f"{kernel.examples} generated inputs (hypothesis) and the fixed cases; it is served"
        ]
    if kernel.state == "translated":  # --dry-run
        return [f"{name}: translated; new-module verifies it before it serves it"]
    if kernel.state == "unverified":
        return [
            f"{name}: translated but NOT verified (--no-verify), so not served: the translation is kept, "
            "commented out, at the end of the kernel's .rs file"
        ]
    if kernel.state == "refused":
        return [
            f"{name}: not translated:",
            *(f"  {r if r.line else f'`{r.construct}` {r.why}'}" for r in kernel.refusals),
        ]
    if kernel.state == "disagreed":
        return [
            f"{name}: translated but DISAGREEING with {result.source}, so not served; on this input:",
            f"  {kernel.counterexample}",
            *_assumptions(kernel.notes),
            "  the translation is kept, commented out, at the end of the kernel's .rs file",
        ]
    if kernel.state == "not-asked":
        return [f"{name}: not translated (--no-translate)"]
    return []


def _assumptions(notes: tuple[str, ...]) -> list[str]:
    """The translator's notes under a counterexample: where it knowingly reads Python other than
    literally (`x / y` of a value that is a Python float on one path and a numpy one on another)."""
    if not notes:
        return []
    lines = [f"    {note}" for note in notes]
    return ["  where the translation rests on an assumption (the likely cause):", *lines]


def _recovered_lines(recovered: tuple[str, ...]) -> list[str]:
    """What the run put back first, after an interrupted one (shown before what it did itself)."""
    if not recovered:
        return []
    return ["recovered first from an interrupted devtool run:", *(f"  {item}" for item in recovered), ""]


def new_module_warnings(result: NewModuleResult) -> list[str]:
    """What the user should know beyond what was written: a second kernel of one Python function, and a
    build that re-pointed the environment to this workspace's engine."""
    warnings = build_warnings(result.verified)
    if not result.same_source:
        return warnings
    return [
        f"{result.source} is already the source of {', '.join(result.same_source)}: this is a second "
        "Rust kernel of the same Python function, to write and keep in step. If it was not meant, "
        f"remove it: devtool remove-module {result.module}.{result.function}",
        *warnings,
    ]


def build_warnings(verified: VerifyResult | None) -> list[str]:
    """What a build did beyond the workspace: re-pointed the environment to another workspace's engine."""
    return [verified.repointed] if verified is not None and verified.repointed else []


def _build_profile_line(result: NewModuleResult) -> list[str]:
    if result.release is None or result.release_requested:
        return []
    if result.release:
        return ["built optimised (release), as the extension it replaced was; --release is implied"]
    return [
        "built in DEBUG mode (unoptimised): `devtool bench` refuses it until a release build "
        "(devtool bench --build, or new-module --release)"
    ]


def new_module_text(result: NewModuleResult) -> str:
    recovered = "".join(f"{line}\n" for line in _recovered_lines(result.recovered))
    if result.dry_run:
        head = f"dry run: `new-module {result.module}` would write nothing else than this\n"
        warnings = "".join(f"warning: {w}\n" for w in new_module_warnings(result))
        return recovered + warnings + head + (result.diff or "")
    what = "added function" if result.added_to_existing else "created module"
    lines = [*_recovered_lines(result.recovered), *(f"warning: {w}" for w in new_module_warnings(result))]
    lines.append(f"{what} {result.module}.{result.function}({result.signature})")
    if result.crates:
        lines.append(f"  with the crates {', '.join(result.crates)} (cargo add; recorded as the module's)")
    if result.source is not None:
        lines.append(
            f"  from the Python function {result.source} (the fallback and the parity tests' reference)"
        )
    lines.append("")
    lines += [f"  created  {p}" for p in result.created]
    lines += [f"  edited   {p}" for p in result.edited]
    if result.stored is not None:
        lines.append(f"  stored   {result.stored}/ (the template's render: the base of `update-module`)")
    lines.append("")
    lines.append(f"planned and written in {result.plan_seconds:.2f} s")
    lines += _verify_lines(result.verified, "build and tests skipped (--no-verify): nothing was compiled")
    lines += _build_profile_line(result)
    kernel = f"rust/src/{result.module}/{result.function}.rs"
    if result.source is not None:
        lines += ["", *kernel_lines(result)]
    if not result.kernel_written:
        return "\n".join(lines + _unwritten_kernel_lines(result, kernel))
    if result.kernel.state == "translated":
        return "\n".join(
            [
                *lines,
                "",
                "next steps:",
                f"  1. measure: devtool bench {result.module}.{result.function}",
                f"  2. the kernel is generated Rust you own: {kernel}; after editing it, rerun its parity "
                f"tests (maturin develop, then pytest tests/{result.module}_tests)",
            ]
        )
    lines += [
        "",
        "next steps:",
        f"  1. write the real kernel in {kernel} (the generated body is a placeholder)",
        f"  2. write the same computation in src/rust_bridge/_fallback/{result.module}.py",
        f"  3. rerun the checks: pytest tests/{result.module}_tests",
        f"  4. measure: devtool bench {result.module}.{result.function}",
    ]
    return "\n".join(lines)


def _unwritten_kernel_lines(result: NewModuleResult, kernel: str) -> list[str]:
    tests = f"tests/{result.module}_tests/test_{result.function}.py"
    return [
        "",
        "the Rust kernel is NOT WRITTEN. Until it is:",
        f'  rust_bridge.{result.function} serves {result.source} (backend="auto"),',
        '  backend="rust" raises NotImplementedError,',
        f"  the parity test in {tests} is expected to fail (xfail, strict).",
        "",
        "next steps:",
        f"  1. port the Python function into the kernel in {kernel}, and replace its Rust test",
        "     (unwritten_kernel_refuses_its_input) with tests of the kernel",
        f"  2. set `pub const WRITTEN: bool = true;` in {kernel}",
        f"  3. delete the @pytest.mark.xfail line in {tests}",
        f"  4. rebuild and test: maturin develop, then pytest tests/{result.module}_tests",
        f"  5. measure: devtool bench {result.module}.{result.function}",
        f"     (or pytest benchmarks/test_bench_{result.module}_{result.function}.py --benchmark-only)",
    ]


def _verify_lines(verified: VerifyResult | None, skipped: str) -> list[str]:
    if verified is None:
        return [skipped]
    lines = [f"  {step.name:<11} {step.seconds:6.1f} s  {step.summary}" for step in verified.steps]
    return ["verified:", *lines, f"  full log: {verified.log_path}"]


def _warning_lines(verified: VerifyResult | None) -> list[str]:
    return [f"WARNING: {w}" for w in build_warnings(verified)]


def remove_module_json(result: RemoveModuleResult) -> dict[str, Any]:
    return {
        "ok": True,
        "module": result.module,
        "function": result.function,
        "dry_run": result.dry_run,
        "deleted": result.deleted,
        "edited": result.edited,
        "left_behind": result.left_behind,
        "backup": result.backup,
        "backed_up": result.backed_up or [],
        "sources": result.sources or [],
        "callers": [vars(c) for c in result.callers or []],
        "build_profile": None if result.release is None else ("release" if result.release else "debug"),
        "crates_removed": result.crates_removed or [],
        "verified": result.verified is not None,
        "warnings": build_warnings(result.verified),
        "timings": _timings(None, result.verified),
        "diff": result.diff,
        "recovered": list(result.recovered),
    }


def remove_module_text(result: RemoveModuleResult) -> str:
    recovered = _recovered_lines(result.recovered)
    warnings = _removal_warnings(result)
    if result.dry_run:
        head = f"dry run: `remove-module {result.target}` would do this\n"
        return "".join(f"{line}\n" for line in [*recovered, *warnings]) + head + (result.diff or "")
    what = "function" if result.function else "module"
    lines = [*recovered, f"removed {what} {result.target}", ""]
    lines += [f"  deleted  {p}" for p in result.deleted]
    lines += [f"  edited   {p}" for p in result.edited]
    lines += [f"  kept     {p} (not generated by devtool)" for p in result.left_behind]
    lines += [
        f"  crate    {c} removed from Cargo.toml (no other module needs it)"
        for c in result.crates_removed or []
    ]
    lines += _verify_lines(result.verified, "build skipped (--no-verify)")
    if result.release is not None:
        lines.append(f"rebuilt {'optimised (release)' if result.release else 'in DEBUG mode'}")
    lines += _warning_lines(result.verified)
    return "\n".join([*lines, *(["", *warnings] if warnings else [])])


def _removal_warnings(result: RemoveModuleResult) -> list[str]:
    """Where the hand-edited files were copied, and what still uses the removed functions."""
    lines = []
    if result.backup:
        done = "would be copied" if result.dry_run else "copied"
        lines.append(f"your edits: files that differ from what was generated, {done} to {result.backup}/:")
        lines += [f"  {p}" for p in result.backed_up or []]
    if result.sources:
        lines.append("made --from these Python functions (code moved to rust_bridge must go back to them):")
        lines += [f"  {s}" for s in result.sources]
    if result.callers:
        lines.append(f"warning: Python code in {result.project} still uses the removed functions:")
        lines += [f"  {c.describe()}" for c in result.callers]
    return lines


def status_json(status: WorkspaceStatus) -> dict[str, Any]:
    return {
        "workspace": str(status.root),
        "extension": {
            "importable": status.extension_importable,
            "built_here": status.built_here,
            "file": status.extension_file,
            "error": status.extension_error,
        },
        "warnings": list(status.warnings),
        "modules": [
            {
                "name": m.name,
                "generated": m.generated,
                "template_version": m.template_version,
                "behind": m.behind,
                "needs_attention": m.needs_attention,
                "compiled": m.compiled,
                "crates": m.crates,
                "functions": [{**vars(f), "kernel": f.kernel} for f in m.functions],
            }
            for m in status.modules
        ],
    }


def status_text(status: WorkspaceStatus) -> str:
    if status.extension_importable:
        where = "this workspace" if status.built_here else f"elsewhere: {status.extension_file}"
        ext = f"extension: built and importable ({where})"
    else:
        ext = f"extension: NOT importable ({status.extension_error}); run `maturin develop` in the engine"
    lines = [f"workspace: {status.root}", ext, ""]
    if status.warnings:
        lines += [f"WARNING: {w}" for w in status.warnings] + [""]
    mark = {True: "yes", False: "-"}
    header = (
        f"  {'function':<28} {'rust':<5} {'fallback':<9} {'tests':<6} {'bench':<6} {'kernel':<10} signature"
    )
    for module in status.modules:
        origin = f"template v{module.template_version}" if module.generated else "hand-written"
        if module.behind:
            origin += ", behind the template: devtool update-module " + module.name
        if module.needs_attention:
            origin += ", NEEDS ATTENTION: resolve the conflict markers"
        unwritten = [f.name for f in module.functions if f.kernel_written is False]
        if unwritten:
            origin += f", kernel not written yet: {', '.join(unwritten)} (the Python function is served)"
        translated = [f.name for f in module.functions if f.translation == "served"]
        if translated:
            origin += f", translated by devtool: {', '.join(translated)}"
        lines.append(f"{module.name} ({origin}{'' if module.compiled else ', not compiled'})")
        if module.crates:
            lines.append("  crates: " + ", ".join(f"{n} {req}" for n, req in module.crates.items()))
        lines.append(header)
        for f in module.functions:
            lines.append(
                f"  {f.name:<28} {mark[f.compiled]:<5} {mark[f.fallback]:<9} {mark[f.tests]:<6} "
                f"{mark[f.benchmark]:<6} {f.kernel:<10} {f.signature or ''}"
            )
            if f.source:
                lines.append(f"  {'':<28} from {f.source}")
        lines.append("")
    return "\n".join(lines).rstrip()


def update_json(result: UpdateResult) -> dict[str, Any]:
    return {
        "ok": not result.conflicted,
        "dry_run": result.dry_run,
        "current": result.current,
        "stored": result.stored,
        "markers_written": result.markers_written,
        "resolved": result.resolved,
        "unresolved": result.unresolved,
        "recovered": list(result.recovered),
        "modules": [
            {
                "module": u.module,
                "from_version": u.from_version,
                "to_version": u.to_version,
                "merged": u.merged,
                "created": u.created,
                "deleted": u.deleted,
                "kept": u.kept,
                "base_from_current": u.base_from_current,
                "conflicts": [{"path": c.path, "lines": [list(r) for r in c.lines]} for c in u.conflicts],
            }
            for u in result.updates
        ],
        "verified": result.verified is not None,
        "warnings": build_warnings(result.verified),
        "timings": _timings(None, result.verified),
        "diff": result.diff,
    }


def update_text(result: UpdateResult) -> str:
    lines = _recovered_lines(result.recovered)
    if result.dry_run:
        lines.append("dry run: nothing written")
    for name in result.current:
        lines.append(f"{name}: already at the current template")
    for name in result.stored:
        done = "would be stored" if result.dry_run else "stored"
        lines.append(f"{name}: its template render {done} as the base of later updates")
    for name, files in result.unresolved.items():
        lines.append(f"{name}: NEEDS ATTENTION: conflict markers left in {', '.join(files)}")
    for name in result.resolved:
        done = "would be cleared" if result.dry_run else "cleared"
        lines.append(f"{name}: conflict markers resolved; its NEEDS ATTENTION flag {done}")
    for u in result.updates:
        lines.append(f"{u.module}: template {u.from_version} -> {u.to_version}")
        if u.base_from_current:
            lines.append(
                f"  base     template {u.to_version} (--base-from-current): your files are kept as they are; "
                f"the template's changes since {u.from_version} are not merged"
            )
        lines += [f"  merged   {p}" for p in u.merged]
        lines += [f"  created  {p}" for p in u.created]
        lines += [f"  deleted  {p}" for p in u.deleted]
        lines += [f"  kept     {p} (changed or deleted by hand)" for p in u.kept]
        for c in u.conflicts:
            ranges = ", ".join(f"{a}-{b}" for a, b in c.lines)
            lines.append(f"  CONFLICT {c.path}: lines {ranges}")
    if result.markers_written:
        lines.append(
            "conflict markers written (the update was not verified): resolve them, then run "
            "`devtool update-module` to clear the NEEDS ATTENTION flag and verify"
        )
    elif result.dry_run and any(u.conflicts for u in result.updates):
        lines.append("conflicts found: this update cannot go through cleanly (see CONFLICT above)")
    if result.diff:
        lines.append(result.diff)
    if not result.dry_run and not result.markers_written:
        lines += _verify_lines(result.verified, "build and tests skipped")
        lines += _warning_lines(result.verified)
    return "\n".join(lines)


def add_crate_json(result: AddCrateResult) -> dict[str, Any]:
    return {
        "ok": True,
        "module": result.module,
        "crates": result.crates,
        "added": result.added,
        "requirements": result.requirements,
        "edited": result.edited,
        "dry_run": result.dry_run,
        "build_profile": None if result.release is None else ("release" if result.release else "debug"),
        "verified": result.verified is not None,
        "warnings": build_warnings(result.verified),
        "timings": _timings(None, result.verified),
        "log": str(result.verified.log_path) if result.verified else None,
        "diff": result.diff,
        "recovered": list(result.recovered),
    }


def add_crate_text(result: AddCrateResult) -> str:
    lines = _recovered_lines(result.recovered)
    if result.dry_run:
        lines.append(f"dry run: `add-crate {result.module}` would change this")
        return "\n".join(lines) + "\n" + (result.diff or "")
    for name, requirement in result.requirements.items():
        how = "added to Cargo.toml" if name in result.added else "already in Cargo.toml"
        lines.append(f"{result.module} needs {name} = {requirement!r} ({how})")
    lines += [f"  edited   {p}" for p in result.edited]
    lines += _verify_lines(result.verified, "build and tests skipped (--no-verify)")
    lines += _warning_lines(result.verified)
    return "\n".join(lines)


def doctor_json(result: DoctorReport) -> dict[str, Any]:
    return {
        "ok": not result.failed,
        "workspace": str(result.workspace) if result.workspace else None,
        "checks": [vars(c) for c in result.checks],
    }


def doctor_text(result: DoctorReport) -> str:
    width = max(len(c.name) for c in result.checks)
    lines = []
    for check in result.checks:
        mark = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}[check.status]
        lines.append(f"{mark}  {check.name:<{width}}  {check.detail}")
        if check.fix and check.status != "ok":
            lines.append(f"      {'':<{width}}  fix: {check.fix}")
    failed = sum(c.status == "fail" for c in result.checks)
    warned = sum(c.status == "warn" for c in result.checks)
    lines += ["", f"{failed} failed, {warned} warnings, {len(result.checks) - failed - warned} ok"]
    return "\n".join(lines)
