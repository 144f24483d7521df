"""The model card (``README.md``) written beside a saved tagger: data, configuration, figures."""

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
