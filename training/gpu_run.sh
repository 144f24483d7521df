#!/usr/bin/env bash
# One long pretraining run for a lent GPU (the device tool), then the candidate tagger on top of it,
# scored on dev. 20,000 steps of 128 x 256 characters are ~230 passes over the unlabeled corpus (test
# sources left out); at the guide's 2.8 M characters/s on an H100 that is about 4 minutes.
#   bash training/gpu_run.sh            # writes runs/pretrain-gpu, runs/finetune-gpu, runs/eval/dev_gpu.json
# Resumable: INIT=runs/pretrain-gpu bash training/gpu_run.sh continues the encoder (its curve too).
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-training/configs/gpu_pretrain.json}
mkdir -p runs/eval
python training/build_lexicon.py --config "$CONFIG"
python training/pretrain.py --config "$CONFIG" ${INIT:+--init "$INIT"}
python training/finetune.py --config "$CONFIG"
python benchmarks/split_eval.py --split dev --models rules,runs/finetune-gpu --json runs/eval/dev_gpu.json
