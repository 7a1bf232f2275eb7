"""The pipeline: files -> call sites -> model facts (each unique id once) -> verdicts -> diagnostics.

Every stage is a function of the previous stage's records, so the CLI, the flake8 adapter and stdin
input all run the same code. Reading one file is analysis.py's; parsing many at once, pool.py's; reusing
an earlier run's results, results_cache.py's. A file that cannot be read, parsed or judged yields an
HFA900 diagnostic or a skip note and the run goes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable

from automodel_lint import knowledge
from automodel_lint.analysis import Analysis, analyse_file, analyse_source, failed, failure_note
from automodel_lint.knowledge import KnowledgeTable
from automodel_lint.options import Options, make_resolver
from automodel_lint.records import (
    CallSite,
    Diagnostic,
    FileResult,
    ModelFacts,
    ModelRequest,
    Origin,
    Span,
    TokenizerFacts,
    Unjudged,
    Unresolved,
    UseSite,
)
from automodel_lint.sources import discover
from automodel_lint.target import Target, choose


@dataclass
class Report:
    files: list[FileResult]  # each file's diagnostics in the lines of the source judged (what a fix works on)
    unresolved: list[Unresolved]
    problems: list[tuple[str, str]]  # paths that could not be listed or read, and why
    table: KnowledgeTable
    sites: int = 0
    target: Target | None = None  # the transformers version judged for, and why (target.py)
    answers: dict = field(default_factory=dict)  # ModelRequest -> ModelFacts | Unresolved, for re-checking fixes
    sources: dict[str, bytes] = field(default_factory=dict)  # the bytes judged, for files that hold candidates
    stdin_bytes: bytes | None = None  # what stdin held, when the source came from there
    notebooks: dict = field(default_factory=dict)  # path -> (file bytes, NotebookSource) for notebooks with calls

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic as it is shown: a notebook's at its cell and its line in that cell.

        Reporters read these; a fix reads `files`, whose notebook lines count in the cells' joined source.
        """
        return self._shown("diagnostics")

    @property
    def unjudged(self) -> list[Unjudged]:
        """Every call found but not judged, as shown (a notebook's at its cell), in the diagnostics' order."""
        return self._shown("unjudged")

    def placed_diagnostics(self) -> list[tuple[Diagnostic, Diagnostic]]:
        """(as judged, as shown) for every diagnostic, in output order: a source line is read where it was judged."""
        return self._placed("diagnostics")

    def _shown(self, kind: str) -> list:
        """The files' `kind` records in output order, a notebook's placed at their cells."""
        return [shown for _, shown in self._placed(kind)]

    def _placed(self, kind: str) -> list[tuple]:
        pairs: list[tuple] = []
        for result in self.files:
            records = getattr(result, kind)
            entry = self.notebooks.get(result.path)
            if entry is None:
                pairs += zip(records, records)
            else:
                from automodel_lint.report.cells import in_cells

                pairs += zip(records, in_cells(records, entry[1]))
        return sorted(pairs, key=lambda pair: _place(pair[1]))

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.skipped]


def _place(record: Diagnostic | Unjudged) -> tuple:
    """The one order of every output, cold or warm, whatever --jobs: path, cell, line, column, code."""
    return record.path, record.cell or 0, record.span.line, record.span.column, getattr(record, "code", "")


def requests_of(analyses: Iterable[Analysis], uses: bool = True) -> set[ModelRequest]:
    """The model values the analyses' calls name, and those their judged uses' objects came from (`uses`)."""
    analyses = list(analyses)
    found = {request_of(site) for a in analyses for site in a.sites if site.model is not None}
    if uses:
        found.update(origin_request(o, u.path) for a in analyses for u in a.uses for _, o in u.origins)
    return found


def request_of(site: CallSite) -> ModelRequest:
    return ModelRequest(site.model, site.revision, site.subfolder, os.path.dirname(site.path) or ".")


def origin_request(origin: Origin, path: str) -> ModelRequest:
    """The request of the checkpoint a use's object came from, as the call that built it would make it."""
    return ModelRequest(origin.model, origin.revision, origin.subfolder, os.path.dirname(path) or ".")


def use_rules_of(options: Options) -> tuple:
    """The rules about uses this run runs. Every one is a preview rule for now (tests/test_use_rules.py checks it),
    so a run without --preview need not import the rules: a warm run reuses verdicts and imports none."""
    if not options.preview:
        return ()
    from automodel_lint.rules import use_rules

    return use_rules(options.preview, lambda code: selected(code, options))


def selected(code: str, options: Options) -> bool:
    if options.select is not None and not any(code.startswith(s) for s in options.select):
        return False
    return not any(code.startswith(i) for i in options.ignore)


def diagnose(site: CallSite, facts: ModelFacts | None, table: KnowledgeTable,
             preview: bool = False) -> Diagnostic | None:
    from automodel_lint.rules import Case, judge

    found = judge(Case(site, facts, table, knowledge.other_bundled(table.version)), preview)
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
        detail=verdict.detail,
    )


def judge_all(
    analyses: list[Analysis], options: Options, table: KnowledgeTable, answers: dict | None = None,
    tokenizers: dict | None = None,
) -> tuple[list[FileResult], list[Unresolved]]:
    """Diagnostics for every file. `answers` (model facts of earlier passes) are reused, never resolved again,
    and the new ones are added to it; `tokenizers` the same for tokenizer facts: the flake8 adapter keeps one such
    dict of each per process."""
    results, unresolved, found = _judge(analyses, options, table, answers, tokenizers=tokenizers)
    if answers is not None:
        answers.update(found)
    return results, unresolved


def _judge(analyses: list[Analysis], options: Options, table: KnowledgeTable, known: dict | None, cache=None,
           contained: bool = False, tokenizers: dict | None = None):
    """Results, unresolved ids and every answer. `contained`: a file whose judging fails gets a skip note (a
    fix's re-check must see the failure instead: a skip note would read as a clean result). `tokenizers`: tokenizer
    facts already known, to which the new ones are added."""
    answers: dict = dict(known or {})
    fresh: list[Analysis] = []
    found_unresolved: set[Unresolved] = set()
    for analysis in analyses:
        earlier = cache.verdicts(analysis.path) if cache is not None else None
        if earlier is None:
            fresh.append(analysis)
            continue
        analysis.result.diagnostics, missing_facts = earlier
        analysis.result.unjudged = cache.unjudged(analysis.path)
        found_unresolved.update(missing_facts)
    rules = use_rules_of(options)
    needed = requests_of(fresh, uses=bool(rules))
    if cache is not None and needed:
        answers.update({r: a for r, a in cache.answers(needed).items() if r not in answers})
    missing = needed - answers.keys()
    resolver = None
    if missing:
        resolver = make_resolver(options, table)
        answers.update(resolver.resolve_all(missing))
    tokenizers = _tokenizer_answers(fresh, rules, lambda: resolver or make_resolver(options, table), tokenizers)
    if cache is not None and needed:
        cache.keep_answers({r: answers[r] for r in needed})
    found_unresolved.update(a for r, a in answers.items() if r in needed and isinstance(a, Unresolved))
    for analysis in fresh:
        try:
            _judge_file(analysis, answers, options, table, tokenizers, rules)
        except Exception as exc:  # KeyboardInterrupt and SystemExit are no Exceptions: they still stop the run
            if not contained:
                raise
            analysis.result.diagnostics, analysis.result.skipped = [], failure_note(exc)
        else:
            if cache is not None:
                mine = {answers.get(r) for r in requests_of([analysis], uses=bool(rules))}
                cache.keep_verdicts(analysis.path, analysis.result.diagnostics,
                                    [u for u in mine if isinstance(u, Unresolved)], analysis.result.unjudged)
    if cache is not None:
        cache.save()
    results = [a.result for a in analyses]  # in the order the files were named, whichever were reused
    unresolved = sorted(found_unresolved, key=lambda u: (u.model_id, u.reason))
    return results, unresolved, answers


def tokenizer_loads(uses: list[UseSite], rules: tuple) -> dict[Origin, list[int]]:
    """The tokenizer loads whose facts a running rule reads, each with the indexes of the uses (in `uses`) that read
    it. A run resolves the tokenizer facts of these loads and no others, and counts each as a call found."""
    reading = {use for rule in rules if rule.tokenizer_facts for use in rule.uses}
    loads: dict[Origin, list[int]] = {}
    for i, use in enumerate(uses):
        if use.use in reading and use.reason is None:
            for _, origin in use.origins:
                if origin.role == "tokenizer":
                    loads.setdefault(origin, []).append(i)
    return loads


def _tokenizer_answers(analyses: list[Analysis], rules: tuple, resolver, known: dict | None = None) -> dict:
    """Tokenizer facts of the loads whose facts a running rule reads (`tokenizer_loads`): asked only for those, and
    only for those not `known` (which the new answers join)."""
    wanted = {origin_request(o, a.path) for a in analyses for o in tokenizer_loads(a.uses, rules)}
    answers = {r: known[r] for r in wanted if r in (known or {})}
    if wanted - answers.keys():
        answers.update(resolver().resolve_tokenizers(wanted - answers.keys()))
    if known is not None:
        known.update(answers)
    return answers


def _judge_uses(analysis: Analysis, answers: dict, tokenizers: dict, rules: tuple, table: KnowledgeTable) -> None:
    """Each use site's verdict joins the file's diagnostics; a use the rules could not decide is listed as not
    judged, with the reasons, and so is a tokenizer load (`tokenizer_loads`) whose facts are unknown when a use of
    it was not decided."""
    from automodel_lint.rules import UseCase, judge_use
    from automodel_lint.rules.suggestion import shown
    from automodel_lint.unjudged import printable

    result = analysis.result
    decided: set[int] = set()
    for i, use in enumerate(analysis.uses):
        if not any(use.use in rule.uses for rule in rules):
            continue
        if use.reason is not None:
            result.unjudged.append(Unjudged(use.path, use.span, printable(f"{use.use}(): {use.reason}")))
            continue
        requests = {role: origin_request(o, use.path) for role, o in use.origins}
        case = UseCase(use, {role: answers.get(r) for role, r in requests.items()},
                       {role: tokenizers.get(r) for role, r in requests.items()}, table)
        found = judge_use(case, rules)
        if isinstance(found, list):
            if found:
                result.unjudged.append(Unjudged(use.path, use.span, printable(f"{use.use}(): {'; '.join(found)}")))
            else:
                decided.add(i)
            continue
        decided.add(i)
        result.diagnostics.append(_use_diagnostic(use, *found, answers.get(next(iter(requests.values())))))
    for origin, readers in tokenizer_loads(analysis.uses, rules).items():
        answer = tokenizers.get(origin_request(origin, analysis.path))
        # Facts its uses were decided without leave nothing undecided; unknown facts with a use left open do.
        if isinstance(answer, TokenizerFacts) or decided.issuperset(readers):
            continue
        why = answer.reason if isinstance(answer, Unresolved) else "no tokenizer facts"
        where = Span(origin.line, origin.column, origin.line, origin.column)
        result.unjudged.append(Unjudged(analysis.path, where, printable(
            f"{origin.called}.from_pretrained({shown(origin.model)}): {why}")))


def _use_diagnostic(use: UseSite, rule, verdict, answer) -> Diagnostic:
    origin = use.origins[0][1]
    return Diagnostic(
        path=use.path, span=use.span, code=verdict.code, severity=verdict.severity or rule.severity,
        message=verdict.message, model=origin.model, called=use.use, suggestion=verdict.suggestion, fix=verdict.fix,
        facts_source=answer.source if isinstance(answer, ModelFacts) else None, detail=verdict.detail,
    )


def _judge_file(analysis: Analysis, answers: dict, options: Options, table: KnowledgeTable, tokenizers=None,
                rules: tuple = ()) -> None:
    from automodel_lint import unjudged

    result = analysis.result
    result.diagnostics = [d for d in result.diagnostics if selected(d.code, options)]
    result.unjudged = []
    for site in analysis.sites:
        answer = answers.get(request_of(site)) if site.model is not None else None
        facts = answer if isinstance(answer, ModelFacts) else None
        diagnostic = diagnose(site, facts, table, options.preview)
        if diagnostic is None:
            why = unjudged.reason(site, answer, table)
            if why is not None:
                result.unjudged.append(Unjudged(site.path, site.span, why))
        elif selected(diagnostic.code, options):
            result.diagnostics.append(diagnostic)
    if rules:
        _judge_uses(analysis, answers, tokenizers or {}, rules, table)
    if options.noqa and analysis.lines:
        from automodel_lint.noqa import filter_noqa

        result.diagnostics = filter_noqa(analysis.lines, result.diagnostics)
    result.diagnostics.sort(key=lambda d: (d.span.line, d.span.column, d.code))


def check_paths(paths: list[str], options: Options) -> Report:
    target = choose(options)
    table = target.table
    walk = discover(paths, options.exclude)
    cache = None
    if options.result_cache:
        from automodel_lint.results_cache import ResultsCache

        cache = ResultsCache(options, table.version)
    analyses = analyse_files([f.path for f in walk.files], options, cache)
    report = _report(analyses, options, target, walk.problems, cache)
    # Links that leave the walked tree were not followed: named as skipped files are, never silently dropped.
    report.files.extend(FileResult(path, skipped=reason) for path, reason in walk.skipped)
    return report


def analyse_files(paths: list[str], options: Options, cache=None) -> list[Analysis]:
    """Every file's call sites: from the results cache where the file is unchanged, else parsed, in parallel."""
    from automodel_lint.pool import parse_all

    uses = bool(use_rules_of(options))
    analyses = [cache.recall(path, uses) if cache is not None else None for path in paths]
    to_parse = [i for i, analysis in enumerate(analyses) if analysis is None]
    earlier = [cache.earlier(paths[i], uses) for i in to_parse] if cache is not None else None
    parsed = parse_all([paths[i] for i in to_parse], options.jobs, options.max_file_size, uses, earlier)
    for i, analysis in zip(to_parse, parsed):
        analyses[i] = analysis
        if cache is not None:
            cache.remember(analysis)
    return analyses  # type: ignore[return-value]


def check_source(path: str, data: bytes, options: Options) -> Report:
    """One file's bytes that are not on disk (stdin, an editor buffer)."""
    target = choose(options)
    try:
        analysis = analyse_source(path, data, bool(use_rules_of(options)))
    except Exception as exc:  # KeyboardInterrupt and SystemExit are no Exceptions: they still stop the run
        analysis = failed(path, exc)
    report = _report([analysis], options, target, [])
    report.stdin_bytes = data
    return report


def _report(analyses: list[Analysis], options: Options, target: Target, problems, cache=None) -> Report:
    results, unresolved, answers = _judge(analyses, options, target.table, None, cache, contained=True)
    rules = use_rules_of(options)
    # A use a running rule judges is a call found, judged or not, as a load is; and so is a tokenizer load whose
    # facts such a rule reads.
    uses = sum(1 for a in analyses for u in a.uses if any(u.use in rule.uses for rule in rules))
    uses += sum(len(tokenizer_loads(a.uses, rules)) for a in analyses)
    return Report(
        results, unresolved, problems, target.table, sites=sum(len(a.sites) for a in analyses) + uses, target=target,
        answers=answers, sources={a.path: a.source for a in analyses if a.source is not None},
        notebooks={a.path: (a.raw, a.notebook) for a in analyses
                   if a.notebook is not None and (a.sites or a.uses or a.result.diagnostics)},
    )


def collect_requests(paths: list[str], options: Options | None = None) -> set[ModelRequest]:
    """Every model value the code under `paths` names, those the objects of later uses came from included (a
    locked run with --preview needs them), for `automodel-lint lock`."""
    options = options or Options()
    walk = discover(paths, options.exclude)
    return requests_of(analyse_file(f.path, options.max_file_size, uses=True) for f in walk.files)
