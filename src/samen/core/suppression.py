"""Small counts about people are never shown: the one set of rules every figure of Samen
follows (pages, CSV, XLSX, PDF, API).

- A count of 1 to 4 is suppressed (None, shown as "< 5"); so is 0 where the viewer could learn
  the outcome of their own report (`zero=True`).
- A share is suppressed when it is computed from a suppressed count: its part, its whole or
  the rest (whole - part), or when the whole is under the threshold.
- In a breakdown whose total can be seen, suppressed cells are protected together: while only
  one cell is suppressed, or the suppressed cells add up to less than the threshold, the
  smallest cell still shown is suppressed too, so that the total cannot give a small cell away.
  A cell suppressed to protect another is shown the same way ("< 5"), so nobody can tell which
  of them was the small one.
"""

from collections.abc import Mapping, Sequence
from typing import TypeVar, overload

THRESHOLD = 5
SHOWN_AS = f"< {THRESHOLD}"

K = TypeVar("K")


def suppress(count: int | None, *, zero: bool = False) -> int | None:
    """Counts from 1 to 4 (and 0 with `zero`) could point at a person: None ("< 5")."""
    if count is None or 0 < count < THRESHOLD or (zero and count == 0):
        return None
    return count


def share(part: int | None, whole: int | None, *, zero: bool = False) -> int | None:
    """`part` as a whole percentage of `whole`, unless it would give a suppressed count away:
    None when part, whole or the rest is suppressed (None or under the threshold), or the
    whole is under the threshold."""
    if part is None or whole is None or whole < THRESHOLD:
        return None
    if suppress(part, zero=zero) is None or suppress(whole - part, zero=zero) is None:
        return None
    return round(100 * part / whole)


def _protect(values: list[int], *, zero: bool) -> list[bool]:
    """Which of `values` (the cells of one breakdown, summing to a visible total) to hide."""
    hidden = [suppress(value, zero=zero) is None for value in values]
    while True:
        suppressed = [value for value, hide in zip(values, hidden, strict=True) if hide]
        if not suppressed or (len(suppressed) > 1 and sum(suppressed) >= THRESHOLD):
            return hidden
        # The smallest cell still shown; a shown 0 adds nothing to the protection.
        candidates = [i for i, value in enumerate(values) if not hidden[i] and value > 0]
        if not candidates:
            return hidden  # every cell is hidden or 0: then the total is under 5 itself
        hidden[min(candidates, key=lambda i: values[i])] = True


@overload
def suppress_table(
    cells: Mapping[K, int], *, total: int | None = None, zero: bool = False
) -> dict[K, int | None]: ...
@overload
def suppress_table(
    cells: Sequence[int], *, total: int | None = None, zero: bool = False
) -> list[int | None]: ...
def suppress_table(
    cells: Mapping[K, int] | Sequence[int], *, total: int | None = None, zero: bool = False
) -> dict[K, int | None] | list[int | None]:
    """The cells of a breakdown (a dict or a list, returned in the same shape) with small
    cells suppressed and, where one would show through the total, a second one as well.
    `total`: the total the viewer sees, when it is more than the cells add up to; the rest is
    then treated as one more (unseen) cell, so that it cannot be worked out either."""
    keys: list[K] | None = None
    if isinstance(cells, Mapping):
        keys = list(cells)
        values = [cells[k] for k in keys]
    else:
        values = list(cells)
    rest = [] if total is None else [total - sum(values)]
    hidden = _protect(values + rest, zero=zero)[: len(values)]
    shown = [None if hide else value for value, hide in zip(values, hidden, strict=True)]
    return dict(zip(keys, shown, strict=True)) if keys is not None else shown


def shown(value):
    """How a figure is written out in text (CSV, XLSX, PDF, charts): "< 5" when suppressed."""
    return SHOWN_AS if value is None else value
