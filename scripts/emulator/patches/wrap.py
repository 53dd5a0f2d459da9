"""The one way a patch replaces a moto method: idempotently, keeping moto's code path."""

import functools
from typing import Any, Callable


def wrap(owner: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace owner.name by make(original), once per patch (apply() is idempotent).

    Several patches may wrap the same method (each adds one Route53 rule to
    ChangeResourceRecordSets); each wrapper remembers which patches are below
    it, keyed by the patch's `make` function.
    """
    original = getattr(owner, name)
    key = make.__qualname__
    applied = getattr(original, "_moto_patches", frozenset())
    if key in applied:
        return
    patched = functools.wraps(original)(make(original))
    patched._moto_patch = True  # type: ignore[attr-defined]
    patched._moto_patches = applied | {key}  # type: ignore[attr-defined]
    setattr(owner, name, patched)
