"""The pipeline, the only place the stages are strung together::

    read_source      path -> Source                        (reading)
    check_source     parse -> check shapes -> verify claims (program)
    evaluate_source  check -> draw inputs -> evaluate       (program)
    check_expr       one expression against arrays or a session (expr)
    evaluate_expr    ... and its value                      (expr)
    Session          a derivation fed piece by piece        (session)

The command line, the REPL, the notebook magics, the linter, the pytest
plugin and the Python API call these; none of them runs a stage sequence of
its own.  A defect inside a stage is an ``E901`` diagnostic, never a
traceback.
"""
from __future__ import annotations

from dsl.core.kinds import DerivativeKind, LayoutKind, NameKind, Status
from dsl.core.verdicts import ClaimResult
from dsl.pipeline.expr import Checked, ExprEvaluation, check_expr, env_from_arrays, evaluate_expr, value_of
from dsl.pipeline.program import (
    check_file,
    check_source,
    evaluate_source,
    load_npz,
    parse_source,
    true_derivatives,
    verify_claim_text,
    verify_claims,
)
from dsl.pipeline.reading import decode_source, read_source, read_stream
from dsl.pipeline.report import DEFAULT_SEED, Evaluation, Report, internal_error, unreadable, whole
from dsl.pipeline.session import Session
from dsl.shapes.checker import Env

__all__ = [
    "DEFAULT_SEED", "Checked", "ClaimResult", "DerivativeKind", "Env", "Evaluation", "ExprEvaluation",
    "LayoutKind", "NameKind", "Report", "Session", "Status", "check_expr", "check_file", "check_source",
    "decode_source", "env_from_arrays", "evaluate_expr", "evaluate_source", "internal_error", "load_npz",
    "parse_source", "read_source", "read_stream", "true_derivatives", "unreadable", "value_of", "verify_claim_text",
    "verify_claims", "whole",
]
