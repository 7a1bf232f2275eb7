"""Fixing every fixable diagnostic under fixtures/ gives code whose fixed calls pass a fresh check."""

import os

import pytest

from automodel_lint import knowledge
from automodel_lint.fixer import fix_source, verify_fixed

from conftest import FIXTURES

FILES = sorted(p for p in FIXTURES.rglob("*.py") if "fix" not in p.relative_to(FIXTURES).parts[:1])


@pytest.fixture
def engine(monkeypatch):
    if not hasattr(knowledge, "current_table"):
        pytest.skip("the knowledge table is not in place yet")
    from automodel_lint import engine

    monkeypatch.chdir(FIXTURES.parent)
    return engine


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_fixes_recheck_clean(path, engine):
    options = engine.Options(offline=True)
    rel = os.path.relpath(path)
    table = knowledge.current_table(options.cache_dir)
    report = engine.check_paths([rel], options)
    fixable = [d for d in report.diagnostics if d.applicability in ("safe", "unsafe")]
    if not fixable:
        pytest.skip("nothing fixable here")

    def recheck(data):
        results, _ = engine.judge_all([engine.analyse_source(rel, data)], options, table)
        return results[0].diagnostics

    source = path.read_bytes()
    outcome = verify_fixed(fix_source(source, fixable), recheck)
    assert outcome.error is None
    assert not outcome.not_applied, [(n.diagnostic.span.line, n.reason) for n in outcome.not_applied]
    left = {(d.span.line, d.span.column) for d in recheck(outcome.fixed)}
    assert not left & {(s.line, s.column) for s in outcome.moved}
    # A second pass has nothing left to do.
    again = [d for d in recheck(outcome.fixed) if d.applicability in ("safe", "unsafe")]
    assert fix_source(outcome.fixed, again).fixed == outcome.fixed


def declared_fixes(path, data):
    """Diagnostics built from the fixtures' own `# HFA00x -> Class` comments, at the calls the finder sees."""
    import libcst as cst

    from automodel_lint.finder import find_calls
    from automodel_lint.records import Diagnostic, Fix
    from test_fixtures import expected

    declared = expected(path)
    found = []
    for site in find_calls(cst.parse_module(data), str(path), lambda _: True):
        code, new = declared.get(site.span.line, (None, None))
        # No fix is offered where the class is named through an assignment; on a pipeline call a suggestion
        # (HFA014's) names the class for the model object's own load, never a rename of this call.
        if new and not site.callee_assigned and site.method != "pipeline":
            fix = Fix("safe", new, old_class_removed=code == "HFA004")  # HFA004: a class transformers removed
            found.append(Diagnostic(str(path), site.span, code, "error", "m", called=site.called, suggestion=new,
                                    fix=fix))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_declared_suggestions_apply(path):
    """Independent of the knowledge table: each declared suggestion becomes the class its call loads."""
    import libcst as cst

    from automodel_lint.finder import find_calls

    data = path.read_bytes()
    fixes = declared_fixes(path, data)
    if not fixes:
        pytest.skip("no suggestion declared here")
    outcome = fix_source(data, fixes)
    assert outcome.error is None
    assert not outcome.not_applied, [(n.diagnostic.span.line, n.reason) for n in outcome.not_applied]
    now = {(s.span.line, s.span.column): s.called for s in find_calls(cst.parse_module(outcome.fixed), "f", lambda _: True)}
    assert [now[(s.line, s.column)] for s in outcome.moved] == [d.suggestion for d in outcome.applied]
