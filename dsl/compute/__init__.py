"""AST -> NumPy values: concrete sizes, the memory budget, drawn and
loaded inputs (``inputs``), operator rules (``numeric``), the evaluator
(``evaluate``), vector-Jacobian products (``vjp``), the tape and its
backward sweep (``graph``) and reverse mode over a program's definitions
(``autodiff``)."""
