"""Build govie's small spacy-pkuseg model (shipped in govie/resources/pkuseg/).

spacy-pkuseg's pretrained models are downloaded at run time, which govie cannot do, so this script
trains one from what is available offline:

1. a lexicon: the word list that ships inside the spacy_pkuseg package (``dicts/default.pkl``, a pickled
   ``str``, read with an unpickler that refuses every global, so it cannot run code) filtered to
   CJK words of 2-6 characters, plus the IND/UNIT/PER/TOWN span texts of the training gold documents;
2. silver segmentation of the unlabeled reports: numbers with their magnitude characters are one word
   (``17.03亿`` ``元``, as the guidelines split VAL and UNIT), every other CJK run is cut by forward
   maximum matching over the lexicon;
3. spacy_pkuseg's own CRF trainer for a few iterations, then pruning of features with (near) zero
   weight, so that the model stays small (a few MB).

It then measures, on held-out gold documents (their spans never enter the lexicon), how many span
boundaries fall on token boundaries, for the trained model and for the silver segmenter, and writes
the figures to ``metrics.json`` beside the model.

    python training/pkuseg/build_segmenter.py --out govie/resources/pkuseg

Every hyperparameter is a command-line option with its default shown by ``--help``.
"""

from __future__ import annotations

import argparse
import json
import logging
import lzma
import pickle
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import srsly

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "corpora"
logger = logging.getLogger("build_segmenter")

# Numbers with their magnitude characters form one word; the unit after them is another.
_NUMBER = r"[0-9０-９]+(?:[.,，．][0-9０-９]+)*[十百千万亿]*"
_TOKEN = re.compile(rf"(?P<num>{_NUMBER})|(?P<latin>[A-Za-zＡ-Ｚａ-ｚ]+)|(?P<cjk>[\u4e00-\u9fff]+)|(?P<space>\s+)|(?P<other>.)")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,6}")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])")
DEFAULT_HOLDOUT = ("jincheng-2023", "suoqian-2022", "guali-2024q1-news")


class _StrOnlyUnpickler(pickle.Unpickler):
    """The package's word list is a pickled ``str``; refuse anything that would import a global."""

    def find_class(self, module, name):  # noqa: D401 - pickle API
        raise pickle.UnpicklingError(f"refusing global {module}.{name} in a word list")


def package_lexicon() -> set[str]:
    import spacy_pkuseg

    path = Path(spacy_pkuseg.__file__).parent / "dicts" / "default.pkl"
    with open(path, "rb") as f:
        data = _StrOnlyUnpickler(f).load()
    if not isinstance(data, str):
        raise TypeError(f"{path}: expected a pickled str, got {type(data).__name__}")
    return {w for w in data.split("\n") if _CJK_WORD.fullmatch(w)}


def gold_documents(gold_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))]


def unlabeled_texts(path: Path) -> list[str]:
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def forward_max_match(run: str, lexicon: set[str], max_len: int) -> list[str]:
    words, i = [], 0
    while i < len(run):
        for length in range(min(max_len, len(run) - i), 0, -1):
            piece = run[i:i + length]
            if length == 1 or piece in lexicon:
                words.append(piece)
                i += length
                break
    return words


def silver_segment(text: str, lexicon: set[str], max_len: int) -> list[str]:
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        kind, piece = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "cjk":
            words.extend(forward_max_match(piece, lexicon, max_len))
        else:
            words.append(piece)
    return words


def boundary_alignment(docs: list[dict], segment) -> dict[str, float]:
    """Share of gold span starts/ends that fall on a token boundary of ``segment(text)``."""
    hits = total = spans_whole = 0
    for doc in docs:
        text = doc["text"]
        cuts, pos = {0, len(text)}, 0
        for word in segment(text):
            start = text.find(word, pos)
            if start < 0:
                raise ValueError(f"{doc['id']}: token {word!r} not found after offset {pos}")
            cuts.update((start, start + len(word)))
            pos = start + len(word)
        for span in doc["spans"]:
            ok = (span["start"] in cuts) + (span["end"] in cuts)
            hits += ok
            total += 2
            spans_whole += ok == 2
    n = total // 2
    return {"boundaries": round(hits / total, 4), "spans_whole": round(spans_whole / n, 4), "spans": n}


def prune_model(src: Path, dst: Path, *, threshold: float) -> dict[str, int]:
    """Drop features whose weights are all below ``threshold``; keep only words the kept features use."""
    data = srsly.read_msgpack(src / "features.msgpack")
    npz = np.load(src / "weights.npz")
    n_tag, n_feature = (int(x) for x in npz["sizes"])
    w = npz["w"]
    node = w[: n_tag * n_feature].reshape(n_feature, n_tag)
    edge = w[n_tag * n_feature:]
    idx_to_feature = {i: f for f, i in data["feature_to_idx"].items()}
    keep = [i for i in range(n_feature) if i == 0 or np.abs(node[i]).max() >= threshold]
    feature_to_idx = {idx_to_feature[i]: new for new, i in enumerate(keep)}
    words: set[str] = set()
    for feature in feature_to_idx:
        if feature.startswith(("w-1.", "w1.")):
            words.add(feature.split(".", 1)[1])
        elif feature.startswith(("ww.l.", "ww.r.")):
            words.update(feature[5:].split("*"))
    unigram = sorted(w_ for w_ in data["unigram"] if w_ in words)
    dst.mkdir(parents=True, exist_ok=True)
    srsly.write_msgpack(dst / "features.msgpack", {
        "unigram": unigram, "bigram": [], "feature_to_idx": feature_to_idx, "tag_to_idx": data["tag_to_idx"]})
    new_w = np.concatenate([node[keep].reshape(-1), edge]).astype(np.float64)
    np.savez_compressed(dst / "weights.npz", sizes=np.array([n_tag, len(keep)]), w=new_w)
    return {"features_before": n_feature, "features_after": len(keep), "unigram": len(unigram)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "govie" / "resources" / "pkuseg")
    parser.add_argument("--gold", type=Path, default=None, help="gold folder (default corpora/gold, else ../shared)")
    parser.add_argument("--unlabeled", type=Path, default=None,
                        help="reports.jsonl[.xz] (default corpora/unlabeled, else ../shared)")
    parser.add_argument("--holdout", nargs="*", default=list(DEFAULT_HOLDOUT),
                        help="gold ids kept out of the lexicon, used to measure boundary alignment")
    parser.add_argument("--max-chars", type=int, default=400_000, help="characters of silver training text")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--feature-trim", type=int, default=2, help="drop features seen this often or less")
    parser.add_argument("--prune", type=float, default=0.01, help="drop features whose |weight| stays below")
    parser.add_argument("--max-word", type=int, default=8, help="longest lexicon word for maximum matching")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    random.seed(args.seed)

    gold_dir = args.gold or next(p for p in (ROOT / "corpora" / "gold", SHARED / "gold") if p.is_dir())
    unlabeled = args.unlabeled or next(
        p for p in (ROOT / "corpora" / "unlabeled" / "reports.jsonl.xz", SHARED / "unlabeled" / "reports.jsonl")
        if p.exists())
    docs = gold_documents(gold_dir)
    held = [d for d in docs if d["id"] in set(args.holdout)]
    train_docs = [d for d in docs if d["id"] not in set(args.holdout)]
    lexicon = package_lexicon()
    gold_words = {s["text"] for d in train_docs for s in d["spans"]
                  if s["label"] in ("IND", "UNIT", "PER", "TOWN") and 1 < len(s["text"]) <= args.max_word
                  and re.fullmatch(r"[\u4e00-\u9fff]+", s["text"])}
    lexicon |= gold_words
    logger.info("lexicon: %d words (%d from %d training gold documents)", len(lexicon), len(gold_words),
                len(train_docs))

    sentences = [s.strip() for text in unlabeled_texts(unlabeled) for s in _SENTENCE_END.split(text) if s.strip()]
    sentences += [s.strip() for d in train_docs for s in _SENTENCE_END.split(d["text"]) if s.strip()]
    random.shuffle(sentences)
    chosen, size = [], 0
    for sentence in sentences:
        if size >= args.max_chars:
            break
        chosen.append(" ".join(silver_segment(sentence, lexicon, args.max_word)))
        size += len(sentence)
    n_test = max(50, len(chosen) // 50)
    logger.info("silver data: %d sentences, %d characters (%d for the trainer's own test)",
                len(chosen), size, n_test)

    import spacy_pkuseg
    from spacy_pkuseg.config import config as pkuseg_config

    pkuseg_config.featureTrim = args.feature_trim
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "train.txt").write_text("\n".join(chosen[n_test:]) + "\n", encoding="utf-8")
        (tmp / "test.txt").write_text("\n".join(chosen[:n_test]) + "\n", encoding="utf-8")
        spacy_pkuseg.train(str(tmp / "train.txt"), str(tmp / "test.txt"), str(tmp / "model"),
                           train_iter=args.iterations)
        if args.out.exists():
            shutil.rmtree(args.out)
        pruned = prune_model(tmp / "model", args.out, threshold=args.prune)
    seconds = round(time.time() - started, 1)

    seg = spacy_pkuseg.pkuseg(str(args.out), user_dict=None)
    metrics = {
        "lexicon_words": len(lexicon), "silver_sentences": len(chosen), "silver_chars": size,
        "iterations": args.iterations, "feature_trim": args.feature_trim, "prune": args.prune,
        "train_seconds": seconds, **pruned,
        "size_bytes": sum(p.stat().st_size for p in args.out.iterdir()),
        "heldout_docs": [d["id"] for d in held],
        "heldout_alignment_pkuseg": boundary_alignment(held, seg.cut),
        "heldout_alignment_silver_fmm": boundary_alignment(held, lambda t: silver_segment(t, lexicon, args.max_word)),
        "command": "python training/pkuseg/build_segmenter.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("model in %s: %s", args.out, json.dumps(metrics, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
