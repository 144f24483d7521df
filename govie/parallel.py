"""Many report files through the pipeline: in this process, in worker processes, or on a Dask cluster.

The unit of work is one file, read and processed by a worker that loads the pipeline once (per
process, cached here) and hands back a :class:`FileResult`. Every file is processed alone (its
windows batched with each other, never with another file's), so a file's tuples do not depend on
which files it shared a worker with: one process, ``workers=N`` processes and a Dask cluster give
the same rows. A ``transform`` (a picklable function of a :class:`FileResult`) runs inside the
worker, so that only what the caller keeps (the panel's rows, say) travels back.

Engines: ``local`` (this process for one worker, else a pool of spawned processes: no fork of a
process that may hold torch threads) and ``dask`` (``dask.distributed``: a ``LocalCluster`` of
``workers`` processes, or the cluster at ``address``; ``pip install 'govie[dask]'``). Dask was chosen
over Ray Data by measurement (``benchmarks/scale_out.py``, figures in ``benchmarks/README.md``).
Spawned workers import the caller's main module, so a script that uses ``workers > 1`` needs the
usual ``if __name__ == "__main__":`` guard, and a ``transform`` must be importable (not a lambda).
"""

from __future__ import annotations

import logging
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

logger = logging.getLogger(__name__)

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class ExtractOptions:
    """What every worker needs to build its pipeline and run it; metadata given here applies to every file."""

    model: str | None = None
    linker: str = "auto"
    town: str | None = None
    published: str | None = None
    default_period: str | None = None
    reference_month: str | None = None
    #: torch CPU threads per worker (None: the cores divided among the workers)
    threads: int | None = None


@dataclass
class FileResult:
    """One file's outcome: the :class:`govie.pipeline.Extraction` (or what ``transform`` made of it),
    else the one-line reason it could not be read (``error``)."""

    path: str
    encoding: str | None = None
    error: str | None = None
    result: Any = None


_PIPELINES: dict[tuple, Any] = {}


def _pipeline(options: ExtractOptions):
    """The worker process's pipeline for these options, loaded on first use."""
    key = (options.model, options.linker)
    if key not in _PIPELINES:
        from govie.pipeline import load

        _PIPELINES[key] = load(options.model, linker=options.linker)
        torch = sys.modules.get("torch")
        if options.threads and torch is not None:
            torch.set_num_threads(options.threads)
    return _PIPELINES[key]


def process_file(path: str, options: ExtractOptions,
                 transform: Callable[[FileResult], Any] | None = None) -> FileResult:
    """Read and extract one file in this process (the worker function of every engine)."""
    from govie.textio import TextFileError, read_text

    try:
        loaded = read_text(path)
    except TextFileError as err:
        return FileResult(path=path, error=str(err))
    extraction = next(_pipeline(options).pipe(
        [loaded.text], town=options.town, published=options.published, default_period=options.default_period,
        reference_month=options.reference_month, doc_ids=[Path(path).stem], show_progress=False))
    result = FileResult(path=path, encoding=loaded.encoding, result=extraction)
    if transform is not None:
        result.result = transform(result)
    return result


def _process_batch(paths: Sequence[str], options: ExtractOptions,
                   transform: Callable[[FileResult], Any] | None) -> list[FileResult]:
    return [process_file(p, options, transform) for p in paths]


def extract_files(paths: Sequence[str | Path], options: ExtractOptions = ExtractOptions(), *, workers: int = 1,
                  engine: str = "local", address: str | None = None,
                  transform: Callable[[FileResult], Any] | None = None, batch_size: int = 1,
                  show_progress: bool = True) -> list[FileResult]:
    """Results for ``paths``, in their order, whichever engine ran them.

    ``batch_size`` files travel to a worker together (larger batches cut scheduling overhead on a
    cluster; they do not change results). ``address`` (``engine="dask"``) names a running scheduler.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    paths = [str(p) for p in paths]
    if options.threads is None:
        options = replace(options, threads=max(1, (os.cpu_count() or 1) // workers))
    batches = [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]
    done = _run_dask(batches, options, transform, workers, address) if engine == "dask" \
        else _run_local(batches, options, transform, workers)
    out: list[FileResult | None] = [None] * len(batches)
    with _progress(len(paths), show_progress) as bar:
        for index, results in done:
            out[index] = results
            bar.update(len(results))
    return [result for batch in out for result in batch]


def _run_local(batches, options, transform, workers) -> Iterator[tuple[int, list[FileResult]]]:
    if workers == 1 or len(batches) <= 1:
        for index, batch in enumerate(batches):
            yield index, _process_batch(batch, options, transform)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_process_batch, batch, options, transform): i for i, batch in enumerate(batches)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _run_dask(batches, options, transform, workers, address) -> Iterator[tuple[int, list[FileResult]]]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError:
        raise ImportError("engine='dask' needs dask.distributed: pip install 'govie[dask]'") from None
    if address is not None:
        cluster = None
        client = Client(address)
    else:
        # the cluster's start and stop are logged at INFO by loggers that propagate to the caller's handlers
        logging.getLogger("distributed").setLevel(logging.WARNING)
        # the workers' defaults cost a quarter of the time here (benchmarks/README.md): a stack sample every
        # 10 ms, and MALLOC_TRIM_THRESHOLD_=65536 for this allocation-heavy work; torch threads are set per
        # worker from ExtractOptions.threads instead of OMP_NUM_THREADS
        with dask.config.set({"distributed.worker.profile.enabled": False, "distributed.nanny.pre-spawn-environ": {}}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                   scheduler_kwargs={"dashboard": False})
        client = Client(cluster)
    try:
        futures = client.map(_process_batch, batches, options=options, transform=transform, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


def _progress(total: int, show: bool):
    """A tqdm bar over files, or a stand-in that shows nothing."""
    if not show or total <= 1:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="govie", unit="file")
