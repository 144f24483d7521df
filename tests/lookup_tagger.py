"""A tagger with a context-free 'encoder' whose hidden state per character is a fixed row of tag
scores, so its output is known exactly at any window size (shared by the tagger and linker tests)."""

from __future__ import annotations

from typing import Mapping

import torch
from torch import nn
from transformers import BertConfig
from transformers.modeling_outputs import BaseModelOutput

from govie.configuration import GovieTaggerConfig
from govie.labels import BIO_TAGS
from govie.modeling import GovieTaggerModel
from govie.tagger import Tagger
from govie.tokenizer import CharTokenizer


class LookupEncoder(nn.Module):
    """Each token's hidden state is a fixed vector of tag scores."""

    def __init__(self, table: torch.Tensor):
        super().__init__()
        self.table = nn.Embedding.from_pretrained(table, freeze=True)

    def forward(self, input_ids=None, attention_mask=None, **kwargs):
        return BaseModelOutput(last_hidden_state=self.table(input_ids))


def lookup_tagger(chars: str, scores: Mapping[str, Mapping[str, float]], *, window_length: int,
                  stride: int | None = None) -> Tagger:
    """A tagger over the vocabulary ``chars``: a character of ``scores`` gets those tag scores (-5 for
    the other tags), any other character says O."""
    tokenizer = CharTokenizer(list(chars))
    table = torch.full((tokenizer.vocab_size, len(BIO_TAGS)), -5.0)
    table[:, BIO_TAGS.index("O")] = 0.0
    for char, tag_scores in scores.items():
        row = tokenizer.token_id(char)
        table[row] = -5.0
        for tag, score in tag_scores.items():
            table[row, BIO_TAGS.index(tag)] = score
    encoder_config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=len(BIO_TAGS))
    config = GovieTaggerConfig(encoder_config, window_length=window_length, stride=stride, classifier_dropout=0.0)
    model = GovieTaggerModel(config, encoder=LookupEncoder(table))
    with torch.no_grad():
        model.classifier.weight.copy_(torch.eye(len(BIO_TAGS)))
        model.classifier.bias.zero_()
    return Tagger(model, tokenizer, device="cpu")
