"""Tagging speed on CPU: the shipped default model vs. a BERT-base-sized encoder with random weights.

    python benchmarks/tagger_speed.py                     # 2 threads, all seed reports (corpora/raw/*.txt)
    python benchmarks/tagger_speed.py --threads 2 --base-chars 4000

Both run the same :class:`govie.tagger.Tagger` path (windows, batching, constrained decoding); the
BERT-base encoder (12 layers x 768, 21,128-token vocabulary as in bert-base-chinese) is timed on the
first ``--base-chars`` characters only so that the run stays short. Prints characters per second and
the ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def chars_per_second(tagger, texts: list[str], batch_size: int) -> tuple[float, float]:
    tagger.predict_batch([texts[0][:300]], batch_size=batch_size)  # warm-up
    began = time.perf_counter()
    tagger.predict_batch(texts, batch_size=batch_size)
    seconds = time.perf_counter() - began
    return sum(map(len, texts)) / seconds, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--raw", default=str(ROOT / "corpora" / "raw"), help="folder of seed report .txt files")
    parser.add_argument("--model", help="model folder (default: the shipped model)")
    parser.add_argument("--base-chars", type=int, default=4000, help="characters timed for the BERT-base encoder")
    args = parser.parse_args(argv)

    import torch
    from transformers import BertConfig

    from govie.configuration import GovieTaggerConfig
    from govie.modeling import GovieTaggerModel
    from govie.tagger import Tagger

    torch.set_num_threads(args.threads)
    files = sorted(Path(args.raw).glob("*.txt"))
    if not files:
        print(f"{args.raw}: no .txt files", file=sys.stderr)
        return 2
    texts = [f.read_text(encoding="utf-8") for f in files]
    default = Tagger.from_pretrained(args.model, device="cpu")
    speed, seconds = chars_per_second(default, texts, args.batch_size)
    enc = default.config.encoder
    print(f"torch threads: {torch.get_num_threads()}; {len(texts)} seed reports, {sum(map(len, texts))} characters")
    print(f"default ({enc.num_hidden_layers}x{enc.hidden_size}): {speed:,.0f} chars/s ({seconds:.1f} s)")

    torch.manual_seed(0)
    base_encoder = BertConfig(vocab_size=21128, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                              intermediate_size=3072, max_position_embeddings=512)
    config = GovieTaggerConfig(base_encoder, window_length=default.config.window_length, stride=default.config.stride)
    base = Tagger(GovieTaggerModel(config), default.tokenizer, device="cpu")
    subset, left = [], args.base_chars
    for text in texts:
        if left <= 0:
            break
        subset.append(text[:left])
        left -= len(subset[-1])
    base_speed, base_seconds = chars_per_second(base, subset, args.batch_size)
    print(f"BERT-base-sized (12x768, random weights): {base_speed:,.0f} chars/s "
          f"({base_seconds:.1f} s on {sum(map(len, subset))} characters)")
    print(f"ratio default / BERT-base: {speed / base_speed:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
