"""The wording of hints and fix titles, in one place.

``messages`` holds the catalogue (one message template per code); this module
holds the sentences a hint is made of, the variable details of messages
(the ``{what}`` of a template) and the titles of fixes.  Passes call
:func:`say` with a key and the values for its template and never write English
themselves, so each phrase ("did you mean ...") is written once, here.

Expressions are passed already quoted (``quote`` in ``shapes.hints``): the
hint shows source text in backquotes, which front ends may re-spell.

    >>> say("did-you-mean", name=say("quoted", text="W1"))
    "did you mean 'W1'?"
"""
from __future__ import annotations

HINTS: dict[str, str] = {
    # ------------------------------------------------------------ names
    "did-you-mean": "did you mean {name}?",
    "quoted": "'{text}'",
    "size-symbol-not-variable": "'{name}' is a size symbol, not a variable",
    "own-definition": "'{name}' cannot be used in its own definition",
    "used-before": "'{name}' is {how} on line {line}, after this use; move that line up",
    "variable-not-size": "'{name}' is a variable; sizes are integers or symbols declared with 'dims'",
    "declare-size": "declare it first: dims {name}",
    "attributes-are": "attributes are {names}",
    "primed-functions": "functions with a prime: {names}",
    "size-arguments": "e.g. ones(n, 1) or eye(3)",
    # ---------------------------------------------------- operator shapes
    "star-equal": "use '*' for the elementwise product: both sides are {shape}",
    "star-scalar": "use '*' for the elementwise product: one side is a scalar",
    "matmul-instead": "use '@' for the matrix product: {left} @ {right} gives {result}",
    "transpose-operand": "transpose the {side} operand: write {new} instead of {old} ({tried} gives {result})",
    "transpose-operand-long": "transpose the {side} operand (append .T to it in brackets) ({tried} gives {result})",
    "swap": "swap the operands: {swapped} ({right} @ {left} gives {result})",
    "swap-words": "right @ left",
    "matmul-no-fix": "no '*', transpose or swap makes {left} @ {right} fit ({inner_l} against {inner_r}); "
                     "one operand is likely the wrong quantity",
    "star-no-fix": "neither '@' nor a transpose makes {left} and {right} fit; one operand is likely the wrong quantity",
    "elementwise-no-fix": "no transpose makes {left} and {right} fit; one operand is likely the wrong quantity",
    "scalar-power": "raise to a scalar power",
    "scalar-power-exp": "raise to a scalar power; for entry-by-entry powers of positive entries write {form}",
    "stretch-named": "{form} (M the {mat} matrix, v the {vec} vector)",
    "stretch-divide": "each entry divides the vector's entry by the matrix's; if that is meant, "
                      "repeat the vector explicitly: {form}",
    "stretch-rows": "this equals {form}, which scales each row of the matrix; write that if it is meant, "
                    "or '@' for a matrix product",
    "stretch-columns": "this equals {form}, which scales each column of the matrix; write that if it is meant, "
                       "or '@' for a matrix product",
    "new-shape-instead": "{new} instead of {old} (gives {result})",
    "new-shape-operand": "the {side} operand transposed (gives {result})",
    "new-shape-or": "{first} or {second}",
    "new-shape-transpose": "transpose one side: write {fixes}; or {tail}",
    "new-shape-outer": "write outer(...) if the {result} matrix is intended",
    "new-shape-ones": "if the {result} matrix is intended, repeat the vectors explicitly with ones(...) and '@'",
    # -------------------------------------------------------------- claims
    "claim-transposed": "the right side is the transpose of {deriv}: write {form}",
    "claim-transposed-long": "the right side is the transpose of {deriv}: write (...).T",
    "claim-shape-rule": "{deriv} is {expected}: {rule}",
    "claim-or-layout": "{hint}, or put 'layout denominator' at the top if Jacobians are meant transposed",
    "diagonal": "write `diag({inner})` for the Jacobian {deriv}, or keep the vector "
                "and multiply by it with '*' in the gradient",
    "higher-order": "write the gradient of a scalar (the loss) instead, e.g. d{loss}/d{x}",
    "rule-gradient": "the gradient of the scalar {y} has the shape of {x}",
    "rule-by-scalar": "a derivative by the scalar {x} has the shape of {y}",
    "rule-jacobian": "the Jacobian of {y} ({m} entries) by {x} ({n} entries) is {shape} in {layout} layout",
    # -------------------------------------------------------------- syntax
    "middle-dot": "Write '@' for a matrix product or '*' for an elementwise product.",
    "matlab-*": "Write '*': it is already elementwise.",
    "matlab-/": "Write '/': it is already elementwise.",
    "matlab-^": "Write '**' for an elementwise power.",
    "matlab-'": "Write '.T' for the transpose.",
    "matlab-quote": "Write {operand}.T for the transpose; a quote is only allowed in a derivative call like sigma'(a).",
    "stray-closer": "Remove it, or add the opening bracket where the group starts.",
    "close-with": "Close it with '{closer}'.",
    "add-closer": "Add '{closer}' where the group ends.",
    "caret": "'^' only writes a transpose (x^T); write '**' for a power.",
    "dot": "'.' only writes a transpose (x.T); write '*' or '@' for a product.",
    "backslash": "LaTeX commands are not part of the language: write dL/dx, '@' or '*', x.T.",
    "times-sign": "'×' only separates the sizes of a shape; write '@' for a matrix product or '*' "
                  "for an elementwise product.",
    "leading-operator": "A statement cannot start with an operator; a line ending in an operator "
                        "continues on the next, so move it to the end of the previous line.",
    "juxtaposed": "Two operands side by side: write '@' for a matrix product or '*' for an elementwise one.",
    "ascii-names": "Names use ASCII letters, digits and '_'; Greek letters and "
                   "accents are spelled out: θ is theta, ŷ is yhat, x̄ is xbar.",
    "positional-first": "Put positional arguments first: sum(X, axis=0).",
}

# The variable part of a message ("{what}" in a catalogue template).
DETAILS: dict[str, str] = {
    # ------------------------------------------------------- names and sizes
    "how-size": "declared as a size",
    "how-declared": "declared",
    "how-defined": "defined",
    "what-size-symbol": "a size symbol",
    "size-not-positive": "size '{name}' must be a positive integer, got {value}",
    "size-literal-not-positive": "a size must be a positive integer, got {value}",
    "size-too-large": "size '{name}' must be less than 10^308 (a float64 holds no larger number), got {value}",
    "size-literal-too-large": "a size must be less than 10^308 (a float64 holds no larger number), got {value}",
    "size-undeclared": "size symbol '{name}' is not declared",
    "layout-unknown": "the layout is 'numerator' or 'denominator', not '{kind}'",
    "layout-again": "the layout is already set on line {line}",
    "layout-late": "the layout must come before the first claim (line {line})",
    "layout-word": "unknown layout '{kind}': write 'layout numerator' or 'layout denominator'",
    "higher-order-shapes": "{y} is {ys} and {x} is {xs}",
    # ------------------------------------------------------------- functions
    "no-prime": "has no prime: {name}'(x) is defined only for elementwise functions",
    "bad-axis": "needs axis=0 or axis=1, got axis={axis}",
    "size-argument": "takes sizes (size symbols or positive integers), got {got}",
    # ---------------------------------------------------------------- syntax
    "not-a-name": "'{name}' cannot be a name",
    "number-too-long": "the number {start}... is too long",
    "positional-after-keyword": "a positional argument follows a keyword argument",
    "no-opener": "'{closer}' has no '{opener}' before it",
    "closed-by": "'{opener}' is closed by '{closer}'",
    "never-closed": "'{opener}' is never closed",
    "opened-here": "opened here",
    "expected-found": "expected {expected}, found {found}",
    "unexpected": "unexpected {found}",
    "matlab-op": "'{op}'",
    "matlab-quote-op": "the quote in {operand}'",
    "expect-statement": "a statement (x : 1 x n, a = ..., dL/dx = ..., dims or layout)",
    "expect-operator": "an operator",
    "expect-operand": "an operand",
    "expect-shape": "a shape such as 1 x n or scalar",
    "expect-size": "a size (a whole number or a name)",
    "one-of": "{some} or {last}",
    "found-name": "the name '{value}'",
    "found-number": "the number {value}",
    "found-derivative": "the derivative {value}",
    "found-text": "'{value}'",
    "found-unicode": "'{value}' (U+{code})",
    "found-character": "the character U+{code}",
    "found-quote": "a quote",
}

# Input: sources read and paths given to chainrule lint (E900, W704).
INPUT: dict[str, str] = {
    "no-such-path": "{path}: no such file or directory",
    "not-a-document": "{path}: not a document chainrule lints (.deriv, .md, .tex, .ipynb)",
    "symlink-loop-up": "a symlink loop back to a directory above it",
    "cannot-list": "cannot list it ({why})",
    "broken-symlink": "a broken symlink or a symlink loop",
    "link-out-of-tree": "a link out of the linted tree",
    "skipped-special": "{kind}, not a regular file",
    # reading a source (pipeline.reading)
    "no-such-file": "{path}: no such file",
    "cannot-read": "{path}: cannot read ({why})",
    "not-regular": "{path} is {kind}, not a regular file",
    "nul-in-name": "a file name cannot contain a NUL character",
    "kind-directory": "a directory",
    "kind-fifo": "a FIFO (named pipe)",
    "kind-char-device": "a character device",
    "kind-block-device": "a block device",
    "kind-socket": "a socket",
    "kind-special": "a special file",
    "too-large": "{path} is too large ({size} MiB, limit {limit} MiB)",
    "grew-too-large": "{path} is too large (it grew past the limit of {limit} MiB while it was read)",
    "binary-file": "{path} looks like a binary file (NUL byte on line {line})",
    "not-utf8": "{path} is not UTF-8 text (byte {byte} at line {line}, column {column})",
    "line-too-long": "{path}: line {line} is too long (more than {limit} MiB)",
    "notebook-too-deep": "not a valid notebook: the JSON is nested too deeply",
}

# Option values (apps.options): the reason a value is refused, after "argument --NAME: ".
OPTIONS: dict[str, str] = {
    "option-seed": "a seed is a whole number from 0 to {top}, got {value!r}",
    "option-seconds": "a timeout is a positive, finite number of seconds, got {value!r}",
    "option-gib": "a memory budget is a positive, finite number of GiB, got {value!r}",
    "option-count": "a number of processes is a whole number from 1 to {top}, got {value!r}",
    "option-bad-value": "argument {option}: {why}",
    "option-needs-value": "{option} needs a value ({what})",
    "option-unknown": "unknown option {option!r} (options: {options})",
    "option-unreadable": "cannot read the options ({why})",
    "what-seed": "a seed from 0 to {top}",
}

# The details of verification (E500, W501, E502) and the claim statuses.
VERIFY: dict[str, str] = {
    "kink-given": "the given inputs put an argument of {kinked} at its kink (0), "
                  "where the derivative does not exist",
    "kink-every": "every one of {count} draws put an argument of {kinked} at its "
                  "kink (0), where the derivative does not exist",
    "whole-jacobian": "write the whole Jacobian; checked with seed {seed}",
    "inconsistent": "reverse mode and finite differences disagree ({why})",
    "inconsistent-hint": "seed {seed}; the claim is left unverified",
    "inconsistent-status": "internal check failed: {detail}",
    "why-undefined": "'{name}' is not defined",
    "why-name-errors": "'{name}' has errors",
    "why-higher-order": "{claim} has no matrix form (a higher-order tensor)",
    "why-right-side-errors": "its right side has errors",
    "why-right-side-shape": "its right side is {got}, but {claim} is {expected}",
    "why-uses-errors": "it uses a name with errors",
    "verified-against": "verified against",
    "compared-with": "compared with",
    "with-notes": "{detail} ({notes})",
    "checked-draw": "checked with seed {seed}, {count} draw",
    "checked-draws": "checked with seed {seed}, {count} draws",
    "wrong-in-all": "in all {count} draws",
    "wrong-in-some": "in {wrong} of {count} draws",
    "wrong-where": "{checked}; wrong {which}, first with {where}",
    "then": "{first}; {then}",
    "took-longer": "took longer than {seconds} s",
    "too-much-memory": "the drawn sizes need too much memory ({why})",
    "not-finite": "{name} or its derivative is not finite at the drawn values",
    "not-evaluated": "it could not be evaluated: {why}",
    "singular": "a matrix is singular at the drawn values ({why})",
    "right-side-not-finite": "the right side is not finite at the drawn values",
    "note-diagonal": "verified against the diagonal of the {shape} Jacobian",
    "note-symmetric": "symmetric parts compared, since {name} is symmetric",
    "not-diagonal": "the {shape} Jacobian is not diagonal (entry [{i}, {j}] is {value}), "
                    "so a vector cannot stand for it",
    "use-of": "the use of {name}",
    "use-of-at": "the use of {name} at line {line}, column {column}",
    "uJv": "<u, J v> = {reverse} by reverse mode, {differences} by central differences",
    # how a wrong claim is wrong (verify.diagnose), and what to try
    "sign-flipped": "the sign is flipped",
    "sign-and-factor": "the sign is flipped and it is off by a factor of {factor}",
    "factor": "off by a factor of {factor}",
    "factor-changes": "off by a factor that changes from draw to draw ({values})",
    "factor-changes-hint": "compare the constants and sizes in the claim with the definitions",
    "negate-hint": "negate the right side, or check the sign in the definitions (a loss usually has a minus)",
    "factor-hint": "check the constant factors and the sizes (a mean divides by the count)",
    "is-zero": "it is zero, but the true derivative is not",
    "is-zero-hint": "the term that carries the dependence on the variable is missing",
    "true-zero": "the true derivative is zero, but the claim is not (claimed {value})",
    "true-zero-at": "the true derivative is zero, but the claim is not (claimed {value} at {at})",
    "true-zero-hint": "the definitions do not depend on the variable along this path",
    "transposed": "transposed",
    "transposed-and": "transposed, and {factor}",
    "transpose-hint": "transpose the right side",
    "only-diagonal": "it is only the diagonal of the true {shape} {kind}",
    "only-diagonal-hint": "the off-diagonal entries are not zero: the function mixes entries (e.g. softmax)",
    "missing-use": "missing a term: the contribution through {what}",
    "missing-uses": "missing a term: the contributions through {what}",
    "missing-use-hint": "every use of the variable contributes a term (product rule)",
    "extra-term": "an extra term: {term}",
    "remove-term": "remove {term}",
    "missing-term": "missing a term: {term}",
    "add-term": "add {term}",
    "missing-rank-one": "missing a term: the difference is a rank-1 {shape} matrix with largest entry {value} at {at}",
    "missing-rank-one-hint": "a term like an outer product (u.T @ v) is missing",
    "shape-differs": "its value is {claimed} at the drawn sizes, but the derivative is {true}",
    "largest-error": "largest error: claimed {claimed}, true {true}",
    "largest-error-at": "largest error at {at}: claimed {claimed}, true {true}",
}

# Evaluation and its inputs (dsl.compute): E600, W601, E602, E603.
COMPUTE: dict[str, str] = {
    "more-than-free": "more memory than is free",
    "bytes": "{count} bytes",
    "bytes-about": "about {count} bytes",
    "inputs-over-budget": "inputs exceed the memory budget; check_budget reports this as E600",
    "array-here": "{name} ({shape}, {here} here)",
    "inputs-and-definitions": "the inputs and definitions",
    "size-setting": "{name} = {value}",
    "smaller-sizes": "use smaller sizes, or raise the budget with --memory.",
    "smaller-sizes-at": "{settings}: use smaller sizes, or raise the budget with --memory.",
    # values and operations
    "scalar": "scalar",
    "not-a-matrix": "a {ndim}-dimensional array is neither a scalar nor a matrix",
    "cannot-combine": "'{op}' cannot combine {left} and {right}",
    "unknown-operator": "unknown operator {op}",
    "unknown-node": "unknown node {node}",
    "no-derivative": "has no derivative f'(x)",
    "takes-argument": "takes {count} argument, got {got}",
    "takes-arguments": "takes {count} arguments, got {got}",
    "takes-no-axis": "takes no axis",
    "no-keyword": "takes no keyword argument {name}",
    # derivatives (autodiff)
    "definition-has-errors": "the definition of {name} has errors",
    "derivative-of-derivative": "a definition uses {deriv}, and derivatives of derivatives are not computed",
    "prime-no-derivative": "{name}' has no derivative here",
    "cannot-differentiate": "cannot differentiate {expr}",
    "has-no-value": "'{name}' has no value (not an input or a definition)",
    "not-a-value": "'{name}' is not an input or a definition",
    "the-derivative": "the derivative",
    "higher-order-tensor": "{name} is a higher-order tensor",
    "not-a-scalar": "{name} is not a scalar; use derivative() for a Jacobian",
    # non-finite values (W601)
    "hint-domain": "Check the domain of the function, or give the input the attribute 'positive'.",
    "hint-zero": "Check for zero denominators.",
    "division-by-zero": "division by zero",
    "negative-base": "a negative base raised to a fractional power",
    "zero-negative-power": "zero raised to a negative power",
    "literal-too-large": "a literal too large for float64",
    "derivative-not-finite": "the derivative is not finite at these values",
    "overflow": "overflow",
    "undefined-operation": "an undefined operation (such as inf - inf after an overflow)",
    "nan-and-infinite": "NaN and infinite",
    "nan": "NaN",
    "infinite": "infinite",
    "in-definition-of": " in the definition of {name}",
    "defining": " (defining {name})",
    "entries-not-finite": "{count} of {size} entries not finite",
    "non-finite-entries": "{kind} entries{where}: {reason}",
    "given-not-finite": "NaN or infinite entries in the given data",
    # given values (E602)
    "no-value-given": "no value was given for the input {name}",
    "value-not-numeric": "the value given for {name} is not numeric: {why}",
    "value-not-numbers": "the value given for {name} is not an array of numbers",
    "value-shape": "{name} is {got}, declared {declared} ({here} here)",
    "array-ndim": "{name} is {ndim}-dimensional; values are scalars or matrices",
    "array-declared": "{name} is {got}, declared {declared}",
    "array-size-zero": "{name} is {got}: sizes are at least 1",
    "array-against-dims": "{name} is {got}, so {sym} would be {n}, but dims declares {sym} = {value}",
    "other-side": "its other side",
    "array-and-shape": "{name} ({shape})",
    "size-two-ways": "{sym} is {first} from {source} but {n} from {name} ({got}); {name} is declared {declared}",
    "jacobian-of": "the {m} x {n} Jacobian {deriv}",
    # .npz files
    "npz-directory": "{path} is a directory, not an .npz file",
    "npz-not-archive": "{path} is not an .npz archive of named arrays{single}",
    "npz-single": " (it is a single .npy array; save named arrays with np.savez)",
    "npz-io": "an input/output error",
    "npz-damaged": "{path} cannot be read as .npz (the archive is damaged)",
    "npz-not-npy": "{member} in {path} is not a .npy array",
    "npz-duplicate": "{path} holds two members named {key}.npy; each array is named once",
    "npz-not-npy-data": "{key} in {path} does not start like a .npy array (pickled data is never read)",
    "npz-bad-header": "{key} in {path} has a damaged .npy header "
                      "(a dictionary of descr, fortran_order and shape is expected)",
    "npz-huge-shape": "{key} in {path} declares a shape too large for any array",
    "npz-truncated": "{key} in {path} holds less data than its header declares",
    "npz-records": "{key} in {path} holds records; only real numbers are read",
    "npz-objects": "{key} in {path} holds Python objects; only numeric arrays are read (pickle is never used)",
    "npz-kind": "{key} in {path} holds {kind}; only real numbers are read",
    "npz-complex": "complex numbers",
    "npz-dtype": "dtype {dtype}",
    "npz-ndim": "{key} in {path} is {ndim}-dimensional ({shape}); values are scalars or matrices",
    "npz-empty": "{key} in {path} is empty ({shape})",
    "npz-member": "{key} in {path} ({shape}, {dtype})",
}

# Grammar terminals in words, in the order they are listed ("expected ... or ...").
TERMINALS: dict[str, str] = {
    "TIMES": "'x' between the two sizes", "LPAR": "'('", "RPAR": "')'", "RSQB": "']'", "_COMMA": "','",
    "_EQUAL": "'='", "_COLON": "':'", "NAME": "a name", "INT": "a whole number",
    "$END": "the end of the statement",
}

TITLES: dict[str, str] = {
    "star": "use '*' for the elementwise product",
    "matmul": "use '@' for the matrix product",
    "transpose-left": "transpose the left operand",
    "transpose-right": "transpose the right operand",
    "swap": "swap the operands",
    "power": "write the power as exp(b * log(a))",
    "stretch": "write the broadcast explicitly",
    "transpose-claim": "transpose the right side",
    "negate-claim": "negate the right side",
    "add-term": "add {term}",
    "subtract-term": "remove {term}",
    "diag": "write the Jacobian with diag(...)",
    "rename": "replace with '{name}'",
    "matlab": "write '{replacement}'",
}


TABLES = (HINTS, DETAILS, INPUT, OPTIONS, VERIFY, COMPUTE)
"""Every table of sentences :func:`say` looks up (fix titles are apart)."""
_ALL = {key: text for table in TABLES for key, text in table.items()}


def say(key: str, /, **values) -> str:
    """The hint sentence or message detail ``key`` with ``values`` filled in."""
    return _ALL[key].format(**values)


def title(key: str, **values) -> str:
    """The short title of a fix, as a language server shows it."""
    return TITLES[key].format(**values)
