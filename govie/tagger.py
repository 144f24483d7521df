"""The neural span tagger: a saved model folder in, labelled character ranges out.

Long reports are cut into overlapping windows (:func:`govie.windows.plan_windows`); each character
takes its scores from the window where it lies farthest from an edge
(:func:`govie.windows.owner_of_positions`), and constrained Viterbi decoding then runs over the
whole document, so a span cut by a window edge comes out whole and no ``I-`` tag is ever stray.
The encoder's last hidden layer can come out of the same forward pass, merged over windows the
same way (:meth:`Tagger.predict_batch_with_hidden`), for the relation layer's span representations.

A model folder holds ``config.json`` (:class:`GovieTaggerConfig`, tags included),
``model.safetensors``, the tokenizer files (``vocab.txt`` + ``tokenizer_config.json`` for govie's
character tokenizer) and a ``README.md`` model card.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from govie.boundary_chooser import CONFIG_FILE as CHOOSER_CONFIG
from govie.boundary_chooser import BoundaryChooser
from govie.boundary_edits import EDITS_FILE, BoundaryEdits
from govie.configuration import GovieTaggerConfig
from govie.decoding import viterbi_decode
from govie.labels import LabeledRange, bio_to_spans, spans_to_bio
from govie.model_files import DIGEST_KEY, ModelLoadError, check_saved_version, check_weights, weights_digest
from govie.modeling import GovieTaggerModel
from govie.tokenizer import (VOCAB_FILE, CharTokenizer, TokenizerError, load_tokenizer, token_feature_ids,
                             token_scores_to_char_scores)
from govie.windows import Window, owner_of_positions, plan_windows

logger = logging.getLogger(__name__)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CARD_FILE = "README.md"
RULES_LEXICON_FILE = "rules_lexicon.txt"
_TOWN_SUFFIXES = re.compile(r"(街道|镇|乡|县|区|市|盟|州)$")


@dataclass
class CharOutputs:
    """One text's per-character outputs of one forward pass: tag log-probabilities (length x tags)
    and the encoder's last hidden layer (length x hidden size), both merged over windows alike."""

    scores: np.ndarray
    hidden: np.ndarray


@dataclass
class TaggedText:
    """Decoded spans of one text and the per-character hidden states they were decoded with."""

    spans: list[LabeledRange]
    hidden: np.ndarray


def default_model_path() -> Path:
    """The default model shipped inside the package."""
    return Path(__file__).resolve().parent / "models" / "default"


class Tagger:
    """Tags IND, VAL, UNIT, PER and TOWN spans in report text.

    Args:
        model: the network.
        tokenizer: govie's :class:`~govie.tokenizer.CharTokenizer` or an :class:`~govie.tokenizer.HFTokenizerAdapter`.
        threads: torch CPU threads (``None`` leaves torch's setting).
        device: ``"cpu"``, ``"cuda"``...; default: CUDA when available.
        mark_town: also tag exact mentions of the ``town`` given to :meth:`predict` (and its name
            without suffix) as TOWN where the model predicts only ``O``.
        rules: the :class:`govie.rules.RuleTagger` whose tags a ``rule_features`` model reads
            (saved as ``rules_lexicon.txt``); default: one with the builtin lexicon.
        edits: learned :class:`govie.boundary_edits.BoundaryEdits` run over the decoded IND spans
            (saved as ``boundary_edits.json``); default: none.
        chooser: a learned :class:`govie.boundary_chooser.BoundaryChooser` run after the edits
            (``boundary_chooser.safetensors`` and ``.json``); default: none.
    """

    def __init__(self, model: GovieTaggerModel, tokenizer, *, threads: int | None = None,
                 device: str | None = None, mark_town: bool = False, rules=None, lexicon=None, edits=None,
                 chooser=None):
        if threads is not None:
            torch.set_num_threads(threads)
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.mark_town = mark_town
        #: the folder it was loaded from (named in messages about it), None when built in memory
        self.source: Path | None = None
        if rules is None and model.config.rule_features:
            from govie.rules import RuleTagger

            rules = RuleTagger()
        self.rules = rules
        #: the :class:`govie.lexicon_features.LexiconFeaturizer` a ``lexicon_features`` model reads
        self.lexicon = lexicon
        self.edits = edits
        self.chooser = chooser

    @property
    def config(self) -> GovieTaggerConfig:
        return self.model.config

    @property
    def tags(self) -> list[str]:
        return list(self.config.tags)

    # -- persistence -------------------------------------------------------------------------

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, **kwargs) -> "Tagger":
        """Load a model folder (default: the shipped model). Missing or damaged files, and a config
        from a newer govie with settings this one does not know, raise :class:`ModelLoadError`
        naming the file."""
        path = Path(path) if path is not None else default_model_path()
        if not path.is_dir():
            raise ModelLoadError(f"{path}: no such model folder")
        config_file = path / CONFIG_FILE
        if not config_file.is_file():
            raise ModelLoadError(f"{config_file}: model config missing")
        try:
            data = json.loads(config_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ModelLoadError(f"{config_file}: not valid JSON ({err})") from None
        if not isinstance(data, dict):
            raise ModelLoadError(f"{config_file}: expected a JSON object, got {type(data).__name__}")
        if data.get("model_type") != GovieTaggerConfig.model_type:
            raise ModelLoadError(f"{config_file}: model_type {data.get('model_type')!r}, "
                                 f"expected {GovieTaggerConfig.model_type!r}")
        check_saved_version(data.get("govie_version"), set(data) - set(GovieTaggerConfig().to_dict()), config_file)
        try:
            config = GovieTaggerConfig.from_dict(data)
            model = GovieTaggerModel(config)
        except (TypeError, ValueError, KeyError, AttributeError) as err:
            raise ModelLoadError(f"{config_file}: invalid tagger config ({err})") from None
        weights_file = path / WEIGHTS_FILE
        if not weights_file.is_file():
            raise ModelLoadError(f"{weights_file}: weights missing")
        from safetensors import SafetensorError, safe_open

        try:
            with safe_open(str(weights_file), framework="np") as weights:
                metadata = weights.metadata()
                state = {name: weights.get_tensor(name) for name in weights.keys()}
        except (SafetensorError, OSError, RuntimeError, TypeError) as err:
            raise ModelLoadError(f"{weights_file}: corrupt safetensors file ({err})") from None
        check_weights(weights_file, state, metadata)
        try:
            model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in state.items()}, strict=True)
        except RuntimeError as err:
            raise ModelLoadError(f"{weights_file}: weights do not fit {config_file} ({str(err)[:300]})") from None
        try:
            tokenizer = load_tokenizer(path)
        except TokenizerError as err:
            raise ModelLoadError(str(err)) from None
        chars, embedded = isinstance(tokenizer, CharTokenizer), int(config.encoder.vocab_size)
        if tokenizer.vocab_size > embedded or (chars and tokenizer.vocab_size != embedded):
            raise ModelLoadError(f"{path / VOCAB_FILE if chars else path}: {tokenizer.vocab_size} tokens, but "
                                 f"{config_file} gives the network {embedded} (encoder.vocab_size): "
                                 "the vocabulary of another model?")
        if config.rule_features and "rules" not in kwargs:
            lexicon_file = path / RULES_LEXICON_FILE
            if not lexicon_file.is_file():
                raise ModelLoadError(f"{lexicon_file}: rule lexicon missing (this model reads rule features)")
            from govie.rules import RuleTagger

            try:
                kwargs["rules"] = RuleTagger(lexicon_file.read_text(encoding="utf-8").splitlines())
            except UnicodeDecodeError as err:
                raise ModelLoadError(f"{lexicon_file}: not UTF-8 (byte {err.start})") from None
        if config.lexicon_features and "lexicon" not in kwargs:
            from govie.lexicon_features import LexiconFeaturizer

            try:
                kwargs["lexicon"] = LexiconFeaturizer.load(path)
            except (OSError, ValueError) as err:
                raise ModelLoadError(str(err)) from None
        if (path / EDITS_FILE).is_file() and "edits" not in kwargs:
            try:
                kwargs["edits"] = BoundaryEdits.load(path / EDITS_FILE)
            except (OSError, ValueError) as err:
                raise ModelLoadError(str(err)) from None
        if (path / CHOOSER_CONFIG).is_file() and "chooser" not in kwargs:
            try:
                kwargs["chooser"] = BoundaryChooser.load(path)
            except (OSError, ValueError) as err:
                raise ModelLoadError(str(err)) from None
        tagger = cls(model, tokenizer, **kwargs)
        tagger.source = path
        return tagger

    def save_pretrained(self, path: str | Path, *, card: str | None = None, half: bool = False) -> None:
        """Write config, weights (fp16 with ``half``), tokenizer files and the model card."""
        from safetensors.torch import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.config.save_pretrained(str(path))
        state = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
                 for k, v in self.model.state_dict().items()}
        digest = weights_digest({k: v.numpy() for k, v in state.items()})
        save_file(state, str(path / WEIGHTS_FILE), metadata={"format": "pt", DIGEST_KEY: digest})
        (path / WEIGHTS_FILE).chmod(0o644)  # safetensors writes 0600; a shipped model must be readable by all
        self.tokenizer.save_pretrained(path)
        if self.rules is not None and self.config.rule_features:
            (path / RULES_LEXICON_FILE).write_text("\n".join(sorted(self.rules.lexicon)) + "\n", encoding="utf-8")
        if self.lexicon is not None and self.config.lexicon_features:
            self.lexicon.save(path)
        if self.edits is not None:
            self.edits.save(path)
        if self.chooser is not None:
            self.chooser.save(path)
        if card is None:
            from govie.model_card import model_card

            card = model_card(self.config)
        (path / CARD_FILE).write_text(card, encoding="utf-8")

    # -- inference ---------------------------------------------------------------------------

    def predict(self, text: str, *, town: str | None = None) -> list[LabeledRange]:
        """Spans of one text, sorted by offset."""
        return self.predict_batch([text], towns=[town])[0]

    def predict_batch(self, texts: Sequence[str], *, towns: Sequence[str | None] | None = None,
                      batch_size: int = 16, show_progress: bool = False) -> list[list[LabeledRange]]:
        """Spans of each text; windows of all texts are batched together (longest first)."""
        towns = list(towns) if towns is not None else [None] * len(texts)
        if len(towns) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(towns)} towns")
        scores = self.char_scores_batch(texts, towns=towns, batch_size=batch_size, show_progress=show_progress)
        return [self._decode(text, town, doc_scores) for text, town, doc_scores in zip(texts, towns, scores)]

    def predict_batch_with_hidden(self, texts: Sequence[str], *, towns: Sequence[str | None] | None = None,
                                  batch_size: int = 16, show_progress: bool = False) -> list[TaggedText]:
        """Spans and per-character encoder states of each text from one forward pass (for a linker
        that reads span representations, :class:`govie.relation_model.LearnedLinker`)."""
        towns = list(towns) if towns is not None else [None] * len(texts)
        if len(towns) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(towns)} towns")
        outputs = self.char_scores_batch(texts, towns=towns, batch_size=batch_size, show_progress=show_progress,
                                         return_hidden=True)
        return [TaggedText(self._decode(text, town, out.scores), out.hidden)
                for text, town, out in zip(texts, towns, outputs)]

    def _decode(self, text: str, town: str | None, scores: np.ndarray) -> list[LabeledRange]:
        tags = self.tags
        path = [tags[i] for i in viterbi_decode(scores, tags)]
        if self.mark_town and town:
            path = _mark_town(text, town, path)
        spans = bio_to_spans(path)
        if self.edits is not None:
            spans = self.edits.apply(text, spans)
        return self.chooser.apply(text, spans) if self.chooser is not None else spans

    @property
    def hidden_size(self) -> int:
        return int(self.config.encoder.hidden_size)

    def fingerprint(self) -> str:
        """sha256 of the weights (names, shapes and float32 values), so a linker trained on this
        encoder's states can tell when it is used with another one (whatever the file's dtype)."""
        if getattr(self, "_fingerprint", None) is None:
            digest = hashlib.sha256()
            for name, tensor in sorted(self.model.state_dict().items()):
                values = tensor.detach().float().cpu().contiguous().numpy()
                digest.update(f"{name}:{tuple(values.shape)};".encode())
                digest.update(values.tobytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def char_scores_batch(self, texts: Sequence[str], *, towns: Sequence[str | None] | None = None,
                          batch_size: int = 16, show_progress: bool = False,
                          return_hidden: bool = False) -> list[np.ndarray] | list[CharOutputs]:
        """Per-character tag log-probabilities (length x tags) of each text, merged over windows.

        With ``return_hidden``, each text's :class:`CharOutputs`: the same scores plus the encoder's
        last hidden layer per character, taken from the same forward pass and the same owning window
        (the characters of one token share its vector; characters no token covers take the vector of
        the token before them, so span means never mix in zeros).
        """
        if isinstance(texts, str):
            raise TypeError("predict_batch takes a list of texts; use predict() for one text")
        towns = list(towns) if towns is not None else [None] * len(texts)
        tag_to_id = {tag: i for i, tag in enumerate(self.tags)}
        rule_tags = [spans_to_bio(len(text), self.rules.predict(text, town=town)) if self.config.rule_features
                     else None for text, town in zip(texts, towns)]
        if self.lexicon is None and self.config.lexicon_features:
            raise ValueError("this model reads lexicon features: set Tagger.lexicon (a LexiconFeaturizer) first")
        lexicon_ids = [self.lexicon.char_feature_ids(text) if self.lexicon is not None else None for text in texts]
        size = self.tokenizer.max_chars(self.config.window_length)
        stride = min(self.config.stride, size)
        plans: list[list[Window]] = []
        items = []  # (text index, window index, encoding)
        for t, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"text #{t} is {type(text).__name__}, expected str")
            windows = plan_windows(len(text), size=size, stride=stride)
            plans.append(windows)
            for w, window in enumerate(windows):
                encoding = self.tokenizer.encode(text[window.start:window.end], offset=window.start)
                if len(encoding) > self.config.window_length:
                    logger.warning("window %d-%d of text #%d has %d tokens > max_length %d; truncated",
                                   window.start, window.end, t, len(encoding), self.config.window_length)
                    encoding.input_ids = encoding.input_ids[:self.config.window_length]
                    encoding.offsets = encoding.offsets[:self.config.window_length]
                features = token_feature_ids(rule_tags[t], encoding, tag_to_id) if rule_tags[t] else None
                lexical = self.lexicon.token_feature_ids(lexicon_ids[t], encoding.offsets) \
                    if lexicon_ids[t] is not None else None
                items.append((t, w, encoding, features, lexical))
        order = sorted(range(len(items)), key=lambda i: -len(items[i][2]))
        token_scores: list[np.ndarray | None] = [None] * len(items)
        token_hidden: list[np.ndarray | None] = [None] * len(items)
        captured: list[torch.Tensor] = []
        hook = self.model.encoder.register_forward_hook(_capture_last_hidden(captured)) if return_hidden else None
        batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        if show_progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="tagging", unit="batch")
        try:
            self._forward_batches(batches, items, token_scores, token_hidden, captured)
        finally:
            if hook is not None:
                hook.remove()
        results = [np.zeros((len(text), len(self.tags)), dtype=np.float32) for text in texts]
        hidden = [np.zeros((len(text), self.hidden_size), dtype=np.float32) for text in texts] if return_hidden \
            else None
        owners = [np.asarray(owner_of_positions(len(text), plan), dtype=np.int64) for text, plan in zip(texts, plans)]
        for index, (t, w, encoding, _, _) in enumerate(items):
            window = plans[t][w]
            window_scores = token_scores_to_char_scores(token_scores[index], encoding, window.end - window.start,
                                                        self.tags, offset=window.start)
            owned = np.nonzero(owners[t][window.start:window.end] == w)[0]
            results[t][window.start + owned] = window_scores[owned]
            if hidden is not None:
                window_hidden = token_states_to_char_states(token_hidden[index], encoding,
                                                            window.end - window.start, offset=window.start)
                hidden[t][window.start + owned] = window_hidden[owned]
        if hidden is None:
            return results
        return [CharOutputs(scores, states) for scores, states in zip(results, hidden)]

    def _forward_batches(self, batches, items, token_scores, token_hidden, captured) -> None:
        """Run the network over batches of windows; fills ``token_scores`` (and ``token_hidden``
        from the encoder hook's ``captured`` output when one is registered)."""
        with torch.inference_mode():
            for batch in batches:
                width = len(items[batch[0]][2])
                ids = torch.full((len(batch), width), self.tokenizer.pad_token_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                features = torch.zeros((len(batch), width), dtype=torch.long)
                lexical = torch.zeros((len(batch), width), dtype=torch.long)
                for row, index in enumerate(batch):
                    encoding = items[index][2]
                    ids[row, :len(encoding)] = torch.tensor(encoding.input_ids)
                    mask[row, :len(encoding)] = 1
                    if items[index][3] is not None:
                        features[row, :len(encoding)] = torch.tensor(items[index][3])
                    if items[index][4] is not None:
                        lexical[row, :len(encoding)] = torch.tensor(items[index][4])
                extra = {"rule_tag_ids": features.to(self.device)} if self.config.rule_features else {}
                if self.lexicon is not None and self.config.lexicon_features:
                    extra["lexicon_ids"] = lexical.to(self.device)
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                                    **extra).logits
                log_probs = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()
                states = captured.pop().float().cpu().numpy() if captured else None
                captured.clear()
                for row, index in enumerate(batch):
                    token_scores[index] = log_probs[row, :len(items[index][2])]
                    if states is not None:
                        token_hidden[index] = states[row, :len(items[index][2])]


def _capture_last_hidden(store: list):
    """A forward hook on the encoder that keeps its last hidden layer (the classifier's input)."""

    def hook(module, inputs, output):
        state = getattr(output, "last_hidden_state", None)
        if state is None:
            state = output[0]
        store.append(state.detach())

    return hook


def token_states_to_char_states(token_states: np.ndarray, encoding, length: int, *, offset: int = 0) -> np.ndarray:
    """Per-character vectors (``length`` x hidden) from per-token ones: every character of a token
    takes its vector; a character no token covers takes the previous token's (the first token's
    at the start)."""
    dim = token_states.shape[-1]
    out = np.zeros((length, dim), dtype=np.float32)
    source = np.full(length, -1, dtype=np.int64)
    for index, span in enumerate(encoding.offsets):
        if span is None:
            continue
        start, end = span[0] - offset, min(span[1] - offset, length)
        if 0 <= start < length:
            source[start:max(end, start + 1)] = index
    covered = np.flatnonzero(source >= 0)
    if covered.size == 0:
        return out
    # carry each token index forward over uncovered characters; before the first, use the first
    filled = np.maximum.accumulate(np.where(source >= 0, np.arange(length), -1))
    filled[filled < 0] = covered[0]
    out[:] = token_states[source[filled]]
    return out


def _mark_town(text: str, town: str, path: list[str]) -> list[str]:
    """Tag exact mentions of ``town`` (longest form first, then its short form) where all is ``O``."""
    forms = [town]
    short = _TOWN_SUFFIXES.sub("", town)
    if len(short) >= 2 and short != town:
        forms.append(short)
    path = list(path)
    for form in forms:
        for match in re.finditer(re.escape(form), text):
            start, end = match.span()
            if all(tag == "O" for tag in path[start:end]) and (end >= len(path) or not path[end].startswith("I-")):
                path[start] = "B-TOWN"
                for i in range(start + 1, end):
                    path[i] = "I-TOWN"
    return path

