"""The fuzz suite: hostile and generated input against SPEC section 7.

Every harness (``harnesses.HARNESSES``) draws inputs with hypothesis and
feeds them to the product in-process; the property (``oracle``) is the
same for all: no exception escapes, no ``E901`` diagnostic, an exit code in
{0, 1, 2}, no raw Python warning or Python internals in what is shown, the
same output on a second run (checked for one input in four), and under
``oracle.TIME_LIMIT`` seconds per input.

In ``python -m pytest`` (``test_fuzz.py``) each harness runs briefly and
derandomized, less the checks ``harnesses.KNOWN`` turns off.  The long run::

    python -m tests.fuzz --minutes 10                 # all harnesses, time shared
    python -m tests.fuzz --minutes 2 --harness npz    # one harness
    python -m tests.fuzz --minutes 1 --seed 7         # reproducible seeds

draws with random seeds and every check on, and prints per harness the
inputs tried, the failing inputs and each distinct failure class with its
smallest input (shrunk by ``shrink``).  See ``tests/fuzz/README.md``.
"""
