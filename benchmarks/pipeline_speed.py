"""Speed of the whole govie pipeline: model load time, characters per second, peak memory.

    python benchmarks/pipeline_speed.py                      # CPU, and the GPU too when one is visible
    python benchmarks/pipeline_speed.py --device cpu --repeat 3 --json

The input is the bundled seed reports (corpora/raw/*.txt), each processed as one document with its
metadata inferred, as `govie extract` does. One warm-up pass runs first (lazy imports, kernels);
the timed passes follow. Peak memory is the process's peak resident set (CPU) and the peak of
torch's allocator (GPU). Prints one table row per device (and JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _move(nlp, device: str) -> str:
    """Put the tagger's network on ``device``; returns where it runs ('rules' for the rule tagger)."""
    import torch

    tagger = nlp.tagger
    model = getattr(tagger, "model", None)
    if model is None:
        return "rules"
    tagger.device = torch.device(device)  # govie.tagger.Tagger moves its inputs to .device
    tagger.model = model.to(tagger.device)
    return device


def bench(device: str, texts: list[str], repeat: int, batch_size: int) -> dict:
    import torch

    import govie

    t0 = time.perf_counter()
    nlp = govie.load()
    load_s = time.perf_counter() - t0
    ran_on = _move(nlp, device)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    list(nlp.pipe(texts[:2], show_progress=False))  # warm-up
    times = []
    tuples = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        results = list(nlp.pipe(texts, batch_size=batch_size, show_progress=False))
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
        tuples = sum(len(r.tuples) for r in results)
    chars = sum(len(t) for t in texts)
    best = min(times)
    return {
        "device": device if ran_on != "rules" else "cpu (rule tagger)",
        "tagger": type(nlp.tagger).__name__,
        "linker": getattr(nlp.linker, "name", type(nlp.linker).__name__),
        "documents": len(texts),
        "characters": chars,
        "tuples": tuples,
        "load_s": round(load_s, 2),
        "seconds_best": round(best, 2),
        "seconds_median": round(statistics.median(times), 2),
        "chars_per_s": round(chars / best),
        "peak_rss_mib": round(_peak_rss_mib()),
        "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20) if device == "cuda" else None,
        "threads": torch.get_num_threads(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="auto: CPU, then the GPU when one is visible")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (the best is reported)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--copies", type=int, default=1, help="process the seed reports this many times over")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    args = parser.parse_args(argv)

    import torch

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "raw").glob("*.txt"))] * args.copies
    if not texts:
        print(f"no reports in {ROOT / 'corpora' / 'raw'}", file=sys.stderr)
        return 2
    devices = ["cpu", "cuda"] if args.device == "auto" else [args.device]
    if "cuda" in devices and not torch.cuda.is_available():
        if args.device == "cuda":
            print("no GPU visible", file=sys.stderr)
            return 2
        devices.remove("cuda")
    rows = [bench(d, texts, args.repeat, args.batch_size) for d in devices]
    machine = {"python": platform.python_version(), "torch": torch.__version__, "cpu": platform.processor() or platform.machine(),
               "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    if args.json:
        print(json.dumps({"machine": machine, "rows": rows}, ensure_ascii=False, indent=1))
        return 0
    print(f"machine: {machine}")
    print(f"{'device':<20}{'docs':>6}{'chars':>9}{'tuples':>8}{'load s':>8}{'best s':>8}{'chars/s':>10}"
          f"{'peak RSS MiB':>14}{'peak GPU MiB':>14}")
    for r in rows:
        print(f"{r['device']:<20}{r['documents']:>6}{r['characters']:>9}{r['tuples']:>8}{r['load_s']:>8}"
              f"{r['seconds_best']:>8}{r['chars_per_s']:>10}{r['peak_rss_mib']:>14}{str(r['peak_gpu_mib'] or '-'):>14}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
