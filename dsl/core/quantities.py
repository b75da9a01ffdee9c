"""Quantities in words: a number of bytes, a count too large to write out.

>>> fmt_bytes(2**32), fmt_bytes(512), powers_of_ten(8 * 10**40)
('4.0 GiB', '512 bytes', '8e+40')
"""
from __future__ import annotations

import math

from dsl.core.wording import say


def fmt_bytes(n: int) -> str:
    """``4.0 GiB``; astronomically large counts in powers of ten."""
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            if n >= 2**70:
                return say("bytes-about", count=powers_of_ten(n))
            return f"{n / size:.1f} {unit}"
    return say("bytes", count=n)


def powers_of_ten(n: int) -> str:
    """``8e+40``, also for integers too large for a float (no overflow).

    >>> powers_of_ten(10**400 * 3)
    '3e+400'
    """
    if n < 10**300:
        return f"{float(n):.3g}"
    exponent = int(math.log10(n))
    mantissa = float(f"{n // 10**(exponent - 16) / 10**16:.3g}")
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:g}e+{exponent}"
