"""Chinese spaCy pipelines with a choice of word segmenter, all working offline.

spaCy's ``zh`` tokenizer can segment with pkuseg, but spacy-pkuseg's pretrained models are downloaded
on first use. govie ships its own small pkuseg model instead (``govie/resources/pkuseg``, built by
``training/pkuseg/build_segmenter.py``), so ``make_nlp()`` never touches the network.

>>> nlp = make_nlp("char")
>>> [t.text for t in nlp("增长7.9%")]
['增', '长', '7', '.', '9', '%']
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # pragma: no cover
    import spacy

logger = logging.getLogger(__name__)

SEGMENTERS: tuple[str, ...] = ("pkuseg", "char", "jieba", "jieba-if-installed")
_MODEL_FILES = ("features.msgpack", "weights.npz")


def default_pkuseg_model() -> Path:
    """The folder of the pkuseg model shipped inside the package."""
    return Path(__file__).resolve().parent / "resources" / "pkuseg"


def load_pkuseg(path: str | Path | None = None, *, user_words: Iterable[str] = ()):
    """Load a pkuseg segmenter from a model folder (default: the shipped one), without any download.

    ``user_words`` are always kept whole (pkuseg's user dictionary). The package's own "default"
    dictionary is not used: it is a pickle, and govie's model was trained without it.
    """
    try:
        import spacy_pkuseg
    except ImportError:
        raise ImportError("the pkuseg segmenter needs spacy-pkuseg: pip install 'govie[spacy]'") from None
    folder = Path(path) if path is not None else default_pkuseg_model()
    missing = [name for name in _MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: not a pkuseg model folder (missing {', '.join(missing)}); "
            "build one with `python training/pkuseg/build_segmenter.py --out FOLDER`")
    seg = spacy_pkuseg.pkuseg(str(folder), user_dict=None)
    # without a dictionary pkuseg leaves these unset, but spaCy's tokenizer.to_disk reads them
    seg.postprocesser.common_words = set()
    seg.postprocesser.other_words = set()
    words = [w.strip() for w in user_words if w and w.strip()]
    if words:
        seg.preprocesser = spacy_pkuseg.Preprocesser(words)
    return seg


def make_nlp(segmenter: str = "pkuseg", pkuseg_model: str | Path | None = None, *,
             user_words: Iterable[str] = ()) -> "spacy.Language":
    """A blank Chinese pipeline (``spacy.blank("zh")``) whose tokenizer uses ``segmenter``.

    - ``"pkuseg"``: the pkuseg model in ``pkuseg_model`` (default: the shipped one);
    - ``"char"``: one token per character (spaCy's default for Chinese);
    - ``"jieba"``: jieba, which must be installed;
    - ``"jieba-if-installed"``: jieba when it can be imported, else the shipped pkuseg model.

    The pipeline saves with ``nlp.to_disk`` and loads back with ``spacy.load`` (the pkuseg model
    travels inside the tokenizer folder). The ``govie`` component factory is registered, so
    ``make_nlp().add_pipe("govie")`` works whether or not govie's entry point is installed.
    """
    import spacy

    if segmenter not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {segmenter!r}; expected one of {', '.join(SEGMENTERS)}")
    if segmenter == "jieba-if-installed":
        try:
            import jieba  # noqa: F401
            segmenter = "jieba"
        except ImportError:
            logger.info("jieba is not installed; segmenting with the shipped pkuseg model")
            segmenter = "pkuseg"
    import govie.spacy_component  # noqa: F401 - registers the "govie" factory even when govie is not installed

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    if segmenter == "pkuseg":
        nlp.tokenizer.pkuseg_seg = load_pkuseg(pkuseg_model, user_words=user_words)
    elif user_words:
        logger.warning("user_words only apply to the pkuseg segmenter, not to %r; ignored", segmenter)
    return nlp
