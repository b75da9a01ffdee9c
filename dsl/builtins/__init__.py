"""The built-in functions: one row per function (stage just above ``core``).

``table`` has the row type :class:`Builtin`, the registry and its lookups;
``elementwise``, ``reductions``, ``matrix`` and ``choosing`` hold the rows, registered in
the order the docs list them; ``docs`` writes the function table of
``docs/language.md`` from them (``python -m dsl.builtins.docs``).  Adding a
function is one row: every pass (shapes, evaluation, derivatives, kinks,
``fmt``, the LaTeX reader, highlighting, completion, the nearest-name hint) reads it
from here.

>>> lookup("sigmoid").name, returns_scalar("xent"), FUNCTIONS["trace"].latex_out
('sigma', True, '\\\\operatorname{trace}')
"""
from dsl.builtins.table import (
    ALIASES,
    FUNCTIONS,
    Builtin,
    Column,
    DomainError,
    EvalError,
    Problem,
    canonical,
    function_name,
    kink_argument,
    kinked,
    kinked_view,
    latex_macro,
    lookup,
    register,
    returns_scalar,
    scalar_valued,
    shape_text,
    unregister,
)

# The rows, in the docs' order: importing a module registers its rows, so the
# order of these imports is the order of the table.
# isort: off
from dsl.builtins import elementwise as _elementwise  # noqa: F401  (registers its rows)
from dsl.builtins import reductions as _reductions  # noqa: F401  (registers its rows)
from dsl.builtins import matrix as _matrix  # noqa: F401  (registers its rows)
from dsl.builtins import choosing as _choosing  # noqa: F401  (registers its rows)
# isort: on

__all__ = ["ALIASES", "FUNCTIONS", "Builtin", "Column", "DomainError", "EvalError", "Problem", "canonical",
           "function_name", "kink_argument", "kinked", "kinked_view", "latex_macro", "lookup", "register",
           "returns_scalar", "scalar_valued", "shape_text", "unregister"]
