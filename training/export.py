"""Stage 4: export the fine-tuned tagger to the package (govie/models/default) with its model card.

    python training/export.py --config training/configs/default.json

Reads ``paths.finetuned`` (from finetune.py), its ``metrics.json`` (dev figures), the pretraining
metrics and, when present, the cross-validation summary (``runs/cv/summary.json``), and writes a
fp32 safetensors model folder of a few MB to ``paths.export``.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from govie.model_card import model_card  # noqa: E402
from govie.tagger import Tagger  # noqa: E402
from govie.training import load_config, repo_path  # noqa: E402

logger = logging.getLogger("govie.training")
LIMIT_BYTES = 25 * 2**20


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    parser.add_argument("--cv", default="runs/cv/summary.json", help="cross-validation summary to cite")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    source = repo_path(config["paths"]["finetuned"])
    target = repo_path(config["paths"]["export"])
    tagger = Tagger.from_pretrained(source, device="cpu")
    metrics = read_json(source / "metrics.json")
    pretrain = read_json(repo_path(config["paths"]["pretrained"]) / "pretrain_metrics.json")
    cv = read_json(repo_path(args.cv))
    figures = dict(metrics.get("figures", {}))
    notes = []
    if cv:
        for name, table in cv["tables"].items():
            figures[f"leave-one-document-out over {len(cv['folds'])} gold documents: {name}"] = table
        notes.append(f"Cross-validation: the same recipe fine-tuned {cv['epochs']} epochs per fold (no dev set), "
                     "rules = govie.rules.RuleTagger.from_documents(other documents); "
                     "`python benchmarks/tagger_cv.py`.")
        micro = {name: table["micro avg"]["f1"] for name, table in cv["tables"].items()}
        verdict = "beats" if micro.get("model", 0) > micro.get("rules", 0) else "does not beat"
        notes.append(f"Cross-validated micro F1: model {micro.get('model', 0):.4f}, rules {micro.get('rules', 0):.4f}: "
                     f"the model {verdict} the rule baseline.")
    if pretrain:
        notes.append(f"MLM pretraining: {pretrain['steps']} steps, held-out MLM loss {pretrain['heldout_mlm_loss']}, "
                     f"{pretrain['seconds']} s on CPU.")
    data = (f"Character vocabulary and masked-language-model pretraining: 191 unlabeled government work reports "
            f"(about 3.1M characters; corpora/unlabeled, not redistributed). Fine-tuning: "
            f"{len(metrics.get('train_documents', []))} gold documents ({', '.join(metrics.get('train_documents', []))}); "
            f"early stopping on {', '.join(metrics.get('dev_documents', [])) or 'nothing'}.")
    training = {"data": data, "settings": {k: config[k] for k in ("seed", "vocab", "encoder", "pretrain", "finetune")},
                "figures": figures, "command": "bash training/reproduce.sh", "notes": "\n\n".join(notes)}
    if target.exists():
        shutil.rmtree(target)
    tagger.save_pretrained(target, card=model_card(tagger.config, training=training))
    size = sum(p.stat().st_size for p in target.iterdir())
    if size > LIMIT_BYTES:
        raise SystemExit(f"{target}: {size} bytes, over the {LIMIT_BYTES} limit")
    check = Tagger.from_pretrained(target, device="cpu")
    probe = "上半年，实现财政总收入17.03亿元，同比增长42.87%。"
    if check.predict(probe) != tagger.predict(probe):
        raise SystemExit(f"{target}: reloaded model predicts differently")
    logger.info("exported %s (%.1f MB)", target, size / 2**20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
