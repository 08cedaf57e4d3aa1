"""The hash locks agree with pyproject.toml: every pinned dependency (runtime, the redis extra; dev too for
requirements/dev.txt) is in the lock at the same version, and every entry carries a SHA-256 hash. When this
fails, run `make lock`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        match = ENTRY.match(requirement)
        assert match, f"pyproject.toml pins every dependency with ==: {requirement}"
        found[normalize(match.group(1))] = match.group(2)
    return found


def locked(path: Path) -> dict[str, str]:
    return {normalize(name): version for name, version in ENTRY.findall(path.read_text())}


def test_the_locks_pin_what_pyproject_asks_for_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    runtime = pins(project["dependencies"] + extras["redis"])
    dev = {**runtime, **pins(extras["dev"])}
    for lock_file, wanted in (("runtime.txt", runtime), ("dev.txt", dev)):
        path = ROOT / "requirements" / lock_file
        have = locked(path)
        wrong = {name: (version, have.get(name)) for name, version in wanted.items() if have.get(name) != version}
        assert not wrong, f"{lock_file} is out of date (run `make lock`): wanted vs locked {wrong}"
        blocks = re.split(r"\n(?=[A-Za-z0-9])", path.read_text().split("\n", 2)[2])
        unhashed = [block.split()[0] for block in blocks if block.strip() and not block.startswith("#")
                    and "--hash=sha256:" not in block]
        assert not unhashed, f"{lock_file}: entries without a hash {unhashed}"
