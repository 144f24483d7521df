"""Overlapping windows over long texts, shared by training data, inference and the linker.

A window never cuts a protected range (a gold span when building training data, a sentence when
that is possible), so no label is lost at an edge; at inference, each character's prediction is
taken from the window in which it lies farthest from an edge (:func:`owner_of_positions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Window:
    """Characters ``[start, end)`` of the document."""

    start: int
    end: int


def plan_windows(length: int, *, size: int, stride: int,
                 protected: Sequence[tuple[int, int]] = ()) -> list[Window]:
    """Cover ``[0, length)`` with windows of at most ``size`` characters whose starts are about
    ``stride`` apart (``stride <= size``; the overlap is ``size - stride``).

    An edge that would fall strictly inside a protected range ``(start, end)`` is moved to the
    range's start (a window's end) or start (a window's start), so every protected range shorter
    than ``size`` lies whole in at least one window.
    """
    if size <= 0 or stride <= 0 or stride > size:
        raise ValueError(f"need 0 < stride <= size, got size={size}, stride={stride}")
    if length <= size:
        return [Window(0, length)] if length else []
    inside = _inside_map(length, protected)
    windows: list[Window] = []
    start = 0
    while True:
        end = min(start + size, length)
        if end < length and inside[end] is not None and inside[end] > start:
            end = inside[end]
        windows.append(Window(start, end))
        if end >= length:
            return windows
        step = start + stride
        if inside[step] is not None and inside[step] > start:
            step = inside[step]
        start = min(max(step, start + 1), end)


def _inside_map(length: int, protected: Sequence[tuple[int, int]]) -> list[int | None]:
    """For each position p in [0, length], the start of a protected range with start < p < end."""
    inside: list[int | None] = [None] * (length + 1)
    for start, end in protected:
        for p in range(max(start + 1, 0), min(end, length + 1)):
            inside[p] = start
    return inside


def owner_of_positions(length: int, windows: Sequence[Window]) -> list[int]:
    """For each character, the index of the window where it is farthest from an edge."""
    owner = [0] * length
    best = [-1.0] * length
    for index, window in enumerate(windows):
        for p in range(window.start, window.end):
            left = p - window.start if window.start > 0 else float("inf")
            right = window.end - 1 - p if window.end < length else float("inf")
            margin = min(left, right)
            if margin > best[p]:
                best[p], owner[p] = margin, index
    return owner
