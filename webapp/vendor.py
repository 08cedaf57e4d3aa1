"""Copy the front-end libraries the pages need from ``node_modules/`` into ``webapp/static/vendor/``.

The government intranets this system runs on have no internet access, so every script, style sheet
and font is served by the application itself; nothing is ever loaded from a CDN. ``npm ci``
installs the exact versions pinned in ``package-lock.json``; this module then copies the few
files the browser needs (``webapp/static/vendor/`` is generated, not committed).

Run it as ``python -m webapp.vendor`` (the Makefile does, right after ``npm ci``). Running it again
is harmless: unchanged files are left alone and files no longer listed are removed from the
directories this module manages.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Package:
    """One npm package and the files (relative to its directory) to copy into ``vendor/<dest>/``."""

    name: str
    dest: str
    files: tuple[tuple[str, str], ...]  # (source inside the package, target inside vendor/<dest>)


# Paths keep bpmn-js's own dist/ layout below vendor/bpmn-js/ so the relative url('../font/...')
# references inside bpmn.css keep working without rewriting the CSS.
PACKAGES: tuple[Package, ...] = (
    Package(
        name="bpmn-js",
        dest="bpmn-js",
        files=(
            ("dist/bpmn-navigated-viewer.production.min.js", "bpmn-navigated-viewer.production.min.js"),
            ("dist/assets/diagram-js.css", "assets/diagram-js.css"),
            ("dist/assets/bpmn-js.css", "assets/bpmn-js.css"),
            ("dist/assets/bpmn-font/css/bpmn.css", "assets/bpmn-font/css/bpmn.css"),
            ("dist/assets/bpmn-font/font/bpmn.eot", "assets/bpmn-font/font/bpmn.eot"),
            ("dist/assets/bpmn-font/font/bpmn.woff2", "assets/bpmn-font/font/bpmn.woff2"),
            ("dist/assets/bpmn-font/font/bpmn.woff", "assets/bpmn-font/font/bpmn.woff"),
            ("dist/assets/bpmn-font/font/bpmn.ttf", "assets/bpmn-font/font/bpmn.ttf"),
            ("dist/assets/bpmn-font/font/bpmn.svg", "assets/bpmn-font/font/bpmn.svg"),
            # The MIT licence (with its watermark clause) travels with the code we serve.
            ("LICENSE", "LICENSE"),
        ),
    ),
    # The occupation picker (searchable select over code, name and aliases; webapp/static/js/occupation-picker.js).
    Package(
        name="tom-select",
        dest="tom-select",
        files=(
            ("dist/js/tom-select.complete.min.js", "tom-select.complete.min.js"),
            ("dist/css/tom-select.min.css", "tom-select.min.css"),
            ("LICENSE", "LICENSE"),
        ),
    ),
)


class VendorError(Exception):
    """A problem the person running the command must fix; the message is bilingual."""


def _pinned_version(root: Path, name: str) -> str | None:
    """Return the version of ``name`` recorded in package-lock.json, or None if unavailable."""
    lock = root / "package-lock.json"
    if not lock.is_file():
        return None
    data = json.loads(lock.read_text(encoding="utf-8"))
    entry = data.get("packages", {}).get(f"node_modules/{name}", {})
    version = entry.get("version")
    return version if isinstance(version, str) else None


def _installed_version(package_dir: Path) -> str:
    data = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    return str(data.get("version", "?"))


def copy_vendor_files(root: Path = ROOT, vendor_dir: Path | None = None) -> list[Path]:
    """Copy every listed file into the vendor directory; return the files that changed.

    Raises VendorError when node_modules is missing, a package is missing or at a version
    other than the one pinned in package-lock.json, or a listed file does not exist.
    """
    node_modules = root / "node_modules"
    vendor_dir = vendor_dir if vendor_dir is not None else root / "webapp" / "static" / "vendor"
    if not node_modules.is_dir():
        raise VendorError(
            f"未找到 {node_modules}：请先运行 npm ci（在项目根目录执行 `npm ci --no-audit --no-fund`）。\n"
            f"node_modules not found at {node_modules}: run `npm ci` first."
        )

    changed: list[Path] = []
    for package in PACKAGES:
        package_dir = node_modules / package.name
        if not (package_dir / "package.json").is_file():
            raise VendorError(
                f"node_modules 中缺少 {package.name}：请先运行 npm ci。\n"
                f"{package.name} is missing from node_modules: run `npm ci` first."
            )
        pinned = _pinned_version(root, package.name)
        installed = _installed_version(package_dir)
        if pinned is not None and installed != pinned:
            raise VendorError(
                f"node_modules 中的 {package.name} 版本为 {installed}，与 package-lock.json 锁定的 {pinned} "
                f"不一致：请重新运行 npm ci。\n"
                f"{package.name} {installed} is installed but package-lock.json pins {pinned}: run `npm ci`."
            )

        target_root = vendor_dir / package.dest
        wanted: set[Path] = set()
        for source_rel, target_rel in package.files:
            source = package_dir / source_rel
            target = target_root / target_rel
            wanted.add(target)
            if not source.is_file():
                raise VendorError(
                    f"{package.name} {installed} 中找不到文件 {source_rel}："
                    f"请检查版本或更新 webapp/vendor.py。\n"
                    f"{source_rel} not found in {package.name} {installed}: check the version or update "
                    f"webapp/vendor.py."
                )
            if target.is_file() and filecmp.cmp(source, target, shallow=False):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            changed.append(target)

        # Remove leftovers from an earlier file list so the served tree matches PACKAGES exactly.
        for stale in sorted(p for p in target_root.rglob("*") if p.is_file() and p not in wanted):
            stale.unlink()
            changed.append(stale)
        for directory in sorted((p for p in target_root.rglob("*") if p.is_dir()), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: copy the files and report what changed."""
    parser = argparse.ArgumentParser(
        prog="python -m webapp.vendor",
        description="把 node_modules 中需要的前端文件复制到 webapp/static/vendor/ "
        "(copy front-end files from node_modules into webapp/static/vendor/).",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="只在出错时输出 (print errors only)")
    args = parser.parse_args(argv)
    try:
        changed = copy_vendor_files()
    except VendorError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        if changed:
            for path in changed:
                state = "已更新 updated" if path.exists() else "已删除 removed"
                print(f"{state}: {path.relative_to(ROOT)}")
        else:
            print("前端依赖已是最新 (vendor files already up to date)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
