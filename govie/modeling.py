"""The tagger network: any BERT-like encoder plus a token-classification head, HF-native."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch
from torch import nn
from transformers import AutoModel, PreTrainedModel
from transformers.modeling_outputs import TokenClassifierOutput

from govie.configuration import GovieTaggerConfig
from govie.labels import BIO_TAGS
from govie.lexicon_features import FEATURE_COUNT


class GovieTaggerModel(PreTrainedModel):
    """Encoder (``AutoModel`` from ``config.encoder``) + dropout + linear layer over the BIO tags."""

    config_class = GovieTaggerConfig
    base_model_prefix = "encoder"
    _no_split_modules: list[str] = []

    def __init__(self, config: GovieTaggerConfig, encoder: PreTrainedModel | None = None):
        super().__init__(config)
        if config.encoder is None:
            raise ValueError("GovieTaggerConfig.encoder is None: give an encoder config or use from_encoder()")
        self.encoder = encoder if encoder is not None else _build_encoder(AutoModel.from_config, config.encoder)
        self.dropout = nn.Dropout(config.classifier_dropout)
        self.classifier = nn.Linear(config.encoder.hidden_size, len(config.tags))
        self.rule_embeddings = nn.Embedding(len(config.tags), config.encoder.hidden_size) if config.rule_features \
            else None
        self.lexicon_embeddings = nn.Embedding(FEATURE_COUNT, config.encoder.hidden_size) \
            if config.lexicon_features else None
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        if module is self.rule_embeddings or module is self.lexicon_embeddings:
            nn.init.normal_(module.weight, mean=0.0, std=getattr(self.config.encoder, "initializer_range", 0.02))
        elif module is self.classifier:
            std = getattr(self.config.encoder, "initializer_range", 0.02)
            nn.init.normal_(module.weight, mean=0.0, std=std)
            nn.init.zeros_(module.bias)
        elif hasattr(self.encoder, "_init_weights") and module is not self:
            self.encoder._init_weights(module)

    @classmethod
    def from_encoder(cls, name_or_path: str | Path, *, tags: Sequence[str] = BIO_TAGS,
                     tokenizer_kind: str = "hf", **config_kwargs) -> "GovieTaggerModel":
        """A tagger around pretrained encoder weights (a hub name or a local folder); the head is new."""
        encoder = _build_encoder(AutoModel.from_pretrained, str(name_or_path))
        config = GovieTaggerConfig(encoder.config, tags=tags, tokenizer_kind=tokenizer_kind, **config_kwargs)
        return cls(config, encoder=encoder)

    def forward(self, input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None,
                labels: torch.Tensor | None = None, rule_tag_ids: torch.Tensor | None = None,
                lexicon_ids: torch.Tensor | None = None, **kwargs) -> TokenClassifierOutput:
        """``rule_tag_ids``: the rule tagger's tag id per token (models with ``config.rule_features``);
        ``lexicon_ids``: the lexicon feature id per token (models with ``config.lexicon_features``)."""
        kwargs.pop("num_items_in_batch", None)
        extra = []
        if self.rule_embeddings is not None:
            if rule_tag_ids is None:
                raise ValueError("this model reads rule features: pass rule_tag_ids (govie.tagger.Tagger does)")
            if self.training and self.config.rule_feature_dropout > 0:
                hidden = torch.rand(rule_tag_ids.shape, device=rule_tag_ids.device) < self.config.rule_feature_dropout
                rule_tag_ids = rule_tag_ids.masked_fill(hidden, 0)
            extra.append(self.rule_embeddings(rule_tag_ids))
        if self.lexicon_embeddings is not None:
            if lexicon_ids is None:
                raise ValueError("this model reads lexicon features: pass lexicon_ids (govie.tagger.Tagger does)")
            extra.append(self.lexicon_embeddings(lexicon_ids))
        if extra:
            embeds = self.encoder.get_input_embeddings()(input_ids) + sum(extra)
            outputs = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask, **kwargs)
        else:
            outputs = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
        logits = self.classifier(self.dropout(outputs.last_hidden_state))
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)
        return TokenClassifierOutput(loss=loss, logits=logits, hidden_states=outputs.hidden_states,
                                     attentions=outputs.attentions)


def _build_encoder(factory, source):
    """BERT-like encoders without their pooler (unused here); others as they come."""
    try:
        return factory(source, add_pooling_layer=False)
    except TypeError:
        return factory(source)


AutoModel.register(GovieTaggerConfig, GovieTaggerModel)
