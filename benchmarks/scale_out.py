"""Scale-out of ``govie panel``: one process vs 2 worker processes vs Dask vs Ray Data, same files.

    python benchmarks/scale_out.py                       # corpora/raw, the shipped model, workers=2
    python benchmarks/scale_out.py --model rules --engines one,local,dask
    python benchmarks/scale_out.py --engines one,local,dask,ray --repeat 2   # Ray Data: pip install 'ray[data]'

Every run starts cold, as a user's command does: pool or cluster start-up and one model load per
worker are inside the wall time. Memory is sampled every 0.2 s over this process and all its
descendants: the peak RSS of each process that ran files (the transform running inside it reports
its pid) is the memory per worker, the peak of the summed RSS of this process's descendants (workers,
pool and cluster daemons) that of the engine; for ``one`` that is this process itself, which keeps
the model of the one-process run loaded, so it is left out of the other engines' sum. (``ru_maxrss`` is no measure here: a process forked from this one
and exec'ed keeps this one's peak.) The rows of
every run are compared with those of the one-process run of the same round (they must be identical).
With ``--repeat N`` the engines run in turn N times (the machine's other load changes over minutes,
so every engine sees it alike) and the best wall time of each is reported. Ray Data runs
here only to be measured against Dask (``map_batches`` over an actor pool, the model loaded once
per actor); govie itself ships the local and Dask engines (``govie.parallel``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def measured_rows(result):
    """A transform (runs in the worker): the file's rows and the worker's pid."""
    from govie.panels import tuple_rows

    return {"rows": tuple_rows(result), "pid": os.getpid()}


class TreeMemory:
    """Peak RSS of each process of the tree, and of the summed RSS of this process's descendants (and
    of this process when ``include_self``), sampled in a thread while in use."""

    def __init__(self, include_self: bool) -> None:
        self.include_self = include_self

    def __enter__(self):
        import threading

        self.peak, self.per_process, self._stop = 0, {}, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    rss = process.memory_info().rss
                except psutil.Error:
                    continue
                total += rss if process.pid != me.pid or self.include_self else 0
                self.per_process[process.pid] = max(self.per_process.get(process.pid, 0), rss)
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_govie(paths, options, engine: str, workers: int):
    from govie.parallel import extract_files

    results = extract_files(paths, options, workers=workers, engine=engine, transform=measured_rows,
                            show_progress=False)
    return [r.result for r in results]


class _RayExtractor:
    """One Ray actor: loads the pipeline once (on its first file) and extracts the files of each batch."""

    def __init__(self, options):
        self.options = options

    def __call__(self, batch):
        from govie.parallel import process_file

        out = [process_file(str(p), self.options, measured_rows).result for p in batch["path"]]
        return {"path": list(batch["path"]), "payload": [json.dumps(o, ensure_ascii=False) for o in out]}


def run_ray(paths, options, workers: int):
    import ray
    import ray.data

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ds = ray.data.from_items([{"path": p} for p in paths])
        done = ds.map_batches(_RayExtractor, fn_constructor_args=(options,), batch_size=1,
                              compute=ray.data.ActorPoolStrategy(size=workers)).take_all()
    finally:
        ray.shutdown()
    by_path = {d["path"]: json.loads(d["payload"]) for d in done}
    return [by_path[p] for p in paths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "corpora" / "raw")])
    parser.add_argument("--model", default=None, help="'rules' or a model folder (default: the shipped model)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="one,local,dask,ray")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of all engines in turn (best wall time kept)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from govie.parallel import ExtractOptions
    from govie.textio import expand_paths

    paths = [str(p) for p in expand_paths(args.paths)]
    chars = sum(len(Path(p).read_text(encoding="utf-8")) for p in paths)
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        reference = None
        for engine in args.engines.split(","):
            workers = 1 if engine == "one" else args.workers
            options = ExtractOptions(model=args.model, threads=max(1, (os.cpu_count() or 1) // workers))
            load = os.getloadavg()[0]
            start = time.perf_counter()
            try:
                with TreeMemory(include_self=engine == "one") as memory:
                    out = run_ray(paths, options, workers) if engine == "ray" else \
                        run_govie(paths, options, "local" if engine == "one" else engine, workers)
            except ImportError as err:
                best[engine] = {"engine": engine, "error": str(err)}
                continue
            wall = time.perf_counter() - start
            rows = [o["rows"] for o in out]
            pids = {o["pid"] for o in out}
            reference = rows if reference is None else reference
            run = {"engine": engine, "workers": workers, "files": len(paths), "chars": chars,
                   "tuples": sum(map(len, rows)), "wall_s": round(wall, 2), "chars_per_s": round(chars / wall),
                   "processes": len(pids),
                   "peak_mib_per_worker": round(max(memory.per_process.get(p, 0) for p in pids) / 2**20),
                   "peak_mib_all_processes": round(memory.peak / 2**20),
                   "load_avg_at_start": round(load, 2), "identical_to_one_process": rows == reference}
            print(f"run: {engine} {run['wall_s']} s, load {run['load_avg_at_start']}, "
                  f"identical {run['identical_to_one_process']}", file=sys.stderr, flush=True)
            previous = best.get(engine)
            if previous is None or "error" in previous or run["wall_s"] < previous["wall_s"]:
                run["identical_to_one_process"] &= previous is None or previous["identical_to_one_process"]
                best[engine] = run
            else:
                previous["identical_to_one_process"] &= run["identical_to_one_process"]
    table = list(best.values())
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=1))
        return
    one = next((r["wall_s"] for r in table if r.get("engine") == "one"), None)
    print("| engine | workers | files | tuples | wall s | speed-up | chars/s | peak RSS MiB per worker "
          "| peak RSS MiB, all its processes | identical | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in table:
        if "error" in r:
            print(f"| {r['engine']} | - | - | - | - | - | - | - | - | {r['error']} | - |")
            continue
        speedup = f"{one / r['wall_s']:.2f}" if one else "-"
        print(f"| {r['engine']} | {r['workers']} | {r['files']} | {r['tuples']} | {r['wall_s']} | {speedup} | "
              f"{r['chars_per_s']:,} | {r['peak_mib_per_worker']} | {r['peak_mib_all_processes']} | "
              f"{r['identical_to_one_process']} | "
              f"{r['load_avg_at_start']} |")


if __name__ == "__main__":
    main()
