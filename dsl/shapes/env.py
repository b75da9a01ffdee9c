"""What the shape checker knows: the environment it builds (:class:`Env`),
what it knows of each name (:class:`NameInfo`) and of each claim
(:class:`ClaimInfo`).  The rules that fill them are in ``checker``."""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from dsl.core.ast import Claim, Expr
from dsl.core.dims import Shape
from dsl.core.kinds import LayoutKind, NameKind
from dsl.core.span import Span


@dataclass
class NameInfo:
    shape: Shape | None      # None: its declaration or definition had an error
    kind: NameKind
    span: Span               # where the name is declared or defined
    attrs: tuple[str, ...] = ()
    ok: bool = True          # no error in it or in any name it uses


@dataclass
class ClaimInfo:
    claim: Claim
    expected: Shape | None   # shape of the derivative dY/dX
    got: Shape | None        # shape of the right side
    ok: bool                 # shapes agree (or the diagonal shorthand); ready to verify
    diagonal: bool = False   # the right side is the diagonal of a k x k Jacobian (W402)
    zero: bool = False       # the right side is the literal 0, broadcast to the expected shape
    form: Expr | None = None   # an entry claim's right side as the array it states


@dataclass
class Env:
    """Checker state: sizes, names, layout, claims, and every node's shape."""

    dims: dict[str, int | None] = field(default_factory=dict)
    names: dict[str, NameInfo] = field(default_factory=dict)
    layout: LayoutKind = LayoutKind.NUMERATOR
    claims: list[ClaimInfo] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)   # names whose NameInfo is not ok
    dim_spans: dict[str, Span] = field(default_factory=dict)
    layout_span: Span | None = None
    # names declared or defined further down the program being checked, for hints
    ahead: dict[str, tuple[Span, str]] = field(default_factory=dict)
    defining: str | None = None   # the name whose definition is being checked
    # name -> (key, axis): it is a reduction of that value along that axis (``intent``)
    reductions: dict[str, frozenset] = field(default_factory=dict)
    parents: dict[str, frozenset] = field(default_factory=dict)   # name -> roots of its definition
    # id of a node of a claim's right side -> the shape the claim wants of it, so
    # that an operator's fix that gives that shape is preferred (``hints``)
    wanted: dict[int, Shape] = field(default_factory=dict, repr=False)
    index_scope: int = 0          # depth inside index notation; index ranges by id of each root:
    index_ranges: dict[int, tuple[object, dict]] = field(default_factory=dict, repr=False)
    _shapes: dict[int, tuple[object, Shape | None]] = field(default_factory=dict, repr=False)

    def shape_of(self, node) -> Shape | None:
        """The shape inferred for ``node`` (None if unknown or never checked)."""
        hit = self._shapes.get(id(node))
        return hit[1] if hit is not None and hit[0] is node else None

    def copy(self) -> Env:
        """A copy that later checking cannot change: the tables are copied,
        their entries (frozen, replaced rather than mutated) are shared."""
        clone = replace(self)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (dict, list, set)):
                setattr(clone, f.name, type(value)(value))
        return clone

    def record(self, node, shape: Shape | None) -> Shape | None:
        self._shapes[id(node)] = (node, shape)  # the node is kept so its id stays unique
        return shape
