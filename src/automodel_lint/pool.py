"""The worker processes that parse files in parallel, and what is done when they cannot be had or die."""

from __future__ import annotations

from automodel_lint.analysis import Analysis, analyse_file, skipped

# Below this many files to parse, starting worker processes costs more than it saves.
MIN_FILES_PER_JOB = 4


def parse_all(paths: list[str], jobs: int, max_size: int, uses: bool = False, earlier: list | None = None
              ) -> list[Analysis]:
    """Every file's analysis, in the order of `paths`, with up to `jobs` processes (`uses`, `earlier`: each file's
    analyse_file arguments)."""
    earlier = earlier or [None] * len(paths)
    jobs = min(jobs, len(paths) // MIN_FILES_PER_JOB)
    if jobs <= 1:
        return [analyse_file(p, max_size, uses, e) for p, e in zip(paths, earlier)]
    # Imported here: a run with few files to parse does not pay for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # fork: the workers start with this process's imports (LibCST, the tables) instead of importing again.
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return list(pool.map(analyse_file, paths, [max_size] * len(paths), [uses] * len(paths), earlier,
                                 chunksize=4))
    except BrokenProcessPool:
        # A worker died (a parser crash the hazard checks did not foresee): find the file, one at a time.
        return [_isolated(p, max_size, context, uses) for p in paths]
    except (OSError, RuntimeError):  # no processes to be had (a sandbox): parse here
        return [analyse_file(p, max_size, uses, e) for p, e in zip(paths, earlier)]


def _isolated(path: str, max_size: int, context, uses: bool) -> Analysis:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(analyse_file, path, max_size, uses).result()
    except BrokenProcessPool:
        return skipped(path, "the parser crashed on it (please report the file)")
