"""The tagger's Hugging Face configuration: the encoder's config nested, the BIO labels, govie's version."""

from __future__ import annotations

from typing import Any, Sequence

from transformers import AutoConfig, PretrainedConfig

from govie.labels import BIO_TAGS

MODEL_TYPE = "govie-tagger"


class GovieTaggerConfig(PretrainedConfig):
    """Configuration of :class:`govie.modeling.GovieTaggerModel`.

    Args:
        encoder: the encoder's configuration (a ``PretrainedConfig`` or its dict with ``model_type``);
            any BERT-like model that ``AutoModel`` can build.
        tags: the BIO tags, in the order of the classifier's outputs.
        window_length: tokens per window at inference, [CLS] and [SEP] included.
        stride: characters between window starts (the overlap is ``window_length - 2 - stride``).
        classifier_dropout: dropout before the classification head.
        tokenizer_kind: ``"char"`` (govie's character tokenizer) or ``"hf"`` (a Hugging Face one).
        rule_features: the encoder also reads the rule tagger's tag of each token (an embedding added
            to the token embedding), so the network learns where to trust and where to fix the rules.
        rule_feature_dropout: in training, the share of tokens whose rule tag is hidden (set to ``O``),
            so the network also learns from the text itself.
        lexicon_features: the encoder also reads each token's position in lexicon matches
            (:mod:`govie.lexicon_features`: indicator names and pkuseg words), an embedding added to the
            token embedding.
    """

    model_type = MODEL_TYPE

    def __init__(self, encoder: PretrainedConfig | dict[str, Any] | None = None, *,
                 tags: Sequence[str] = BIO_TAGS, window_length: int = 256, stride: int | None = None,
                 classifier_dropout: float = 0.1, tokenizer_kind: str = "char", rule_features: bool = False,
                 rule_feature_dropout: float = 0.0, lexicon_features: bool = False,
                 govie_version: str | None = None, **kwargs):
        if isinstance(encoder, dict):
            encoder = dict(encoder)
            encoder_type = encoder.pop("model_type", "bert")
            encoder = AutoConfig.for_model(encoder_type, **encoder)
        self.encoder = encoder
        self.tags = list(tags)
        self.window_length = window_length
        self.stride = stride if stride is not None else max(1, (window_length - 2) * 3 // 4)
        self.classifier_dropout = classifier_dropout
        self.tokenizer_kind = tokenizer_kind
        self.rule_features = rule_features
        self.rule_feature_dropout = rule_feature_dropout
        self.lexicon_features = lexicon_features
        import govie

        # a model saved by another version is told apart (and named) by its loader,
        # govie.model_files.check_saved_version
        self.govie_version = govie.__version__ if govie_version is None else govie_version
        kwargs.setdefault("id2label", dict(enumerate(self.tags)))
        kwargs.setdefault("label2id", {tag: i for i, tag in enumerate(self.tags)})
        super().__init__(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        import govie

        out["govie_version"] = govie.__version__
        return out


AutoConfig.register(MODEL_TYPE, GovieTaggerConfig)
