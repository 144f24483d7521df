"""What the loaders of saved models share: one error type, the version check, a weights digest.

A damaged model folder must fail in one line naming the file and what was expected, never with a
traceback from inside torch or with silently wrong predictions. The tagger (:mod:`govie.tagger`)
and the relation layer (:mod:`govie.relation_model`) both load through these checks; this module
needs neither torch nor transformers, so that the relation layer does not either.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

logger = logging.getLogger(__name__)

#: key of the weights digest in a safetensors file's metadata (written by the save_pretrained methods;
#: files saved before it existed, like the shipped tagger, have none)
DIGEST_KEY = "govie_sha256"


class ModelLoadError(OSError):
    """A model folder is missing a file or holds a damaged one; the message names the file."""


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def check_saved_version(saved: str | None, unknown: Iterable[str], where: str | Path) -> None:
    """Refuse a model saved by a newer govie with settings this govie does not know (it would
    ignore them and predict otherwise than intended); warn when only the version is newer, or
    when the major version differs."""
    from govie import __version__

    if not saved:
        return
    unknown = sorted(unknown)
    newer = _version(saved) > _version(__version__)
    if newer and unknown:
        raise ModelLoadError(f"{where}: saved by govie {saved} with settings govie {__version__} does not know "
                             f"({', '.join(unknown)}); upgrade govie (pip install -U govie)")
    if newer or _version(saved)[:1] != _version(__version__)[:1]:
        logger.warning("%s: saved by govie %s, this is govie %s; predictions may differ", where, saved, __version__)


def weights_digest(tensors: Mapping[str, np.ndarray]) -> str:
    """sha256 over each tensor's name, dtype, shape and bytes, in name order (what a file must hold)."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def check_weights(file: Path, tensors: Mapping[str, np.ndarray], metadata: Mapping[str, str] | None) -> None:
    """Refuse weights that differ from the digest saved with them, or that hold NaN or infinity
    (bytes damaged after saving; a file without a digest is checked for non-finite values only)."""
    expected = (metadata or {}).get(DIGEST_KEY)
    if expected and weights_digest(tensors) != expected:
        raise ModelLoadError(f"{file}: damaged: its tensors do not match the sha256 saved with them "
                             f"({expected[:12]}…); copy the model folder again")
    for name in sorted(tensors):
        array = tensors[name]
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ModelLoadError(f"{file}: damaged: tensor {name!r} holds NaN or infinite values")
