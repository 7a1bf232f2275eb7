"""`--output-format sarif` (validated against the official SARIF 2.1.0 schema) and `--output-format github`."""

import io
import json
import os
import pathlib
import subprocess
import sys

import jsonschema
import pytest

from automodel_lint import knowledge
from automodel_lint.engine import Report, check_paths
from automodel_lint.options import Options
from automodel_lint.records import Diagnostic, FileResult, Fix, Span, Unresolved
from automodel_lint.report import FORMATS, github, sarif
from automodel_lint.rules import RULES

from conftest import FIXTURES, FIXTURES_TARGET, ROOT

SCHEMA = json.loads((pathlib.Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def validate(document):
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def render(report, name):
    out = io.StringIO()
    FORMATS[name](report, out)
    return out.getvalue()


def synthetic(*diagnostics, skipped=(), unresolved=()):
    files = [FileResult(d.path, [d]) for d in diagnostics] + [FileResult(p, [], skipped=why) for p, why in skipped]
    return Report(files, list(unresolved), [], knowledge.newest_bundled(), sites=len(diagnostics))


def diag(path="src/a.py", code="HFA001", severity="error", message="AutoModelForSeq2SeqLM cannot load \"gpt2\"",
         span=Span(3, 5, 3, 52), fix="safe"):
    return Diagnostic(path, span, code, severity, message, model="gpt2", called="AutoModelForSeq2SeqLM",
                      suggestion="AutoModelForCausalLM", fix=Fix(fix, "AutoModelForCausalLM"), facts_source="snapshot")


@pytest.fixture
def fixtures_report(monkeypatch):
    monkeypatch.chdir(ROOT)
    return check_paths([os.path.relpath(FIXTURES, ROOT)], Options(offline=True))


def test_formats_are_registered():
    assert {"text", "json", "sarif", "github"} <= set(FORMATS)


def test_sarif_of_the_fixtures_is_valid_and_complete(fixtures_report):
    document = json.loads(render(fixtures_report, "sarif"))
    validate(document)
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "automodel-lint" and driver["version"] and driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in RULES]
    for descriptor, rule in zip(driver["rules"], RULES):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert rule.summary in descriptor["fullDescription"]["text"]
        for example in (rule.wrong, rule.right):
            assert all(line.strip() in descriptor["help"]["text"] for line in example.splitlines())
        assert descriptor["defaultConfiguration"]["level"] == rule.severity
    results = run["results"]
    assert len(results) == len(fixtures_report.diagnostics) > 10
    for result, d in zip(results, fixtures_report.diagnostics):
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == d.code
        assert result["level"] == d.severity
        assert result["message"]["text"] == (f"{d.message}\n\n{d.detail}" if d.detail else d.message)
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == pathlib.PurePath(d.path).as_posix()
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert location["region"] == {
            "startLine": d.span.line, "startColumn": d.span.column, "endLine": d.span.end_line, "endColumn": d.span.end_column,
        }


def test_sarif_from_the_command_line(tmp_path):
    out = tmp_path / "out.sarif"
    with out.open("w") as handle:
        result = subprocess.run(
            [sys.executable, "-m", "automodel_lint", "check", "--offline", "--output-format", "sarif",
             "--target-transformers", FIXTURES_TARGET, os.path.relpath(FIXTURES, ROOT)],
            cwd=ROOT, stdout=handle, stderr=subprocess.PIPE, text=True, timeout=300,
        )
    assert result.returncode == 1, result.stderr
    document = json.loads(out.read_text())  # stdout holds the SARIF document and nothing else
    validate(document)
    assert {r["ruleId"] for r in document["runs"][0]["results"]} >= {"HFA001", "HFA002", "HFA003", "HFA004"}


def test_an_empty_run_is_valid():
    validate(json.loads(render(synthetic(), "sarif")))


def test_what_was_not_judged_becomes_notifications():
    report = synthetic(skipped=[("big.py", "too large")], unresolved=[Unresolved("org/unknown", "offline")])
    document = json.loads(render(report, "sarif"))
    validate(document)
    texts = [n["message"]["text"] for n in document["runs"][0]["invocations"][0]["toolExecutionNotifications"]]
    assert any("big.py" in t for t in texts) and any("org/unknown" in t for t in texts)


def test_awkward_paths_become_valid_uris(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inside = diag(path="dir with space/100% sure,#1.py")
    outside = diag(path=str(tmp_path.parent / "elsewhere.py"))
    document = json.loads(render(synthetic(inside, outside), "sarif"))
    validate(document)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    # Results come in path order: the absolute path of the file outside sorts first.
    assert uris[1] == "dir%20with%20space/100%25%20sure%2C%231.py"
    assert uris[0].startswith("file:///") and uris[0].endswith("/elsewhere.py")


def test_warning_rules_are_warnings():
    document = json.loads(render(synthetic(diag(code="HFA002", severity="warning", fix="unsafe")), "sarif"))
    validate(document)
    result = document["runs"][0]["results"][0]
    assert result["level"] == "warning" and result["properties"]["fixApplicability"] == "unsafe"


# GitHub workflow commands


def test_github_line():
    assert render(synthetic(diag()), "github") == (
        "::error file=src/a.py,line=3,col=5,endLine=3,endColumn=52,title=HFA001::"
        'HFA001 AutoModelForSeq2SeqLM cannot load "gpt2"\n'
    )


def test_github_warning_and_multi_line_span():
    d = diag(code="HFA002", severity="warning", span=Span(4, 9, 6, 2))
    assert render(synthetic(d), "github").startswith("::warning file=src/a.py,line=4,endLine=6,title=HFA002::HFA002 ")


def test_github_escaping():
    d = diag(path="odd,dir/a:b.py", message="100% sure\r\nsecond line: a, b")
    assert render(synthetic(d), "github") == (
        "::error file=odd%2Cdir/a%3Ab.py,line=3,col=5,endLine=3,endColumn=52,title=HFA001::"
        "HFA001 100%25 sure\\r\\nsecond line: a, b\n"  # one line: the message's CR LF made visible first
    )
    assert github.escape_property("a%b:c,d\n") == "a%25b%3Ac%2Cd%0A"


def test_github_of_the_fixtures(fixtures_report):
    lines = render(fixtures_report, "github").splitlines()
    assert len(lines) == len(fixtures_report.diagnostics)
    for line, d in zip(lines, fixtures_report.diagnostics):
        assert line.startswith(f"::{d.severity} file={d.path},line={d.span.line},")
        assert f",title={d.code}::{d.code} " in line


def test_sarif_module_writes_through_the_registry(fixtures_report):
    for name, module in (("sarif", sarif), ("github", github)):
        through_registry, direct = io.StringIO(), io.StringIO()
        FORMATS[name](fixtures_report, through_registry)
        module.write(fixtures_report, direct)
        assert through_registry.getvalue() == direct.getvalue() != ""
