"""Sentences of symbolic derivation (``dsl.derive``, E510, E511, N510), in
the registry of :mod:`dsl.core.wording`."""
from __future__ import annotations

DERIVE: dict[str, str] = {
    "derive-index": "'{name}' is defined in index notation without a matrix spelling here "
                    "(it indexes a value of rank 3 or more)",
    "derive-deriv": "{deriv} is a derivative term inside a definition",
    "derive-power": "a power whose exponent depends on the variable",
    "derive-unknown-shape": "a shape along the way is unknown",
    "derive-tensor": "a value of rank 3 or more lies on the way (its Jacobian is a tensor)",
    "derive-no-rule": "{func} has no symbolic derivative rule",
    "derive-broadcast": "a {got} value is broadcast to {to} on the way",
    "derive-using": "{name} is {attr}",
    "derive-by-scalar": "the derivative of a non-scalar by a scalar is not derived symbolically",
    "derive-higher-order": "{deriv} is a higher-order tensor: derive the gradient of a scalar loss instead",
    "derive-mixed-vectors": "the values between {y} and {x} are not all vectors of one orientation, "
                            "so the Jacobian has no matrix spelling here",
    "derive-has-errors": "'{name}' has errors; fix them first",
    "derive-not-a-value": "'{name}' is not a declared or defined name",
    "derive-unchecked": "the derived form could not be checked: {why}",
    "derive-failed": "the derived form {expr} does not verify: {detail}",
    "derive-hint": "please report it with the file; no derived form is shown",
    "derive-fix-hint": "the derived right side, verified: {deriv} = {expr}",
    "derive-fix-title": "use the derived right side",
    "derive-too-deep": "the expression is nested too deeply to derive",
}
