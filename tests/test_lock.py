"""requirements.lock (made by `make lock`, installed by `make install`) keeps up with
pyproject.toml: every dependency, of the app, of the `test` extra and of the build, is pinned
in it, at a version the range allows, with hashes. Offline: it reads the two files."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]

# A pin starts a line: `name==version`, maybe `; marker`, then its `--hash=` options on the
# lines after it, each ending in a backslash but the last.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _lock() -> dict[str, tuple[Version, int]]:
    """Pinned name (normalised) -> (version, number of hashes)."""
    pins: dict[str, tuple[Version, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            assert current not in pins, f"{current} is pinned twice"
            pins[current] = (Version(match[2]), 0)
        elif current and line.lstrip().startswith("--hash="):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
        elif line.strip() and not line.lstrip().startswith("#"):
            raise AssertionError(f"a line of requirements.lock that is not understood: {line}")
    return pins


def _required() -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = [*pyproject["project"]["dependencies"],
              *pyproject["project"]["optional-dependencies"]["test"],
              *pyproject["build-system"]["requires"]]
    return [Requirement(r) for r in listed]


def test_every_dependency_is_pinned_in_the_lock_at_a_version_its_range_allows():
    pins = _lock()
    missing, outside = [], []
    for requirement in _required():
        name = canonicalize_name(requirement.name)
        if name not in pins:
            missing.append(str(requirement))
        elif not requirement.specifier.contains(pins[name][0], prereleases=True):
            outside.append(f"{requirement} (locked {pins[name][0]})")
    assert not missing and not outside, (
        "requirements.lock is behind pyproject.toml; run `make lock` and commit it.\n"
        f"missing: {missing}\noutside the range: {outside}")


def test_every_pin_has_hashes():
    pins = _lock()
    assert len(pins) > 50  # it did read the lock
    assert "pip" in pins and "setuptools" in pins
    assert not [name for name, (_, hashes) in pins.items() if hashes == 0]
