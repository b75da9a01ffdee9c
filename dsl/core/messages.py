"""Every diagnostic code, its wording, and its catalogue entry, in one place.

Passes call :func:`make` with a code and the values for its template (and
the hint and :class:`~dsl.core.diagnostics.Fix` they propose); they never
write message text themselves: hint sentences, the variable details of
messages and fix titles are in ``wording``.  ``docs/diagnostics.md`` is generated
from :data:`CATALOGUE` (``python -m dsl.core.messages > docs/diagnostics.md``) and a
test keeps the two in step.
"""
from __future__ import annotations

from dsl.core.attributes import ATTRIBUTES
from dsl.core.diagnostics import Diagnostic, Fix, Label
from dsl.core.entries import Entry
from dsl.core.entries_documents import DOCUMENT_ENTRIES
from dsl.core.span import Span

_ENTRIES = [
    # ----------------------------------------------------------- syntax (1xx)
    Entry("E100", "syntax-error", "syntax error: {what}",
          "The statement follows the grammar in grammar/chainrule.lark.",
          "The line cannot be read as a statement, so nothing on it can be checked.",
          "a = x @ @ W", "Write one statement per line: dims, a declaration, a definition or a claim."),
    Entry("E101", "unbalanced-bracket", "unbalanced bracket: {what}",
          "Every '(' has its ')' on the same statement.",
          "An unclosed or stray bracket changes what the expression means.",
          "h = sigma(x @ W", "Close the bracket, or remove the stray one."),
    Entry("E102", "middle-dot", "'·' is not an operator in chainrule",
          "The middle dot is refused.",
          "Notes use '·' both for the matrix product and for the elementwise product, so "
          "its meaning cannot be guessed.",
          "dL/da = g · sigma'(a)", "Write '@' for a matrix product or '*' for an elementwise product."),
    Entry("E103", "matlab-operator", "{op} is MATLAB notation",
          "MATLAB's '.*', './', '.^' and the quote transpose are refused.",
          "chainrule follows NumPy: '*' is already elementwise and transpose is '.T'.",
          "g = a .* b", "Use '*', '/', '**' and '.T' as in NumPy."),
    Entry("E104", "too-deep", "expression nested too deeply (more than {limit} levels)",
          "Expressions have at most a fixed nesting depth.",
          "Such input is almost certainly generated or corrupted, and cannot be checked reliably.",
          "a = ((((((...))))))", "Name intermediate results with definitions."),
    Entry("E105", "too-long", "statement too long ({length} characters, at most {limit})",
          "A statement is at most a fixed number of characters long.",
          "Such input is generated or corrupted; reading it would take time and memory out of "
          "proportion to anything written by hand.",
          "y = f(x, x, x, ... a million more)", "Name intermediate results with definitions."),
    # ------------------------------------------------------------ names (2xx)
    Entry("E200", "undefined-name", "undefined name '{name}'",
          "Every name is declared or defined before it is used.",
          "The value and shape of an unknown name are unknown.",
          "h = sigma(aa)", "Declare it ('aa : 1 x k') or define it before this line; the hint names the closest known name."),
    Entry("E201", "redefinition", "'{name}' is already {what} on line {line}",
          "Each name is declared or defined once (single assignment).",
          "A second definition makes every later use ambiguous.",
          "a = x @ W1\na = a + b1", "Use a new name for the new value."),
    Entry("E202", "unknown-function", "unknown function '{name}'",
          "Functions come from the fixed list in the README.",
          "An unknown function has no shape rule and no value.",
          "h = sigmoidd(a)", "Use a known function; the hint names the closest."),
    Entry("E203", "arity", "{name}() {what}",
          "Each function is called with the arguments it takes.",
          "A missing or extra argument changes the meaning.",
          "L = xent(yhat)", "Pass the arguments listed in the function table."),
    Entry("E204", "argument-shape", "{name}() {what}",
          "Arguments have the shape a function needs (diag of a vector or square matrix, inv/det/trace of a square matrix, softmax of a vector or matrix, axis 0 or 1).",
          "The function is not defined for that shape.",
          "Winv = inv(W1)   # W1 : n x k", "Pass an argument of the right shape; the message says which."),
    Entry("E205", "unknown-attribute", "unknown attribute '{name}'",
          f"Declaration attributes are {', '.join(ATTRIBUTES)}.",
          "An unknown attribute would be silently ignored when drawing test data.",
          "y : 1 x n one_hot", "Use one of the listed attributes."),
    Entry("E206", "bad-size", "{what}",
          "Sizes in shapes are positive integers or declared size symbols.",
          "An undeclared symbol could be a typo for another, and symbols never match each other.",
          "x : 1 x m      # m not in dims", "Declare the symbol with 'dims m'."),
    Entry("E207", "attribute-shape", "attribute '{attr}' needs a square matrix, but '{name}' is {shape}",
          "The attributes symmetric, spd, orthogonal and invertible describe square matrices (a scalar is accepted too).",
          "No data of a non-square shape can be symmetric, so test inputs could not be drawn.",
          "S : n x k spd", "Declare a square shape ('S : n x n spd'), or drop the attribute."),
    # ---------------------------------------------------- index notation (21x)
    Entry("E210", "index-range", "index '{index}' ranges over {first} in one use and over {second} in another",
          "An index ranges over the size of the axis it indexes, the same in every use of one statement.",
          "An index over two different sizes pairs entries that do not correspond.",
          "c[i] = sum[k](A[i, k] * x[i])   # A : n x k, x : 1 x m", "Use another index letter, or index the axis of the right size."),
    Entry("E211", "free-index", "index '{index}' is neither summed nor on the left",
          "Every index on the right side is bound by a sum[...] or written on the left.",
          "A free index on the right leaves the value undefined for its other entries.",
          "s = x[i] * y[i]", "Sum over it, sum[i](x[i] * y[i]), or write it on the left, s[i] = x[i] * y[i]."),
    Entry("E212", "index-bound-twice", "index '{index}' {what}",
          "A summed index is not also on the left, nor summed again inside its own sum; the left side names each index once.",
          "The same letter would stand for one entry and for the sum over all of them.",
          "c[i] = sum[i](A[i, i])", "Use a new letter for the summed index."),
    Entry("E213", "index-count", "'{name}' is {shape}: it takes {want}, not {got}",
          "A vector takes one index, a matrix two, a rank-k tensor k; a scalar is not indexed.",
          "A wrong number of indices does not name an entry.",
          "y = sum[i](W[i])   # W : n x k", "Write one index per axis: W[i, j]."),
    Entry("E214", "index-operand", "{what}",
          "Inside index notation, operands are entries (indexed values) or scalars, combined elementwise.",
          "A matrix, '@' or '.T' between entries mixes index notation with matrix notation and has no entrywise meaning.",
          "c[i] = W * x[i]   # W : n x k", "Index every matrix (W[i, j]) and write products with '*' and sum[...]."),
    Entry("E215", "index-claim", "{claim}: {what}",
          "A claim in index form has indices on its derivative that name its axes: dL/dW[i, j] for a scalar L and a matrix W, dy[i]/dx[j] for vectors.",
          "Indices that do not match the derivative's axes do not name its entries.",
          "dL/dW[i] = x[i]   # W : n x k", "Write one index per axis of the derivative."),
    Entry("E216", "index-no-range", "index '{index}' has no range: {what}",
          "Every summed index, and every index of delta(i, j), appears in an indexed value, which gives its range "
          "(an index on the left only spans one entry, a broadcast axis).",
          "Without a range the size of the sum (or of the identity delta stands for) is unknown.",
          "l = sum[i, j](y[i])", "Use the index in the summand, e.g. sum[i, j](y[i] * z[j]), or drop it from the sum."),
    # ------------------------------------- comparisons and pasted code (23x)
    Entry("E230", "comparison-use", "a comparison ('{op}') cannot be {where}",
          "A comparison (a > b, a >= b, a < b, a <= b) is 1 where it holds and 0 elsewhere; it can be "
          "the condition of where(), a factor of '*', or the whole right side of a definition or a claim (a mask).",
          "Added to a value or passed to a function, a 0/1 step is almost always a misplaced bracket "
          "(x > 0 + y reads as x > (0 + y)), and its derivative is zero everywhere it exists.",
          "g = (x > 0) + y", "Write where(x > 0, a, b) to choose between values, or multiply by the mask: (x > 0) * a."),
    Entry("E231", "method-call", "{call} is NumPy method syntax",
          "Functions are called as functions: sum(X, axis=1), not X.sum(axis=1); the transpose is .T, not .T().",
          "chainrule has no methods; the call reads as an attribute of a name, which is not part of the language.",
          "s = X.sum(axis=1)", "Write the function with the value as its first argument: sum(X, axis=1)."),
    Entry("E232", "module-prefix", "'{prefix}' is a Python module prefix",
          "Functions are written without np., numpy. or np.linalg. in front.",
          "chainrule has no modules: every function of the table is called by its name.",
          "h = np.exp(a)", "Drop the prefix: exp(a)."),
    Entry("E233", "inverse-caret", "'{text}' is not chainrule syntax for the inverse",
          "'^' only writes a transpose (X^T); the inverse of a square matrix is inv(X).",
          "X^-1 is not an operator here, and X ** -1 would be the entrywise reciprocal.",
          "Z = X^-1 @ y", "Write inv(X) for the inverse of a square matrix, 1 / x for a reciprocal."),
    Entry("E234", "math-symbol", "'{symbol}' is {what}",
          "Symbols from typeset mathematics (√, Σ, ⊗) are written as functions.",
          "They are not operators of the language; each has a function that says the same.",
          "r = √x", "Write sqrt(x) for √x, sum(...) for Σ, outer(u, v) for u ⊗ v of two vectors."),
    Entry("W230", "elementwise-inverse", "'{text}' is the entrywise reciprocal, not the inverse",
          "A power ** -1 of a square matrix (not 1 x 1) is flagged: '**' is elementwise, as in NumPy.",
          "On paper X^{-1} is the matrix inverse; X ** -1 takes 1 / x of every entry.",
          "Z = X ** -1   # X : n x n", "Write inv(X) for the inverse; write 1 / X if the reciprocals are meant."),
    # ----------------------------------------------------------- shapes (3xx)
    Entry("E300", "matmul-shape", "'@' needs equal inner sizes, but {left} @ {right} has {inner_l} against {inner_r}",
          "A matrix product A @ B needs A's columns to equal B's rows.",
          "NumPy raises an error, and on paper the product does not exist.",
          "g = (yhat - y) @ W2   # 1 x n @ k x n", "The hint names a fix that works: '*' when the shapes are equal, a transpose, or swapping operands."),
    Entry("E301", "elementwise-shape", "'{op}' needs matching shapes, but got {left} and {right}",
          "Elementwise operators (+ - * /) need equal shapes, or one side a scalar, or a bias row (1 x k over m x k) or column (m x 1 over m x k).",
          "Mismatched shapes do not combine entry by entry.",
          "g = (yhat - y) * W2   # 1 x n * k x n", "The hint names '@' or a transpose when that fits."),
    Entry("E302", "power-exponent", "the exponent of '**' must be a scalar, got {right}",
          "'**' raises elementwise to a scalar power.",
          "A matrix exponent has no elementwise meaning here.",
          "s = a ** b", "Use a scalar exponent, or '*' for an elementwise product."),
    Entry("W303", "vector-broadcast", "'{op}' broadcasts the vector {vec} over the matrix {mat}",
          "A vector against a matrix in '*' or '/' is legal NumPy but rarely what a derivation means.",
          "NumPy stretches the vector silently: W2.T * h equals W2.T @ diag(h), a scaling of columns, not a product.",
          "s = W2.T * h   # n x k * 1 x k", "Write the intent: '@ diag(h)' (or 'diag(h) @') to scale, or '@' for a product."),
    Entry("W304", "new-shape-broadcast", "'{op}' of {left} and {right} broadcasts to {result}, a shape neither operand has",
          "A broadcast that builds a new shape (column against row) is flagged in every operator.",
          "n x 1 minus 1 x n silently gives an n x n matrix; usually a transpose is missing.",
          "d = y.T - yhat   # n x 1 - 1 x n", "Transpose one operand, or write outer(...) if the matrix is intended."),
    Entry("E305", "matmul-scalar", "'@' needs a matrix on both sides, but got {left} @ {right}",
          "Both operands of '@' are matrices (a 1 x 1 matrix is one; a scalar is not).",
          "NumPy refuses a matrix product with a 0-d operand; scaling is '*'.",
          "g = 2 @ W1", "Use '*' to scale by a scalar."),
    # -------------------------------------------------------- tensors (22x)
    Entry("E220", "matmul-batch", "'@' batches over the leading axes, but those of {left} @ {right} do not broadcast",
          "On tensors '@' multiplies the last two axes and broadcasts the leading (batch) axes as NumPy does.",
          "Leading sizes that differ, neither of them 1, pair no batch entry with another: NumPy raises an error.",
          "S = Q @ K   # b x t x d @ h x d x t", "Give both operands the same batch axes (or a size 1, or none, to share one matrix)."),
    Entry("E221", "transpose-tensor", "'.T' needs a matrix, but {operand} is {shape}",
          "'.T' transposes a matrix; on a tensor it is not said which axes to swap.",
          "NumPy's .T reverses every axis (the batch axis too), rarely what a derivation means.",
          "Kt = K.T   # K : b x t x d", "Write the swap in index notation: Kt[b, j, i] = K[b, i, j]."),
    Entry("E222", "tensor-rank", "{what}",
          "A declared value has at most 4 axes: a scalar, a matrix, or a tensor of rank 3 or 4.",
          "Values of more axes have no operators, test data or derivatives here.",
          "T : a x b x c x d x e", "Fold two axes into one, or split the value."),
    # ------------------------------------------------------ derivatives (4xx)
    Entry("E400", "claim-shape", "{claim} should be {expected}, but the right side is {got}",
          "The right side of a claim has the shape of the derivative (the README's layout rules).",
          "A gradient of the wrong shape cannot be the derivative, whatever its entries.",
          "dL/dx = W1 @ (yhat - y).T", "The hint names the transpose or operator that gives the expected shape."),
    Entry("E401", "higher-order", "{deriv} is a higher-order tensor ({what})",
          "Derivatives are of a scalar, or of a vector by a vector (or scalar).",
          "A matrix-by-matrix derivative has four indices and no matrix form here.",
          "dA/dW1 = ...   # A : m x k, W1 : n x k", "Write the gradient of the scalar loss instead, e.g. dL/dW1."),
    Entry("W402", "diagonal-jacobian", "{deriv} is a {shape} Jacobian, but the right side is the vector of its diagonal",
          "An elementwise function's Jacobian is diagonal; writing the diagonal as a vector is a shorthand.",
          "Used in a chain of '@' the vector gives the wrong shape or a silent broadcast.",
          "dh/da = h * (1 - h)", "Write diag(h * (1 - h)), or use the vector with '*' in the gradient."),
    Entry("E403", "layout", "{what}",
          "'layout numerator' or 'layout denominator' appears once, before any claim.",
          "Claims written before a change of layout would be read in the wrong one.",
          "layout transposed", "Write 'layout denominator' at the top of the file."),
    # ----------------------------------------------------- verification (5xx)
    Entry("E500", "wrong-claim", "{claim} is wrong: {detail}",
          "Each claim is compared numerically with the true derivative of the definitions.",
          "The claimed formula does not equal the derivative.",
          "dL/dtheta = y - yhat", "The detail says how it is wrong (sign, factor, transpose, diagonal, zero, missing term)."),
    Entry("W501", "unchecked-claim", "{claim} was not verified: {why}",
          "Claims whose checks could not run are reported, not silently passed.",
          "An unverified claim may be wrong.",
          "dL/dx = ...   # with a shape error earlier", "Fix the errors that stop verification."),
    Entry("E502", "inconsistent-derivative", "internal check failed for {claim}: {detail}",
          "The reference derivative is cross-checked against central finite differences.",
          "A disagreement means the reference cannot be trusted for this claim; it is reported, never swallowed.",
          "(reported by the verifier)", "Report it with the file; the claim is left unverified."),
    # ----------------------------------------------------- derivation (51x)
    Entry("E510", "cannot-derive", "cannot derive {deriv}: {why}",
          "chainrule derive finds a symbolic form of the derivative from the definitions.",
          "Some derivatives have no symbolic rule here (a function without one, index notation, "
          "a Jacobian of tensors); no partial answer is shown as complete.",
          "L = max(x)\n# chainrule derive f.deriv L x", "Derive the gradient of a scalar loss, or write the claim by hand and let check verify it."),
    Entry("E511", "derived-form-wrong", "internal check failed deriving {deriv}: {detail}",
          "Every derived form is verified numerically, like a claim, before it is shown.",
          "A derived form that does not verify is a defect of a symbolic rule; it is never shown as an answer.",
          "(reported by chainrule derive)", "Report it with the file."),
    Entry("N510", "derived-right-side", "{deriv} derived from the definitions: {expr}",
          "A claim whose right side has an error is given the derived right side, verified numerically.",
          "The claim as written cannot be verified; the derived form shows what it should be.",
          "dL/dx = (yhat - y) @ W2.T * sigma'(a) @ W1", "Use the derived right side (the fix)."),
    # ------------------------------------------------------- evaluation (6xx)
    Entry("E600", "memory-budget", "evaluating {name} needs {need}, more than the budget of {budget}",
          "Arrays are not allocated past a memory budget (--memory, default 4 GiB).",
          "Huge declared sizes would exhaust memory.",
          "dims n = 100000000000", "Use smaller sizes, or raise the budget with --memory."),
    Entry("W601", "non-finite", "{name} has {what}",
          "Values computed during evaluation are finite.",
          "NaN or infinity spreads through everything computed from it.",
          "l = log(a)   # a has negative entries", "Check the domain of the function, or add the attribute 'positive' to the input."),
    Entry("E602", "data", "{what}",
          "Arrays given with --data match their declarations.",
          "An array of the wrong shape would be checked against the wrong sizes.",
          "x in values.npz is 3 x 5, declared 1 x n", "Fix the array or the declaration."),
    Entry("E603", "evaluation-domain", "{what}",
          "Every operation can be carried out on the values it gets (inv of a non-singular matrix, "
          "sizes that are positive integers).",
          "The value does not exist, so nothing computed from it can be evaluated.",
          "Ainv = inv(A)   # A singular for these values", "Give values in the operation's domain, e.g. the attribute 'spd' for a matrix to invert."),
    Entry("W604", "derivative-needs-verification", "{deriv} has no value here: derivative terms are evaluated only when verifying claims",
          "A derivative term inside a definition needs the true derivative, which verification computes.",
          "Plain evaluation does not differentiate, so the definition and what depends on it are skipped.",
          "g = dL/dtheta @ W2.T", "Evaluate through 'chainrule check' or 'chainrule eval', which supply true derivatives."),
    *DOCUMENT_ENTRIES,
    # ------------------------------------------------------------ input (9xx)
    Entry("E900", "input", "{what}",
          "Input files exist, are regular files (not a directory, FIFO, device or socket) "
          "of at most 16 MiB, and are readable text in UTF-8; a notebook is JSON that is "
          "not nested too deeply to read; a file holds at most 100,000 statements (those "
          "past it are not checked).",
          "Nothing can be checked in a file that cannot be read.",
          "chainrule check missing.deriv", "Pass a readable UTF-8 text file."),
    Entry("E901", "internal", "internal error while {stage}: {what}",
          "A failure inside chainrule itself is reported as a diagnostic, not a traceback.",
          "It is a defect in chainrule, not in the input; the other files are still checked.",
          "(no input should cause it)", "Report it together with the input file."),
]

CATALOGUE: dict[str, Entry] = {e.code: e for e in _ENTRIES}

# Codes whose diagnostics carry a fix (``Diagnostic.fix``) when one concrete
# change is meant: the replacement the hint names.
FIXES: dict[str, str] = {
    "E102": "'*' next to a number, the one place only one product is meant",
    "E103": "the NumPy spelling of the operator",
    "E200": "the nearest known name",
    "E202": "the nearest known function",
    "E205": "the nearest attribute",
    "E206": "the nearest size symbol",
    "E231": "the function call: sum(X, axis=1) for X.sum(axis=1), .T for .T()",
    "E232": "the function without its module prefix",
    "E233": "inv(X)",
    "E234": "sqrt(x) for √x, sum for Σ, outer(u, v) for u ⊗ v",
    "W230": "inv(X)",
    "E300": "'*', the transposed operand, or the swapped operands",
    "E301": "'@' or the transposed operand",
    "E302": "the exp/log form of the power",
    "W303": "the broadcast written out with diag(...) or ones(...)",
    "W304": "the transposed operand",
    "E305": "'*'",
    "E400": "the right side derived from the definitions and verified; else the transposed right side",
    "W402": "the Jacobian written with diag(...)",
    "E500": "the right side derived from the definitions and verified; else the one the diagnosis names "
            "(negated, transposed, a term added or removed)",
    "N510": "the right side derived from the definitions and verified",
}


def make(code: str, span: Span, *, hint: str | None = None,
         labels: tuple[Label, ...] | list[Label] = (), fix: Fix | None = None, **values) -> Diagnostic:
    """Build a diagnostic from a catalogue code and its template values
    (the hint worded with ``wording.say``, and the fix it proposes, if any)."""
    entry = CATALOGUE[code]
    return Diagnostic(code, entry.severity, span, entry.template.format(**values),
                      hint, tuple(labels), fix)


def catalogue_markdown() -> str:
    """The diagnostic catalogue as Markdown (docs/diagnostics.md)."""
    out = ["# Diagnostic catalogue", "",
           "Every diagnostic chainrule reports, with its stable code. Codes starting with "
           "`E` are errors (exit code 1), `W` warnings (exit code 1 only with `--strict`).", "",
           "A diagnostic whose hint proposes one concrete change also carries it as data, a "
           "*fix*: the span to replace, the replacement (chainrule source) and a short title. "
           "`--format json` gives it as `\"fix\": {\"title\", \"replacement\", \"line\", "
           "\"column\", \"end_line\", \"end_column\"}` (1-based, end exclusive), SARIF as "
           "`fixes`; `chainrule lint` writes the replacement of a formula in LaTeX. The entries "
           "below say which codes carry one.", ""]
    for e in _ENTRIES:
        out += entry_markdown(e, level="##")
    return "\n".join(out)


def anchor(code: str) -> str:
    """The fragment of a code's heading in docs/diagnostics.md, as GitHub and
    most Markdown renderers spell it (``e300-shape-mismatch``)."""
    return f"{code.lower()}-{CATALOGUE[code].name}"


def entry_markdown(e: Entry, level: str = "#") -> list[str]:
    """One catalogue entry as Markdown lines (``chainrule rule`` prints it)."""
    out = [f"{level} {e.code} `{e.name}`", "",
           f"**Checks:** {e.checks}", "",
           f"**Why:** {e.why}", "",
           "**Example:**", "", "```deriv", e.example, "```", "",
           f"**Instead:** {e.fix}", ""]
    if e.code in FIXES:
        out += [f"**Fix:** {FIXES[e.code]}.", ""]
    return out


if __name__ == "__main__":  # pragma: no cover
    print(catalogue_markdown(), end="")
