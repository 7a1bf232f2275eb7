"""The pipeline: files -> call sites -> model facts (each unique id once) -> verdicts -> diagnostics.

Every stage is a function of the previous stage's records, so the CLI, the flake8 adapter and stdin
input all run the same code. A file that cannot be read or parsed yields an HFA900 diagnostic or a
skip note and the run goes on.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from automodel_lint import knowledge
from automodel_lint.knowledge import KnowledgeTable
from automodel_lint.options import Options, make_resolver
from automodel_lint.records import CallSite, Diagnostic, FileResult, ModelFacts, ModelRequest, Span, Unresolved
from automodel_lint.sources import TooLarge, Unreadable, discover, read_source

if TYPE_CHECKING:  # notebooks are imported only when a notebook is read
    from automodel_lint.notebooks import NotebookSource

# A file that cannot mention a candidate call is never parsed: the substring test costs microseconds,
# LibCST's parse tens of milliseconds.
GATES = (b"from_pretrained", b"from_config", b"pipeline")


def _may_hold_calls(data: bytes) -> bool:
    return any(gate in data for gate in GATES)


@dataclass
class Analysis:
    """One file's call sites, before any model is resolved."""

    path: str
    sites: list[CallSite] = field(default_factory=list)
    result: FileResult | None = None
    source: bytes | None = None  # kept only for files with call sites: what a fix starts from
    lines: list[str] = field(default_factory=list)  # the decoded text, for `# noqa` comments
    verdicts: dict | None = None  # from the results cache: the last run's diagnostics of this unchanged file
    notebook: "NotebookSource | None" = None  # for .ipynb files: the cells' joined source and the way back
    raw: bytes | None = None  # for notebooks: the file's own bytes (the JSON), which a fix rewrites

    def __post_init__(self) -> None:
        if self.result is None:
            self.result = FileResult(self.path)


@dataclass
class Report:
    files: list[FileResult]
    unresolved: list[Unresolved]
    problems: list[tuple[str, str]]  # paths that could not be listed or read, and why
    table: KnowledgeTable
    sites: int = 0
    answers: dict = field(default_factory=dict)  # ModelRequest -> ModelFacts | Unresolved, for re-checking fixes
    sources: dict[str, bytes] = field(default_factory=dict)  # the bytes judged, for files that hold candidates
    stdin_bytes: bytes | None = None  # what stdin held, when the source came from there
    notebooks: dict = field(default_factory=dict)  # path -> (file bytes, NotebookSource) for notebooks with calls

    def place_cells(self) -> None:
        """Turn notebook diagnostics' lines in the joined source into (cell, line in cell), for output.

        Done last, after fixing, because the fixer works on the joined source's coordinates.
        """
        for result in self.files:
            entry = self.notebooks.get(result.path)
            if entry is None:
                continue
            nb = entry[1]
            placed = []
            for d in result.diagnostics:
                start, end = nb.position(d.span.line), nb.position(d.span.end_line)
                span = Span(start.line, d.span.column, end.line, d.span.end_column)
                placed.append(dataclasses.replace(d, span=span, cell=start.cell + 1))
            result.diagnostics = placed

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.skipped]


@lru_cache(maxsize=None)
def _target_names() -> frozenset[str]:
    """Every Auto class any bundled or installed table knows, removed ones included (HFA004 needs them)."""
    names: set[str] = set()
    for table in knowledge.bundled_tables():
        names.update(table.auto_classes)
    return frozenset(names)


def analyse_source(path: str, data: bytes) -> Analysis:
    """Call sites of one file's bytes; a file that does not parse gets its HFA900 here."""
    analysis = Analysis(path)
    if not _may_hold_calls(data):
        return analysis
    from automodel_lint.relevance import relevant_source

    relevant = relevant_source(data)
    if relevant is None:
        return analysis
    if relevant.hazard:
        analysis.result.skipped = relevant.hazard
        return analysis
    import libcst as cst  # only files that hold a candidate pay for LibCST

    from automodel_lint.finder import find_calls

    try:
        module = cst.parse_module(relevant.source)
        sites = find_calls(module, path, _target_names().__contains__, call_spans=relevant.call_spans())
        analysis.sites = [_in_file_lines(site, relevant) for site in sites]
        if analysis.sites:
            analysis.source = data
            analysis.lines = data.decode(module.encoding).splitlines(keepends=True)
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


def _in_file_lines(site: CallSite, relevant) -> CallSite:
    span = site.span
    if relevant.lines is None:
        return site
    return dataclasses.replace(
        site, span=Span(relevant.file_line(span.line), span.column, relevant.file_line(span.end_line), span.end_column)
    )


def _syntax_error(path: str, data: bytes, fallback: str) -> Diagnostic:
    """HFA900 at the place Python itself reports (LibCST's native parser often reports 1:1)."""
    line, column, message = 1, 1, fallback
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as exc:
        line, column = exc.lineno or 1, (exc.offset or 1)
        message = f"{exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        message = f"{fallback or exc}"
    from automodel_lint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE["HFA900"]
    return Diagnostic(
        path, Span(line, column, line, column), "HFA900", rule.severity, f"file does not parse, nothing in it was checked: {message}"
    )


def analyse_file(path: str, max_size: int) -> Analysis:
    analysis = Analysis(path)
    try:
        data = read_source(path, max_size)
    except TooLarge as exc:
        analysis.result.skipped = f"{exc.size:,} bytes, above the {max_size:,}-byte cap (--max-file-size)"
        return analysis
    except Unreadable as exc:
        analysis.result.skipped = f"cannot read: {exc}"
        return analysis
    if path.endswith(".ipynb"):
        return _analyse_notebook(path, data)
    return analyse_source(path, data)


def _analyse_notebook(path: str, data: bytes) -> Analysis:
    if not _may_hold_calls(data):
        return Analysis(path)
    from automodel_lint.notebooks import NotebookError, read_notebook

    try:
        nb = read_notebook(data)
    except (NotebookError, RecursionError) as exc:
        analysis = Analysis(path)
        analysis.result.skipped = f"not a readable notebook: {exc}"
        return analysis
    analysis = analyse_source(path, nb.source.encode("utf-8"))
    analysis.notebook, analysis.raw = nb, data
    return analysis


def requests_of(analyses: Iterable[Analysis]) -> set[ModelRequest]:
    return {request_of(site) for a in analyses for site in a.sites if site.model is not None}


def request_of(site: CallSite) -> ModelRequest:
    return ModelRequest(site.model, site.revision, site.subfolder, os.path.dirname(site.path) or ".")


def selected(code: str, options: Options) -> bool:
    if options.select is not None and not any(code.startswith(s) for s in options.select):
        return False
    return not any(code.startswith(i) for i in options.ignore)


def diagnose(site: CallSite, facts: ModelFacts | None, table: KnowledgeTable) -> Diagnostic | None:
    from automodel_lint.rules import Case, judge

    history = tuple(t for t in knowledge.bundled_tables() if t.version != table.version)
    found = judge(Case(site, facts, table, history))
    if found is None:
        return None
    rule, verdict = found
    return Diagnostic(
        path=site.path,
        span=site.span,
        code=verdict.code,
        severity=verdict.severity or rule.severity,
        message=verdict.message,
        model=facts.model_id if facts else site.model,
        called=site.called,
        suggestion=verdict.suggestion,
        # A fix renames the class at the call and in its import; `Model = AutoModel` leaves it neither to rename.
        fix=None if site.callee_assigned else verdict.fix,
        facts_source=facts.source if facts else None,
    )


def judge_all(
    analyses: list[Analysis], options: Options, table: KnowledgeTable, answers: dict | None = None
) -> tuple[list[FileResult], list[Unresolved]]:
    """Diagnostics for every file. `answers` (model facts of earlier passes) are reused, never resolved again,
    and the new ones are added to it: the flake8 adapter keeps one such dict per process."""
    results, unresolved, found = _judge(analyses, options, table, answers)
    if answers is not None:
        answers.update(found)
    return results, unresolved


def _judge(analyses: list[Analysis], options: Options, table: KnowledgeTable, known: dict | None, cache=None):
    answers: dict = dict(known or {})
    fingerprint = verdicts = None
    reused: list[Analysis] = []
    if cache is not None:
        from automodel_lint.results_cache import facts_fingerprint, verdict_fingerprint

        fingerprint = facts_fingerprint(options, table.version)
        # A file unchanged since a run with the same facts and options gets that run's verdicts back: a warm
        # run then needs neither the rules nor the resolver.
        verdicts = verdict_fingerprint(fingerprint, options)
        reused = [a for a in analyses if a.verdicts is not None and a.verdicts.get("fp") == verdicts]
        analyses = [a for a in analyses if not (a.verdicts is not None and a.verdicts.get("fp") == verdicts)]
    needed = requests_of(analyses)
    if cache is not None and needed:
        answers.update({r: a for r, a in cache.answers(fingerprint).items() if r in needed and r not in answers})
    missing = needed - answers.keys()
    if missing:
        answers.update(make_resolver(options, table).resolve_all(missing))
    if cache is not None and needed:
        cache.keep_answers(fingerprint, {r: answers[r] for r in needed}, offline=options.offline or options.locked)
    found_unresolved = {a for r, a in answers.items() if r in needed and isinstance(a, Unresolved)}
    results = [_reuse(a, found_unresolved) for a in reused]
    for analysis in analyses:
        result = analysis.result
        result.diagnostics = [d for d in result.diagnostics if selected(d.code, options)]
        for site in analysis.sites:
            answer = answers.get(request_of(site)) if site.model is not None else None
            facts = answer if isinstance(answer, ModelFacts) else None
            diagnostic = diagnose(site, facts, table)
            if diagnostic is not None and selected(diagnostic.code, options):
                result.diagnostics.append(diagnostic)
        if options.noqa and analysis.lines:
            from automodel_lint.noqa import filter_noqa

            result.diagnostics = filter_noqa(analysis.lines, result.diagnostics)
        result.diagnostics.sort(key=lambda d: (d.span.line, d.span.column, d.code))
        results.append(result)
        if cache is not None and analysis.notebook is None:
            mine = {answers.get(request_of(s)) for s in analysis.sites if s.model is not None}
            missing_facts = [u for u in mine if isinstance(u, Unresolved)]
            # With the network in play an id may resolve next time (a timeout, a dead network): such a file's
            # verdicts are not kept, so the next run asks again.
            if not missing_facts or options.offline or options.locked:
                cache.keep_verdicts(analysis.path, verdicts, result.diagnostics, missing_facts)
    if cache is not None:
        cache.save()
    order = {a.path: i for i, a in enumerate([*reused, *analyses])}
    results.sort(key=lambda r: order.get(r.path, 0))
    unresolved = sorted(found_unresolved, key=lambda u: (u.model_id, u.reason))
    return results, unresolved, answers


def _reuse(analysis: Analysis, unresolved: set) -> FileResult:
    from automodel_lint.results_cache import ResultsCache

    diagnostics, missing = ResultsCache.verdicts_of(analysis.verdicts)
    analysis.result.diagnostics = diagnostics
    unresolved.update(missing)
    return analysis.result


def check_paths(paths: list[str], options: Options) -> Report:
    table = knowledge.current_table(options.cache_dir)
    walk = discover(paths, options.exclude)
    cache = _results_cache(options)
    analyses = analyse_files([f.path for f in walk.files], options, cache)
    return _report(analyses, options, table, walk.problems, cache)


def _results_cache(options: Options):
    if not options.result_cache:
        return None
    from automodel_lint.results_cache import ResultsCache

    return ResultsCache(options.cache_dir)


# Below this many files to parse, starting worker processes costs more than it saves.
MIN_FILES_PER_JOB = 4


def analyse_files(paths: list[str], options: Options, cache=None) -> list[Analysis]:
    """Every file's call sites: from the results cache where the file is unchanged, else parsed, in parallel."""
    from automodel_lint.results_cache import digest
    analyses: list[Analysis | None] = [None] * len(paths)
    to_parse: list[int] = []
    stats: dict[int, tuple[os.stat_result, str]] = {}
    for i, path in enumerate(paths):
        if cache is None or path.endswith(".ipynb"):
            to_parse.append(i)
            continue
        try:
            st = os.stat(path)
        except OSError:
            to_parse.append(i)  # analyse_file reports it
            continue
        entry = cache.lookup(path, st)
        if entry is None and st.st_size <= options.max_file_size:
            try:
                data = read_source(path, options.max_file_size)
            except (TooLarge, Unreadable):
                to_parse.append(i)
                continue
            sha = digest(data)
            entry = cache.lookup_content(path, st, sha)
            if entry is None and not _may_hold_calls(data):
                analyses[i] = Analysis(path)  # cannot hold a call: nothing to parse, remember so
                cache.store(path, st, sha, [], analyses[i].result, [])
                continue
            stats[i] = (st, sha)
        if entry is not None:
            analyses[i] = _restored(path, entry)
        else:
            to_parse.append(i)
    for i, analysis in zip(to_parse, _parse_all([paths[i] for i in to_parse], options)):
        analyses[i] = analysis
        if cache is not None and i in stats and analysis.notebook is None:
            st, sha = stats[i]
            cache.store(paths[i], st, sha, analysis.sites, analysis.result, analysis.lines)
    return analyses  # type: ignore[return-value]


def _restored(path: str, entry: dict) -> Analysis:
    from automodel_lint.results_cache import ResultsCache

    sites, diagnostics, skipped, lines = ResultsCache.restore(entry)
    analysis = Analysis(path, sites=sites, lines=lines, verdicts=entry.get("verdicts"))
    analysis.result.diagnostics = diagnostics
    analysis.result.skipped = skipped
    return analysis


def _parse_all(paths: list[str], options: Options) -> list[Analysis]:
    jobs = min(options.jobs, len(paths) // MIN_FILES_PER_JOB)
    if jobs <= 1:
        return [analyse_file(p, options.max_file_size) for p in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the workers start with this process's imports (LibCST, the tables) instead of importing again.
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return list(pool.map(analyse_file, paths, [options.max_file_size] * len(paths), chunksize=4))
    except BrokenProcessPool:
        # A worker died (a parser crash the hazard checks did not foresee): find the file, one at a time.
        return [_isolated(p, options.max_file_size, context) for p in paths]
    except (OSError, RuntimeError):  # no processes to be had (a sandbox): parse here
        return [analyse_file(p, options.max_file_size) for p in paths]


def _isolated(path: str, max_size: int, context) -> Analysis:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(analyse_file, path, max_size).result()
    except BrokenProcessPool:
        analysis = Analysis(path)
        analysis.result.skipped = "the parser crashed on it (please report the file)"
        return analysis


def check_source(path: str, data: bytes, options: Options) -> Report:
    """One file's bytes that are not on disk (stdin, an editor buffer)."""
    table = knowledge.current_table(options.cache_dir)
    report = _report([analyse_source(path, data)], options, table, [])
    report.stdin_bytes = data
    return report


def _report(analyses: list[Analysis], options: Options, table: KnowledgeTable, problems, cache=None) -> Report:
    results, unresolved, answers = _judge(analyses, options, table, None, cache)
    return Report(
        results, unresolved, problems, table, sites=sum(len(a.sites) for a in analyses),
        answers=answers, sources={a.path: a.source for a in analyses if a.source is not None},
        notebooks={a.path: (a.raw, a.notebook) for a in analyses if a.notebook is not None and a.sites},
    )


def collect_requests(paths: list[str], options: Options | None = None) -> set[ModelRequest]:
    """Every model value the code under `paths` names, for `automodel-lint lock`."""
    options = options or Options()
    walk = discover(paths, options.exclude)
    return requests_of(analyse_file(f.path, options.max_file_size) for f in walk.files)
