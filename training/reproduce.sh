#!/usr/bin/env bash
# Rebuild the shipped default model (govie/models/default) from the corpora, stage by stage, with the
# fixed seeds of training/configs/default.json. CPU: about 40-60 minutes on 2 cores; GPU used if present.
#   bash training/reproduce.sh            # vocab -> pretrain -> finetune -> cross-validate -> export -> edits -> linker
# The relation layer reads the tagger's encoder, so it is retrained last (govie/models/linker).
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-training/configs/default.json}
mkdir -p runs
python training/build_vocab.py --config "$CONFIG"
python training/pretrain.py --config "$CONFIG" 2>&1 | tee runs/pretrain.log
python training/finetune.py --config "$CONFIG" 2>&1 | tee runs/finetune.log
python benchmarks/tagger_cv.py --config "$CONFIG" 2>&1 | tee runs/cv.log
python training/export.py --config "$CONFIG"
python training/learn_boundary_edits.py 2>&1 | tee runs/boundary_edits.log
python training/train_linker.py 2>&1 | tee runs/train_linker.log
