"""``chainrule derive``'s pipeline: check a source, then derive ``dY/dX`` from it.

>>> from dsl.core.span import Source
>>> out = derive_source(Source("t.deriv", "dims n\\nx : 1 x n\\nL = sum(x * x)"), "L", "x")
>>> out.derivation.text
'2 * x'
"""
from __future__ import annotations

from dsl.core.span import Source
from dsl.pipeline.derived import Derived, derive_in, span_of
from dsl.pipeline.program import check_source
from dsl.pipeline.reading import read_source
from dsl.pipeline.report import DEFAULT_SEED, unreadable, whole

__all__ = ["Derived", "derive_file", "derive_source"]


def derive_source(source: Source, y: str, x: str, *, steps: bool = False,
                  seed: int = DEFAULT_SEED) -> Derived:
    """Check ``source`` (shapes only) and derive ``dY/dX`` from its definitions."""
    report = check_source(source, verify=False, seed=seed)
    env = report.env
    assert env is not None
    span = span_of(env, y, whole(source))
    derivation, problem = derive_in(report, y, x, steps=steps, seed=seed, span=span)
    return Derived(report, derivation, [] if problem is None else [problem])


def derive_file(path: str, y: str, x: str, *, steps: bool = False, seed: int = DEFAULT_SEED) -> Derived:
    """:func:`derive_source` on a file; an unreadable file is an input error (exit code 2)."""
    source, problem = read_source(path)
    if source is None:
        assert problem is not None
        return Derived(unreadable(path, problem), None)
    return derive_source(source, y, x, steps=steps, seed=seed)
