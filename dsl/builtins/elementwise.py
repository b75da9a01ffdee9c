"""Rows of the elementwise functions: value, f' and f'' entry by entry.

The VJP of an elementwise ``f`` is ``g * f'(x)`` and that of ``f'`` is
``g * f''(x)``; ``compute.vjp`` writes that once for every row here.
"""
from __future__ import annotations

import math

from dsl.builtins import symbolic as sym
from dsl.builtins.table import elementwise, np, register


def _sigma(x):
    # 1 / (1 + exp(-x)) is accurate to a few ulp everywhere; for x < -709
    # exp(-x) overflows to inf and the result is 0, the correctly rounded value.
    # One temporary, computed in place: four passes, one allocation.
    x = np.asarray(x, dtype=float)
    out = np.negative(x, out=np.empty(x.shape))
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.divide(1.0, out, out=out)


def _sigma_prime(x):
    s = _sigma(x)
    return s * (1.0 - s)


def _tanh_prime(x):
    return 1.0 - np.tanh(x) ** 2


def _root_domain(f: str):
    """Why log or sqrt gave a non-finite value from finite arguments."""
    def why(prime: bool, operands):
        if prime:
            return "division by zero", "zero"
        if np.any(operands[0] < 0):
            return f"{f} of negative values", "domain"
        return f"{f} of zero", "domain"
    return why


def _log1p_domain(prime: bool, operands):
    if prime:
        return "division by zero", "zero"
    if np.any(operands[0] < -1):
        return "log1p of values below -1", "domain"
    return "log1p of -1", "domain"


def _zero(x):
    return np.zeros_like(x)


register(elementwise(
    "sigma", "`1 / (1 + exp(-x))`", _sigma, _sigma_prime,
    lambda x: _sigma_prime(x) * (1 - 2 * _sigma(x)),
    prime_of_output=lambda out: out * (1 - out),
    aliases=("sigmoid", "σ"), unicode="σ", latex=r"\sigma", latex_names=(r"\sigma",)))
register(elementwise(
    "tanh", "hyperbolic tangent", lambda x: np.tanh(x), _tanh_prime,
    lambda x: -2 * np.tanh(x) * _tanh_prime(x),
    prime_of_output=lambda out: 1 - out * out, latex=r"\tanh"))
register(elementwise(
    "relu", "`max(x, 0)`; `relu'` is the step, 0 at 0", lambda x: np.maximum(x, 0.0),
    lambda x: np.where(x > 0, 1.0, 0.0),
    _zero,                                   # the step is flat away from 0
    kink=True))
register(elementwise(
    "exp", "exponential", lambda x: np.exp(x), lambda x: np.exp(x), lambda x: np.exp(x),
    prime_of_output=lambda out: out, symbolic=sym.exp_rule,
    nonfinite=lambda prime, operands: ("exp overflowed (arguments above 709)", None),
    latex=r"\exp"))
register(elementwise(
    "log", "natural logarithm", lambda x: np.log(x), lambda x: 1.0 / x, lambda x: -1.0 / (x * x),
    domain="x > 0", nonfinite=_root_domain("log"), symbolic=sym.log_rule, latex=r"\log", latex_names=(r"\ln", "ln")))
register(elementwise(
    "sqrt", "square root", lambda x: np.sqrt(x), lambda x: 0.5 / np.sqrt(x),
    lambda x: -0.25 / (x * np.sqrt(x)),
    domain="x >= 0", nonfinite=_root_domain("sqrt"), symbolic=sym.sqrt_rule))
register(elementwise(
    "abs", "absolute value; `abs'` is the sign, 0 at 0", lambda x: np.abs(x), lambda x: np.sign(x),
    _zero,                                   # the sign is flat away from 0
    kink=True, symbolic=sym.abs_rule))
register(elementwise(
    "softplus", "`log(1 + exp(x))`; `softplus'` is `sigma`", lambda x: np.logaddexp(0.0, x), _sigma,
    _sigma_prime))
register(elementwise(
    "sign", "the sign, -1, 0 or 1; `sign'` is 0 (it jumps at 0)", lambda x: np.sign(x), _zero, _zero,
    kink=True, symbolic=sym.flat_rule))
register(elementwise(
    "log1p", "`log(1 + x)`, accurate for small `x`", lambda x: np.log1p(x), lambda x: 1.0 / (1.0 + x),
    lambda x: -1.0 / ((1.0 + x) * (1.0 + x)),
    domain="x > -1", nonfinite=_log1p_domain, symbolic=sym.log1p_rule))
register(elementwise(
    "sin", "sine", lambda x: np.sin(x), lambda x: np.cos(x), lambda x: -np.sin(x), latex=r"\sin",
    symbolic=sym.sin_rule))
register(elementwise(
    "cos", "cosine", lambda x: np.cos(x), lambda x: -np.sin(x), lambda x: -np.cos(x), latex=r"\cos",
    symbolic=sym.cos_rule))


# erf without SciPy: math.erf and math.erfc entry by entry (correctly rounded
# to a few ulp); the Gaussian CDF from erfc keeps its precision in the far left tail.
_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)


def _entrywise(f):
    vectorised: list = []                    # made on first use: NumPy is imported late

    def rule(x):
        if not vectorised:
            vectorised.append(np.frompyfunc(f, 1, 1))
        x = np.asarray(x, dtype=np.float64)
        return np.asarray(vectorised[0](x), dtype=np.float64).reshape(x.shape)
    return rule


_erf = _entrywise(math.erf)
_erfc = _entrywise(math.erfc)


def _erf_prime(x):
    return (2.0 / math.sqrt(math.pi)) * np.exp(-x * x)


def _phi(x):
    """The standard normal density."""
    return np.exp(-0.5 * x * x) / _SQRT2PI


def _cdf(x):
    """The standard normal distribution function, ``(1 + erf(x / sqrt(2))) / 2``."""
    return 0.5 * _erfc(-np.asarray(x, dtype=np.float64) / _SQRT2)


register(elementwise(
    "erf", "the error function `2/sqrt(pi) * integral of exp(-t**2)` from 0 to x", _erf, _erf_prime,
    lambda x: -2.0 * x * _erf_prime(x)))
register(elementwise(
    "gelu", "`x * Phi(x)`, Phi the standard normal distribution function (the exact form)",
    lambda x: x * _cdf(x), lambda x: _cdf(x) + x * _phi(x), lambda x: _phi(x) * (2.0 - x * x)))
