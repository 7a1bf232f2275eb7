"""What a project declares about its transformers: every constraint on it, read from the project's own files.

    declared_constraints(root) -> [(where, Constraint), ...]

Read in this order (each file is optional; an unreadable or malformed one is passed over, since a linter must not
fail on a project's packaging): pyproject.toml `[project]` dependencies and optional dependencies, its
`[tool.poetry]` dependencies and dependency groups, setup.cfg `install_requires` and `extras_require`,
requirements*.txt, then the pins of poetry.lock and uv.lock. Environment markers are evaluated for this interpreter
(`; python_version < "3.11"` picks what pip would install here); Poetry's `^` and `~` mean what Poetry says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NAME = "transformers"


@dataclass(frozen=True)
class Constraint:
    text: str  # for the reader: "transformers>=4.40,<5", "transformers ^4.40" (Poetry's), "transformers==4.57.6"
    alternatives: tuple  # SpecifierSets; a version is allowed by any one of them (Poetry's `||`)

    def allows_minor(self, release: str) -> bool:
        """Whether any patch of this release's minor, up to the release itself, is allowed ("4.40.2": 4.40.0-4.40.2):
        the history holds each minor's last patch, and a pin to an earlier patch is judged with it."""
        from packaging.version import Version

        major, minor, patch = (list(Version(release).release) + [0, 0])[:3]
        versions = [Version(f"{major}.{minor}.{p}") for p in range(patch + 1)]
        return any(spec.contains(v, prereleases=True) for spec in self.alternatives for v in versions)

    def __str__(self) -> str:
        return self.text


def declared_constraints(root: Path) -> list[tuple[str, Constraint]]:
    found: list[tuple[str, Constraint]] = []
    pyproject = _toml(root / "pyproject.toml")
    project = pyproject.get("project") if isinstance(pyproject.get("project"), dict) else {}
    found += _requirements("pyproject.toml [project]", _pep621(project))
    poetry = pyproject.get("tool", {}).get("poetry") if isinstance(pyproject.get("tool"), dict) else None
    found += [("pyproject.toml [tool.poetry]", c) for c in _poetry_constraints(poetry)]
    found += _requirements("setup.cfg", _setup_cfg(root / "setup.cfg"))
    for path in sorted(root.glob("requirements*.txt")):
        found += _requirements(path.name, _requirements_txt(path))
    for lock in ("poetry.lock", "uv.lock"):
        pins = _lock_pins(root / lock)
        if pins:
            found.append((lock, _constraint(" or ".join(f"{NAME}=={v}" for v in pins), [f"=={v}" for v in pins])))
    return found


def _constraint(text: str, specifiers: list[str]) -> Constraint:
    from packaging.specifiers import SpecifierSet

    return Constraint(text, tuple(SpecifierSet(s) for s in specifiers))


def _toml(path: Path) -> dict:
    """The file's TOML, or {} when it cannot be read: a broken lock file only leaves the requirement undeclared."""
    if not path.is_file():  # most projects lack most of these files: tomllib is imported only for one that exists
        return {}
    from automodel_lint.config import ConfigError, read_toml

    try:
        data = read_toml(path)
    except ConfigError:
        return {}
    return data if isinstance(data, dict) else {}


def _pep621(project: dict) -> list[tuple[str, str]]:
    """(requirement, extra) of `[project]` dependencies and optional dependencies."""
    out = [(r, "") for r in project.get("dependencies") or [] if isinstance(r, str)]
    extras = project.get("optional-dependencies")
    for extra, reqs in (extras.items() if isinstance(extras, dict) else ()):
        out += [(r, extra) for r in reqs or [] if isinstance(r, str)]
    return out


def _requirements(where: str, lines: list[tuple[str, str]]) -> list[tuple[str, Constraint]]:
    """The transformers requirements among `lines` ((requirement, extra)) that apply on this interpreter."""
    # Only lines that can name it are parsed: importing packaging costs a pre-commit run 25 ms (its hook venv has
    # no transformers, so the target is looked for here). A requirement's name matches case-insensitively, and
    # "transformers" has none of the `-_.` that name normalization folds.
    lines = [(line, extra) for line, extra in lines if NAME in line.lower()]
    if not lines:
        return []
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    out = []
    for line, extra in lines:
        try:
            req = Requirement(line)
            if canonicalize_name(req.name) != NAME:
                continue
            if req.marker is not None and not req.marker.evaluate({"extra": extra}):
                continue
        except (InvalidRequirement, ValueError, LookupError):
            continue  # a URL, an option or a marker this interpreter cannot evaluate: not a version constraint
        if req.url is None:
            out.append((where, _constraint(f"{NAME}{req.specifier}", [str(req.specifier)])))
    return out


def _setup_cfg(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    out = [(line, "") for line in _lines(parser.get("options", "install_requires", fallback=""))]
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            out += [(line, extra) for line in _lines(value)]
    return out


def _requirements_txt(path: Path) -> list[tuple[str, str]]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [(line, "") for line in _lines(text) if not line.startswith("-")]


def _lines(text: str) -> list[str]:
    stripped = (re.sub(r"(^|\s)#.*", "", line).strip() for line in text.splitlines())
    return [line for line in stripped if line]


def _poetry_constraints(poetry) -> list[Constraint]:
    if not isinstance(poetry, dict):
        return []
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
    out = []
    for table in tables:
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            if name.lower() != NAME:
                continue
            for entry in value if isinstance(value, list) else [value]:  # a list: one entry per marker
                text = entry.get("version") if isinstance(entry, dict) else entry
                if isinstance(text, str):
                    try:
                        out.append(_constraint(f"{NAME} {text}", [_poetry_specifier(alt) for alt in text.split("||")]))
                    except ValueError:
                        continue
    return out


def _poetry_specifier(text: str) -> str:
    """One Poetry constraint without `||` ("^4.40", "~4.40.1", ">=4.40,<5", "4.40.*", "*") as a PEP 440 one."""
    text = re.sub(r"([<>=!~^]=?)\s+", r"\1", text.strip())  # ">= 4.40" is one part
    parts = [p for p in re.split(r"[,\s]+(?=[<>=!~^*\d])", text) if p]
    out = []
    for part in parts:
        part = part.replace(" ", "")
        if part in ("*", ""):
            continue
        if part[0] == "^" or (part[0] == "~" and part[1:2] != "="):
            numbers = [int(n) for n in part[1:].split(".")]
            out.append(f">={part[1:]}")
            out.append(f"<{_upper(numbers, caret=part[0] == '^')}")
        elif part[0].isdigit():
            out.append(f"=={part}")
        else:
            out.append(part)
    return ",".join(out)


def _upper(numbers: list[int], caret: bool) -> str:
    """Poetry's exclusive bound: `^` keeps the leftmost non-zero part, `~` the minor (the major when only it is
    given)."""
    if caret:
        keep = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
    else:
        keep = 0 if len(numbers) == 1 else 1
    bound = numbers[: keep + 1]
    bound[-1] += 1
    return ".".join(str(n) for n in bound)


def _lock_pins(path: Path) -> list[str]:
    """The transformers versions a poetry.lock or uv.lock pins (more than one where markers fork the resolution)."""
    try:
        if NAME.encode() not in path.read_bytes().lower():  # a lock file of megabytes is parsed only if it can pin it
            return []
    except OSError:
        return []
    packages = _toml(path).get("package")
    if not isinstance(packages, list):
        return []
    return sorted({p["version"] for p in packages if isinstance(p, dict) and str(p.get("name", "")).lower() == NAME
                   and isinstance(p.get("version"), str)})
