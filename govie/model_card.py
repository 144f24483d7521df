"""The model cards (``README.md``) written beside a saved tagger or linker: data, configuration, figures."""

from __future__ import annotations

import json
from typing import Any, Mapping

from govie.configuration import GovieTaggerConfig

LABEL_ORDER = ("IND", "VAL", "UNIT", "PER", "TOWN", "micro avg")


def scores_table(scores: Mapping[str, Mapping[str, float]]) -> str:
    """A Markdown table of seqeval scores (label -> precision/recall/f1/support)."""
    lines = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in [l for l in LABEL_ORDER if l in scores] + sorted(set(scores) - set(LABEL_ORDER)):
        s = scores[label]
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s.get('support', '')} |")
    return "\n".join(lines)


def model_card(config: GovieTaggerConfig, *, training: Mapping[str, Any] | None = None) -> str:
    """Markdown card. ``training`` may hold ``data`` (text), ``settings`` (dict), ``figures``
    (name -> seqeval scores), ``command`` and ``notes``."""
    training = dict(training or {})
    encoder = config.encoder
    size = (f"{encoder.num_hidden_layers} layers x {encoder.hidden_size} hidden, "
            f"{encoder.num_attention_heads} heads, vocabulary {encoder.vocab_size}")
    parts = [
        "---",
        "language: zh",
        "library_name: govie",
        "tags: [token-classification, govie]",
        "---",
        "",
        "# govie span tagger",
        "",
        "Tags IND, VAL, UNIT, PER and TOWN spans (character BIO, constrained decoding) in Chinese "
        "local-government reports; see the govie annotation guidelines.",
        "",
        "## Model",
        "",
        f"- encoder: `{encoder.model_type}`, {size}",
        f"- tokenizer: `{config.tokenizer_kind}`; windows of {config.window_length} tokens, stride {config.stride} characters",
        f"- tags: {', '.join(config.tags)}",
        f"- govie version: {config.govie_version}",
        "",
        "## Training data",
        "",
        training.get("data", "not recorded"),
        "",
    ]
    if training.get("settings"):
        parts += ["## Configuration", "", "```json",
                  json.dumps(training["settings"], ensure_ascii=False, indent=1), "```", ""]
    figures = training.get("figures") or {}
    parts += ["## Evaluation", ""]
    if not figures:
        parts += ["No figures recorded.", ""]
    for name, scores in figures.items():
        parts += [f"### {name}", "", "seqeval, strict IOB2 over character tags.", "", scores_table(scores), ""]
    if training.get("command"):
        parts += ["## Reproduce", "", "```bash", training["command"], "```", ""]
    if training.get("notes"):
        parts += ["## Notes", "", training["notes"], ""]
    parts += ["## Use", "", "```python", "from govie.tagger import Tagger",
              "tagger = Tagger.from_pretrained()  # this folder when shipped as govie/models/default",
              "tagger.predict(\"上半年,实现财政总收入17.03亿元\", town=\"瓜沥镇\")", "```", ""]
    return "\n".join(parts)


def linker_card(config: Mapping[str, Any]) -> str:
    """Markdown card of a saved :class:`govie.relation_model.LearnedLinker` from its ``config.json``
    content (hyper-parameters, the encoder it reads, and the ``metrics`` recorded at training)."""
    settings = {k: v for k, v in config.items() if k != "metrics"}
    metrics = dict(config.get("metrics") or {})
    trained_on = metrics.pop("trained_on", None)
    if config.get("dense"):
        encoder = (f"a dense part over span representations from a tagger's encoder (hidden size "
                   f"{config.get('hidden_size')}, weights sha256 `{config.get('encoder_fingerprint')}`); with "
                   "another tagger, or the rule tagger, only the hashed features score")
    else:
        encoder = "hashed features only (no encoder states)"
    parts = [
        "---", "language: zh", "library_name: govie", "tags: [relation-extraction, govie]", "---", "",
        "# govie relation layer", "",
        "Links each VAL span to one IND span (a listwise softmax over the indicators of its sentence and "
        "the one before), for the tuples of the govie annotation guidelines.", "",
        "## Model", "", f"- scorer: linear over hashed pair features (distance, order, punctuation, spans and text "
        f"between, indicator n-grams) plus {encoder}",
        f"- govie version: {config.get('govie_version')}", "",
        "## Training data", "",
        f"```json\n{json.dumps(trained_on, ensure_ascii=False, indent=1)}\n```" if trained_on else "not recorded", "",
        "## Configuration", "", "```json", json.dumps(settings, ensure_ascii=False, indent=1), "```", "",
        "## Evaluation", "",
    ]
    if metrics:
        parts += ["Recorded at training (indicator accuracy on gold spans; measure/status: cues vs a learned "
                  "classifier). Tuple figures: `benchmarks/tuples_cv.py`.", "",
                  "```json", json.dumps(metrics, ensure_ascii=False, indent=1), "```", ""]
    else:
        parts += ["No figures recorded.", ""]
    parts += ["## Reproduce", "", "```bash", "python training/train_linker.py", "```", ""]
    return "\n".join(parts)
