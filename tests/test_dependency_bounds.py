"""The declared minimums are what `packaging/check-minimums` tests: its constraints file pins every
[project] dependency of pyproject.toml, and every one of its test extra, to its lower bound, no more and no less."""

import os
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "packaging" / "constraints-minimum.txt"


def lower_bounds(requirements: list[str]) -> dict[str, Version]:
    """name -> the version of its ``>=`` bound, for each requirement (each must have exactly one)."""
    bounds = {}
    for text in requirements:
        req = Requirement(text)
        lows = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert len(lows) == 1, f"{text!r}: a dependency needs one lower bound (>=) for check-minimums to test"
        bounds[canonicalize_name(req.name)] = lows[0]
    return bounds


def pins(lines: list[str]) -> dict[str, Version]:
    """name -> pinned version, for each ``name==version`` line of a constraints file."""
    pinned = {}
    for line in lines:
        text = line.split("#")[0].strip()
        if not text:
            continue
        req = Requirement(text)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{text!r}: a constraint here pins one version"
        pinned[canonicalize_name(req.name)] = Version(spec.version)
    return pinned


def declared_requirements() -> list[str]:
    """What `pip install -e .[test]` installs: the dependencies and the test extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["dependencies"] + project["optional-dependencies"]["test"]


def test_the_constraints_pin_every_dependency_to_its_declared_lower_bound():
    declared = lower_bounds(declared_requirements())
    assert {"numpy", "pyside6-essentials", "pytest", "ruff"} <= set(declared)
    assert pins(CONSTRAINTS.read_text(encoding="utf-8").splitlines()) == declared


def test_no_requirement_excludes_its_own_lower_bound():
    """The pinned minimum must itself be allowed (a ``!=`` on the lower bound would make it untestable)."""
    for text in declared_requirements():
        req = Requirement(text)
        low = lower_bounds([text])[canonicalize_name(req.name)]
        assert req.specifier.contains(low, prereleases=True), f"{text!r} excludes its own lower bound"


def test_the_comparison_sees_a_pin_that_drifts_from_the_bound():
    declared = lower_bounds(["numpy>=1.26", "PySide6-Essentials>=6.6,!=6.12.0"])
    assert pins(["numpy==1.26", "pyside6_essentials==6.6.0  # spelled differently"]) == declared
    assert pins(["numpy==1.26.1", "PySide6-Essentials==6.6"]) != declared
    assert pins(["numpy==1.26"]) != declared
    with pytest.raises(AssertionError, match="one lower bound"):
        lower_bounds(["tqdm"])


def test_check_minimums_is_an_executable_script_that_uses_the_constraints():
    script = ROOT / "packaging" / "check-minimums"
    assert os.access(script, os.X_OK)
    assert "packaging/constraints-minimum.txt" in script.read_text(encoding="utf-8")
