"""Every file under fixtures/ gives exactly the diagnostics its trailing comments declare."""

import os
import re

import pytest

from automodel_lint.engine import check_paths
from automodel_lint.options import Options

from conftest import FIXTURES, FIXTURES_TARGET

EXPECT = re.compile(r"#\s*(HFA\d{3})(?:\s*->\s*(\S+))?\s*$")
FILES = sorted(p for p in FIXTURES.rglob("*.py"))


def expected(path):
    found = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found[number] = (match.group(1), match.group(2))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    options = Options(offline=True, target_transformers=FIXTURES_TARGET, preview=True)
    report = check_paths([os.path.relpath(path)], options)
    got = {d.span.line: (d.code, d.suggestion) for d in report.diagnostics}
    want = expected(path)
    # A declared code without a suggestion means: no suggestion at all.
    assert got == want
    assert len(report.diagnostics) == len(got), "one diagnostic per call"


def test_fixtures_are_many_and_varied():
    codes = {code for p in FILES for code, _ in expected(p).values()}
    assert {"HFA001", "HFA002", "HFA003", "HFA004"} <= codes
