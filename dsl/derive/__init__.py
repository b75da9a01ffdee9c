"""Symbolic derivation (stage between ``verify`` and ``render``).

``chainrule derive FILE Y X`` and the fix of a wrong claim come from here:
a symbolic reverse sweep over the definitions (``backward``, with the
operator rules there and each function's rule in its row of
``dsl.builtins``; a definition in index notation through its matrix
spelling, ``indexed``), rewriting to a normal form and then to the most
readable candidate (``rewrite``, ``simplify``), in the file's own names,
and numerical verification of the result before anyone sees it
(``checking``).  :func:`derive` is the entry point.

The package is also the Python API's ``dsl.derive(text, "L", "x")``:
importing a subpackage binds its name on the parent package, over the
function of that name, so a call of the package is passed on to it.
"""
import sys
import types

from dsl.derive.backward import Underivable
from dsl.derive.checking import Inconsistent
from dsl.derive.derivation import Derivation, Step, derive
from dsl.derive.simplify import score, tokens

__all__ = ["Derivation", "Inconsistent", "Step", "Underivable", "derive", "score", "tokens"]


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        # the root package is loaded before any of its subpackages: no import needed
        return sys.modules["dsl"]._derive_api(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
