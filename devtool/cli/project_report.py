"""`devtool init` and `devtool build` results as text or JSON; used by the cli only."""

from __future__ import annotations

from typing import Any

from ..build import BuildResult
from ..init.project import InitResult
from .report import _recovered_lines, _timings, _verify_lines


def init_json(result: InitResult) -> dict[str, Any]:
    return {
        "ok": True,
        "dry_run": result.dry_run,
        "project": str(result.project),
        "engine": str(result.engine),
        "name": result.name,
        "created": result.created,
        "edited": result.edited,
        "verified": result.verified is not None,
        "timings_seconds": _timings(None, result.verified),
        "toolchain": result.toolchain,
        "log": str(result.verified.log_path) if result.verified else None,
        "diff": result.diff,
        "recovered": list(result.recovered),
    }


def init_text(result: InitResult) -> str:
    recovered = _recovered_lines(result.recovered)
    if result.dry_run:
        head = (
            f"dry run: `init` would make the engine {result.name} in {result.engine} and write nothing else\n"
        )
        return "".join(f"{line}\n" for line in recovered) + head + (result.diff or "")
    lines = [*recovered, f"made the engine {result.name} in {result.engine}", ""]
    lines += [f"  created  {p}" for p in result.created]
    lines += [f"  edited   {p}" for p in result.edited]
    lines.append("")
    lines += _verify_lines(result.verified, "build and tests skipped (--no-verify): nothing was compiled")
    lines += [
        "",
        "next steps:",
        f"  1. add a module: cd {result.project} && devtool new-module <name> --signature '...'",
        "     (or --from FILE:FUNCTION to start from a Python function)",
        "  2. build the wheel you deploy, tested as installed: devtool build",
    ]
    return "\n".join(lines)


def build_json(result: BuildResult) -> dict[str, Any]:
    return {
        "ok": True,
        "wheel": str(result.wheel),
        "size_bytes": result.size,
        "platform_tag": result.platform_tag,
        "sdist": str(result.sdist) if result.sdist else None,
        "tested_from": result.imported_from,
        "timings_seconds": _timings(None, result.verified),
        "log": str(result.verified.log_path),
    }


def build_text(result: BuildResult) -> str:
    lines = [
        f"wheel     {result.wheel}",
        f"size      {result.size / 1e6:.2f} MB ({result.size} bytes)",
        f"platform  {result.platform_tag}",
    ]
    if result.sdist is not None:
        lines.append(f"sdist     {result.sdist}")
    lines += ["", f"tested as installed in a throwaway virtualenv ({result.imported_from}):"]
    lines += _verify_lines(result.verified, "")[1:]
    return "\n".join(lines)
