"""JUnit XML, for CI systems that show test reports: one test suite per file, one failing test case per
diagnostic (as ruff writes it). Text is made printable first: XML 1.0 cannot hold control characters."""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO
from xml.etree import ElementTree as ET

from automodel_lint.engine import Report
from automodel_lint.report.style import printable, shown_diagnostics


def write(report: Report, out: TextIO) -> None:
    shown = shown_diagnostics(report)
    by_file = defaultdict(list)
    for d in shown:
        by_file[d.path].append(d)
    root = ET.Element("testsuites", name="automodel-lint", tests=str(len(shown)), failures=str(len(shown)),
                      errors="0")
    for path, found in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=printable(path), tests=str(len(found)),
                              failures=str(len(found)), errors="0")
        for d in found:
            case = ET.SubElement(suite, "testcase", name=f"automodel-lint.{d.code}", classname=printable(path),
                                 line=str(d.span.line), column=str(d.span.column))
            place = f"line {d.span.line}, col {d.span.column}" + (f", cell {d.cell}" if d.cell is not None else "")
            failure = ET.SubElement(case, "failure", message=printable(d.message))
            failure.text = f"{place}, {printable(d.message)}"
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")
