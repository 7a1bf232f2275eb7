"""One file -> its call sites: read the bytes (a notebook's code cells joined), gate, parse, find.

A file that does not parse gets its HFA900 here; one that cannot be read or parsed safely (too large,
unreadable, nested too deeply, a notebook that is not one) gets a skip note; and any other failure while
reading it becomes that file's skip note too, never the run's end.
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from automodel_lint import knowledge
from automodel_lint.calls import may_hold_calls
from automodel_lint.records import CallSite, Diagnostic, FileResult, Span, UseSite
from automodel_lint.sources import TooLarge, Unreadable, read_source

if TYPE_CHECKING:  # notebooks are imported only when a notebook is read
    from automodel_lint.notebooks import NotebookSource

# Long enough to say what went wrong, short enough for one summary line.
MAX_FAILURE_TEXT = 200


@dataclass
class Analysis:
    """One file's call sites, before any model is resolved."""

    path: str
    sites: list[CallSite] = field(default_factory=list)
    uses: list[UseSite] = field(default_factory=list)  # later uses of the loaded objects (flow/)
    uses_read: bool = False  # whether `uses` was looked for: only runs with a rule about uses pay for the flow
    result: FileResult | None = None
    source: bytes | None = None  # kept only for files with call sites: what a fix starts from
    lines: list[str] = field(default_factory=list)  # the decoded text, for `# noqa` comments
    notebook: "NotebookSource | None" = None  # for .ipynb files: the cells' joined source and the way back
    raw: bytes | None = None  # for notebooks: the file's own bytes (the JSON), which a fix rewrites
    unexpected: bool = False  # an internal error stopped its reading: not remembered, so the next run tries again
    # What LibCST read: the digest of the pre-pass's text and its line map (relevance.Reduced), and the encoding it
    # found. A later version of the file that reduces to the same text has the same call sites (results_cache).
    reduced: tuple[str, tuple[int, ...] | None] | None = None
    encoding: str | None = None

    def __post_init__(self) -> None:
        if self.result is None:
            self.result = FileResult(self.path)


@dataclass(frozen=True)
class Earlier:
    """What an earlier run's LibCST read of a file (`Analysis.reduced`, `Analysis.encoding`) and the call sites it
    found, in the file's lines then: a changed file that reduces to the same text has the same ones."""

    digest: str
    lines: tuple[int, ...] | None
    sites: tuple[CallSite, ...]
    encoding: str


def skipped(path: str, why: str) -> Analysis:
    analysis = Analysis(path)
    analysis.result.skipped = why
    return analysis


def failed(path: str, exc: Exception) -> Analysis:
    """The skip note of a file whose reading raised what nothing foresaw."""
    analysis = skipped(path, failure_note(exc))
    analysis.unexpected = True
    return analysis


def failure_note(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}"[:MAX_FAILURE_TEXT]
    # The exception's text may quote the file (a lone surrogate, an escape sequence): shown escaped.
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode() for c in text)
    return f"an internal error stopped its check: {shown} (please report the file)"


@lru_cache(maxsize=None)
def is_target(name: str) -> bool:
    """Whether any bundled table knows `name` as an Auto class, removed ones included (HFA004 needs them); the older
    tables are read only for a name the newest does not know."""
    return any(table.is_auto_class(name) for table in knowledge.bundled_newest_first())


@contextmanager
def collector_paused():
    """The cyclic garbage collector off while one file is parsed and read (turned back on after, if it was on).

    LibCST and `ast` build an object per node, and each full collection walks every object alive, the tree built so
    far included: a 30,000-call file's LibCST parse took 11.5 s with the collector on and 6.9 s with it off (3,000
    calls: 0.76 and 0.63 s), the cost per call growing with the file. The trees hold no cycles to collect.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def analyse_source(path: str, data: bytes, uses: bool = False, earlier: Earlier | None = None) -> Analysis:
    """Call sites of one file's bytes (and, with `uses`, the later uses of what they load); a file that does not
    parse gets its HFA900 here. `earlier`: an earlier reading of the file, reused if it still applies."""
    with collector_paused():
        return _analyse_source(path, data, uses, earlier)


def _analyse_source(path: str, data: bytes, uses: bool, earlier: Earlier | None = None) -> Analysis:
    analysis = Analysis(path, uses_read=uses)
    if not may_hold_calls(data):
        return analysis
    from automodel_lint.relevance import relevant_source

    relevant = relevant_source(data)
    if relevant is None:
        return analysis
    if relevant.hazard:
        analysis.result.skipped = relevant.hazard
        return analysis
    digest = relevant.digest(notebook=path.endswith(".ipynb"))
    if earlier is not None and not uses and earlier.digest == digest:
        reused = _reused(path, data, relevant, earlier)
        if reused is not None:
            return reused
    import libcst as cst  # only files that hold a candidate pay for LibCST

    from automodel_lint.finder import find_calls

    try:
        module = cst.parse_module(relevant.source)
        sites = find_calls(module, path, is_target, call_spans=relevant.call_spans())
        analysis.sites = [_in_file_lines(site, relevant) for site in sites]
        analysis.uses = _uses(data, relevant, module, path, analysis.sites) if uses else []
        if analysis.sites or analysis.uses:
            analysis.source = data
            analysis.lines = data.decode(module.encoding).splitlines(keepends=True)
        analysis.reduced = (digest, relevant.lines)
        analysis.encoding = module.encoding
    except cst.ParserSyntaxError as exc:
        analysis.result.diagnostics.append(_syntax_error(path, data, str(exc).splitlines()[0]))
    except (SyntaxError, UnicodeDecodeError, LookupError, ValueError) as exc:
        # Encoding problems: a bad cookie, bytes that are not valid in the declared encoding, NUL bytes.
        analysis.result.diagnostics.append(_syntax_error(path, data, f"cannot decode the file: {exc}"))
    except RecursionError:
        # LibCST's parser and visitors recurse per nesting level; absurdly deep code ends the file, not the run.
        analysis.result.skipped = "nested too deeply for the parser"
    except MemoryError:
        analysis.result.skipped = "too large for the parser"
    return analysis


def _reused(path: str, data: bytes, relevant, earlier: Earlier) -> Analysis | None:
    """The analysis of a changed file whose changes are all in lines the pre-pass drops (a training loop, an
    unrelated function): it reduces to the text LibCST read last time (the caller compared the digests), so its call
    sites are the same ones, moved with the lines that hold them. Found without LibCST, whose import alone is most of
    a pre-commit run. None when a line moved out of reach, or the bytes no longer decode (the parse then says so)."""
    old = {line: k for k, line in enumerate(earlier.lines, start=1)} if earlier.lines is not None else None

    def moved(line: int) -> int | None:
        k = old.get(line) if old is not None else line
        if k is None or (relevant.lines is not None and k > len(relevant.lines)):
            return None
        return relevant.file_line(k)

    sites = []
    for site in earlier.sites:
        start, end = moved(site.span.line), moved(site.span.end_line)
        if start is None or end is None:
            return None
        sites.append(dataclasses.replace(site, path=path, span=Span(start, site.span.column, end, site.span.end_column)))
    try:
        text = data.decode(earlier.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    analysis = Analysis(path, sites=sites, reduced=(earlier.digest, relevant.lines), encoding=earlier.encoding)
    if sites:
        analysis.source, analysis.lines = data, text.splitlines(keepends=True)
    return analysis


def _uses(data: bytes, relevant, module, path: str, sites: list[CallSite]) -> list[UseSite]:
    """The use sites of the whole file (the pre-pass drops the lines uses stand on), for files that mention one."""
    from automodel_lint.flow import find_uses, may_hold_uses, reduced_with_loads

    if not may_hold_uses(data):
        return []
    import libcst as cst

    from automodel_lint.finder import known_model_class
    from automodel_lint.relevance import Reduced

    text, loads = reduced_with_loads(data)
    if not loads:
        return []  # every use site follows its object to a load: with none left, LibCST need not read the file
    whole = module if relevant.lines is None and relevant.source == text else cst.parse_module(text)
    return find_uses(whole, path, sites, lambda name: is_target(name) or known_model_class(name),
                     Reduced(text, None, whole.encoding).call_spans())


def _in_file_lines(site: CallSite, relevant) -> CallSite:
    span = site.span
    if relevant.lines is None:
        return site
    return dataclasses.replace(
        site, span=Span(relevant.file_line(span.line), span.column, relevant.file_line(span.end_line), span.end_column)
    )


def _syntax_error(path: str, data: bytes, fallback: str) -> Diagnostic:
    """HFA900 at the place Python itself reports (LibCST's native parser often reports 1:1).

    Lines and columns are at least 1: Python reports a bad encoding cookie at line 0, column -1.
    """
    line, column, message = 1, 1, fallback
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as exc:
        line, column = max(exc.lineno or 1, 1), max(exc.offset or 1, 1)
        message = f"{exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        message = f"{fallback or exc}"
    return _hfa900(path, line, column, f"file does not parse, nothing in it was checked: {message}")


def _hfa900(path: str, line: int, column: int, message: str) -> Diagnostic:
    from automodel_lint.rules import RULES_BY_CODE

    return Diagnostic(path, Span(line, column, line, column), "HFA900", RULES_BY_CODE["HFA900"].severity, message)


def analyse_file(path: str, max_size: int, uses: bool = False, earlier: Earlier | None = None) -> Analysis:
    """Call sites of the file at `path` (with `uses`, their later uses too; `earlier`, an earlier reading to reuse
    if it still applies); whatever goes wrong with this one file becomes its skip note."""
    try:
        return _analyse_file(path, max_size, uses, earlier)
    except Exception as exc:  # KeyboardInterrupt and SystemExit are no Exceptions: they still stop the run
        return failed(path, exc)


def _analyse_file(path: str, max_size: int, uses: bool, earlier: Earlier | None = None) -> Analysis:
    try:
        data = read_source(path, max_size)
    except TooLarge as exc:
        return skipped(path, f"{exc.size:,} bytes, above the {max_size:,}-byte cap (--max-file-size)")
    except Unreadable as exc:
        return skipped(path, f"cannot read: {exc}")
    if path.endswith(".ipynb"):
        return _analyse_notebook(path, data, uses, earlier)
    return analyse_source(path, data, uses, earlier)


def _analyse_notebook(path: str, data: bytes, uses: bool = False, earlier: Earlier | None = None) -> Analysis:
    if not may_hold_calls(data):
        return Analysis(path, uses_read=uses)
    from automodel_lint.notebooks import NotebookError, read_notebook

    try:
        nb = read_notebook(data)
    except (NotebookError, RecursionError) as exc:
        return skipped(path, f"not a readable notebook: {exc}")
    # A notebook run again changes its outputs and execution counts, not its code: `earlier` then still applies.
    analysis = analyse_source(path, nb.source.encode("utf-8"), uses, earlier if not nb.errors else None)
    analysis.notebook, analysis.raw = nb, data
    # Lines of the joined source: the report places them in their cells, as every notebook diagnostic.
    analysis.result.diagnostics += [
        _hfa900(path, e.line, e.column, f"cell does not parse, nothing in it was checked: {e.message}")
        for e in nb.errors
    ]
    return analysis


def read_notebook_file(path: str, max_size: int) -> "tuple[bytes, NotebookSource]":
    """A notebook's bytes and cells, read again: the results cache keeps only where its lines are, which is all
    the output needs; a fix needs the cells. Raises Unreadable, TooLarge or NotebookError."""
    from automodel_lint.notebooks import read_notebook

    data = read_source(path, max_size)
    return data, read_notebook(data)
