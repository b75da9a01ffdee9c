"""Generated inputs for the benchmarks: a long derivation and its Python twin.

:func:`derivation` writes a ``.deriv`` text of about ``lines`` lines made of
blocks of the kinds found in ``examples/`` (a row-vector MLP as in
``mlp.deriv``, the column form, batch softmax regression, logistic regression
with an L2 penalty, a tanh layer under MSE), each with its own names and
sizes, varied by a seeded generator: the activation, the sizes, comments,
Unicode spellings (``σ``, ``∘``, ``ᵀ``, ``∂``, ``×``) in some blocks, and
statements continued over two lines.  Every block checks clean.

:func:`python_twin` is the same text as Python source (declarations as
annotations, claims as assignments to ``dL_dx``), which ``ast.parse`` reads:
the baseline of the ``check`` row.  It is derived from the ASCII spelling of
each block, so both texts hold the same statements and comments.

>>> d = derivation(200, seed=1)
>>> 150 < d.text.count("\\n") < 260 and d.lines == d.text.count("\\n")
True
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

_ACTIVATIONS = ("sigma", "tanh", "softplus")


@dataclass(frozen=True)
class Derivation:
    text: str          # the .deriv source
    python: str        # the same statements as Python source
    lines: int
    blocks: int


# ----------------------------------------------------------------- blocks
# Each block is ASCII .deriv text with {s} for the block's suffix.  A line
# ending in an operator is continued on the next, as a user would write it.

def _mlp_row(r: random.Random) -> str:
    act = r.choice(_ACTIVATIONS)
    n, k = r.randint(3, 9), r.randint(2, 8)
    return f"""# block {{s}}: one hidden layer ({act}), softmax, cross-entropy, row vectors
dims n{{s}} = {n}, k{{s}} = {k}
x{{s}} : 1 x n{{s}}
W1_{{s}} : n{{s}} x k{{s}}
b1_{{s}} : 1 x k{{s}}
W2_{{s}} : k{{s}} x n{{s}}
b2_{{s}} : 1 x n{{s}}
y{{s}} : 1 x n{{s}} onehot          # the label
a{{s}} = x{{s}} @ W1_{{s}} + b1_{{s}}
h{{s}} = {act}(a{{s}})
theta{{s}} = h{{s}} @ W2_{{s}} +
    b2_{{s}}
yhat{{s}} = softmax(theta{{s}})
L{{s}} = xent(y{{s}}, yhat{{s}})    # = -sum(y * log(yhat))
dL{{s}}/dtheta{{s}} = yhat{{s}} - y{{s}}
dL{{s}}/dh{{s}} = (yhat{{s}} - y{{s}}) @ W2_{{s}}.T
dL{{s}}/da{{s}} = (yhat{{s}} - y{{s}}) @ W2_{{s}}.T * {act}'(a{{s}})
dL{{s}}/dx{{s}} = (yhat{{s}} - y{{s}}) @ W2_{{s}}.T * {act}'(a{{s}}) @ W1_{{s}}.T
dL{{s}}/dW1_{{s}} = x{{s}}.T @ ((yhat{{s}} - y{{s}}) @ W2_{{s}}.T * {act}'(a{{s}}))
dL{{s}}/dW2_{{s}} = h{{s}}.T @ (yhat{{s}} - y{{s}})
dL{{s}}/dx{{s}} = dL{{s}}/dtheta{{s}} @ dtheta{{s}}/dh{{s}} @ dh{{s}}/da{{s}} @ da{{s}}/dx{{s}}
"""


def _mlp_column(r: random.Random) -> str:
    act = r.choice(_ACTIVATIONS)
    n, k = r.randint(3, 9), r.randint(2, 8)
    return f"""# block {{s}}: the same network with column vectors ({act})
dims p{{s}} = {n}, q{{s}} = {k}
u{{s}} : p{{s}} x 1
V1_{{s}} : p{{s}} x q{{s}}
c1_{{s}} : q{{s}} x 1
V2_{{s}} : q{{s}} x p{{s}}
c2_{{s}} : p{{s}} x 1
t{{s}} : p{{s}} x 1 onehot
z{{s}} = V1_{{s}}.T @ u{{s}} + c1_{{s}}
g{{s}} = {act}(z{{s}})
o{{s}} = V2_{{s}}.T @ g{{s}} + c2_{{s}}
q_{{s}} = softmax(o{{s}})
E{{s}} = xent(t{{s}}, q_{{s}})
dE{{s}}/do{{s}} = q_{{s}} - t{{s}}
dE{{s}}/dg{{s}} = V2_{{s}} @ (q_{{s}} - t{{s}})
dE{{s}}/dz{{s}} = V2_{{s}} @ (q_{{s}} - t{{s}}) * {act}'(z{{s}})
dE{{s}}/dV2_{{s}} = g{{s}} @ (q_{{s}} - t{{s}}).T
dE{{s}}/dV1_{{s}} = u{{s}} @ (V2_{{s}} @ (q_{{s}} - t{{s}}) * {act}'(z{{s}})).T
"""


def _softmax_regression(r: random.Random) -> str:
    m, d, c = r.randint(4, 12), r.randint(2, 9), r.randint(2, 6)
    return f"""# block {{s}}: multinomial logistic regression on a batch of {m}
dims m{{s}} = {m}, d{{s}} = {d}, c{{s}} = {c}
X{{s}} : m{{s}} x d{{s}}
W{{s}} : d{{s}} x c{{s}}
b{{s}} : 1 x c{{s}}
Y{{s}} : m{{s}} x c{{s}} onehot      # one label per row
Z{{s}} = X{{s}} @ W{{s}} + b{{s}}      # the bias row broadcasts over the batch
P{{s}} = softmax(Z{{s}})
J{{s}} = xent(Y{{s}}, P{{s}}) / m{{s}}
dJ{{s}}/dZ{{s}} = (P{{s}} - Y{{s}}) / m{{s}}
dJ{{s}}/dW{{s}} = X{{s}}.T @ (P{{s}} - Y{{s}}) / m{{s}}
dJ{{s}}/db{{s}} = sum(P{{s}} - Y{{s}}, axis=0) / m{{s}}
dJ{{s}}/dX{{s}} = (P{{s}} - Y{{s}}) @ W{{s}}.T / m{{s}}
"""


def _logistic_l2(r: random.Random) -> str:
    m, d = r.randint(4, 12), r.randint(2, 9)
    return f"""# block {{s}}: logistic regression with an L2 penalty
dims N{{s}} = {m}, D{{s}} = {d}
A{{s}} : N{{s}} x D{{s}}
v{{s}} : D{{s}} x 1
e{{s}} : scalar
lam{{s}} : scalar positive
r{{s}} : N{{s}} x 1
s{{s}} = sigmoid(A{{s}} @ v{{s}} + e{{s}})
C{{s}} = -mean(r{{s}} * log(s{{s}}) + (1 - r{{s}}) * log(1 - s{{s}})) +
    lam{{s}} * sum(v{{s}} ** 2)
dC{{s}}/dv{{s}} = A{{s}}.T @ (s{{s}} - r{{s}}) / N{{s}} + 2 * lam{{s}} * v{{s}}
dC{{s}}/de{{s}} = mean(s{{s}} - r{{s}})
dC{{s}}/dlam{{s}} = sum(v{{s}} ** 2)
"""


def _tanh_mse(r: random.Random) -> str:
    m, d = r.randint(4, 12), r.randint(2, 9)
    return f"""# block {{s}}: a tanh layer under the mean squared error
dims B{{s}} = {m}, F{{s}} = {d}
Q{{s}} : B{{s}} x F{{s}}
w{{s}} : F{{s}} x 1
f{{s}} : B{{s}} x 1
H{{s}} = tanh(Q{{s}} @ w{{s}})
M{{s}} = mse(f{{s}}, H{{s}})
dM{{s}}/dH{{s}} = 2 * (H{{s}} - f{{s}}) / B{{s}}
dM{{s}}/dw{{s}} = Q{{s}}.T @ (2 * (H{{s}} - f{{s}}) / B{{s}} * (1 - H{{s}} ** 2))
"""


_BLOCKS = (_mlp_row, _mlp_row, _mlp_column, _softmax_regression, _logistic_l2, _tanh_mse)


# ------------------------------------------------------------- spellings

_UNICODE = [
    (re.compile(r"\bsigma(?=')|\bsigma(?=\()"), "σ"),
    (re.compile(r" \* (?=\w+'\()"), " ∘ "),         # the Hadamard product with f'(a)
    (re.compile(r"\.T\b"), "ᵀ"),
    (re.compile(r"^d(\w+)/d(\w+) =", re.M), r"∂\1/∂\2 ="),
    (re.compile(r"^(\w+ : \w+) x (\w+)", re.M), r"\1 × \2"),
]


def _unicode(block: str) -> str:
    """The block as notes write it: σ, ∘, ᵀ, ∂L/∂x, ×."""
    for pattern, repl in _UNICODE:
        block = pattern.sub(repl, block)
    return block


_DIMS = re.compile(r"^dims (.*)$")
_DECL = re.compile(r"^(\w+) : (?:(\w+) x (\w+)|scalar)((?: \w+)*)$")
_CLAIM = re.compile(r"^d(\w+)/d(\w+) = ")
_PRIME = re.compile(r"(\w+)'\(")
_DERIV = re.compile(r"\bd(\w+)/d(\w+)\b")


def _python_line(line: str) -> str:
    """One ASCII .deriv line as Python: what ``ast.parse`` has to read."""
    code, hash_, comment = line.partition("#")
    stripped = code.strip()
    indent = code[: len(code) - len(code.lstrip())]
    tail = (" " if stripped else "") + hash_ + comment if hash_ else ""
    if not stripped:
        return line
    if m := _DIMS.match(stripped):
        names, values = zip(*(item.split(" = ") for item in m.group(1).split(", ")), strict=True)
        out = f"{', '.join(names)} = {', '.join(values)}"
    elif m := _DECL.match(stripped):
        name, rows, cols, attrs = m.groups()
        args = [rows, cols] if rows else ["scalar"]
        args += [repr(a) for a in attrs.split()]
        out = f"{name}: M[{', '.join(args)}]"
    else:
        out = _CLAIM.sub(r"d\1_d\2 = ", stripped)
        out = _DERIV.sub(r"d\1_d\2", _PRIME.sub(r"\1_prime(", out))
    if out.endswith(("+", "-", "*", "/", "@")):
        out += " \\"
    return indent + out + tail


def python_twin(ascii_text: str) -> str:
    """The Python source equivalent to an ASCII derivation."""
    return "\n".join(_python_line(line) for line in ascii_text.split("\n"))


# ----------------------------------------------------------------- public

def derivation(lines: int, seed: int = 0, unicode_share: float = 0.25) -> Derivation:
    """A derivation of about ``lines`` lines (whole blocks), and its Python twin."""
    r = random.Random(seed)
    deriv_parts, ascii_parts = [], []
    count = blocks = 0
    while count < lines:
        block = r.choice(_BLOCKS)(r).format(s=blocks)
        ascii_parts.append(block)
        deriv_parts.append(_unicode(block) if r.random() < unicode_share else block)
        count += block.count("\n") + 1     # a blank line between blocks
        blocks += 1
    text = "\n".join(deriv_parts)
    return Derivation(text, python_twin("\n".join(ascii_parts)), text.count("\n"), blocks)


_SHARED_INPUTS = """# one network's inputs, shared by every block below
dims n = 6, k = 4
x : 1 x n
W1 : n x k
b1 : 1 x k
W2 : k x n
y : 1 x n onehot
"""


def _shared_block(r: random.Random) -> str:
    act = r.choice(_ACTIVATIONS)
    return f"""# block {{s}}: the shared inputs through {act}, a softmax and cross-entropy
a{{s}} = x @ W1 + b1
h{{s}} = {act}(a{{s}})
yhat{{s}} = softmax(h{{s}} @ W2)
L{{s}} = xent(y, yhat{{s}})
dL{{s}}/dW2 = h{{s}}.T @ (yhat{{s}} - y)
dL{{s}}/dW1 = x.T @ ((yhat{{s}} - y) @ W2.T * {act}'(a{{s}}))
dL{{s}}/dx = (yhat{{s}} - y) @ W2.T * {act}'(a{{s}}) @ W1.T
"""


def shared_derivation(lines: int, seed: int = 0) -> str:
    """A derivation of about ``lines`` lines whose blocks all read the same
    declared inputs, as a file of many attempts at one network's gradients
    does: every claim is about ``x``, ``W1`` or ``W2``, used in every block.

    >>> text = shared_derivation(100)
    >>> text.count("dL0/dW1"), 80 < text.count("\\n") < 130
    (1, True)
    """
    r = random.Random(seed)
    parts = [_SHARED_INPUTS]
    count, blocks = _SHARED_INPUTS.count("\n"), 0
    while count < lines:
        block = _shared_block(r).format(s=blocks)
        parts.append(block)
        count += block.count("\n") + 1
        blocks += 1
    return "\n".join(parts)


MLP_DIMS = {"m": 256, "d": 784, "h": 512, "c": 10}

MLP_TEXT = """\
# A 784-512-10 network on a batch of 256 rows: sigmoid, softmax, cross-entropy.
dims m = 256, d = 784, h = 512, c = 10
X  : m x d
W1 : d x h
b1 : 1 x h
W2 : h x c
b2 : 1 x c
Y  : m x c onehot
A  = X @ W1 + b1
H  = sigma(A)
Z  = H @ W2 + b2
P  = softmax(Z)
L  = xent(Y, P) / m
"""
"""The network of the ``eval``, gradient and verification rows."""

MLP_CLAIM = "dL/dW1 = X.T @ ((P - Y) @ W2.T * sigma'(A)) / m"
