"""Test data: sizes, attribute draws, the memory budget, .npz files and sizes
bound from arrays."""
from __future__ import annotations

import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dsl.compute import budget, inputs as data
from dsl.core.dims import SCALAR, Shape, Sym
from dsl.core.span import Span
from dsl.shapes.checker import Env, NameInfo

S = Span("t.deriv", 3, 1, 3, 9)
n, k, m = Sym("n"), Sym("k"), Sym("m")


def env_of(inputs: dict, dims=None, attrs=None, defined=None):
    env = Env(dims=dict(dims or {}))
    for name, shape in inputs.items():
        env.names[name] = NameInfo(shape, "input", S, tuple((attrs or {}).get(name, ())))
    for name, shape in (defined or {}).items():
        env.names[name] = NameInfo(shape, "defined", S)
    return env


# ------------------------------------------------------------------- sizes

def test_declared_sizes_are_kept_and_free_ones_drawn_small_and_distinct():
    sizes = data.concrete_sizes({"n": 5, "k": None, "m": None, "b": 1}, np.random.default_rng(0))
    assert sizes["n"] == 5 and sizes["b"] == 1
    free = [sizes["k"], sizes["m"]]
    assert len(set(free)) == 2 and all(2 <= s <= 7 for s in free)
    assert 5 not in free  # distinct from the declared value too


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10), st.integers(0, 2**32 - 1), st.integers(0, 50))
def test_free_sizes_distinct_never_one_and_changing_each_draw(count, seed, draw):
    dims = {f"s{i}": None for i in range(count)}
    rng = np.random.default_rng(seed)
    now = data.concrete_sizes(dims, rng, draw)
    after = data.concrete_sizes(dims, rng, draw + 1)
    assert set(now) == set(dims)
    assert len(set(now.values())) == count
    assert all(v >= 2 for v in now.values())
    if count <= 6:
        assert all(v <= 7 for v in now.values())
    assert all(now[s] != after[s] for s in dims)


def test_sizes_are_reproducible_from_the_seed_and_cover_several_values():
    dims = {"m": None, "n": None}
    seen = [data.concrete_sizes(dims, np.random.default_rng(7), d) for d in range(6)]
    again = [data.concrete_sizes(dims, np.random.default_rng(7), d) for d in range(6)]
    assert seen == again
    assert {s["m"] for s in seen} == set(range(2, 8))  # a factor 2/m cannot hide in every draw


# ------------------------------------------------------------------- draws

def _draw(shape, attrs, sizes=None, seed=0):
    env = env_of({"v": shape}, attrs={"v": attrs})
    values = data.draw_inputs(env, sizes or {}, np.random.default_rng(seed))
    v = values["v"]
    assert v.dtype == np.float64
    return v


@pytest.mark.parametrize("seed", range(5))
def test_attribute_draws_have_their_property(seed):
    oh = _draw(Shape((4, 6)), ["onehot"], seed=seed)
    assert oh.shape == (4, 6) and set(np.unique(oh)) <= {0.0, 1.0} and (oh.sum(axis=1) == 1).all()
    col = _draw(Shape((5, 1)), ["onehot"], seed=seed)
    assert col.shape == (5, 1) and col.sum() == 1 and set(np.unique(col)) == {0.0, 1.0}
    p = _draw(Shape((3, 4)), ["prob"], seed=seed)
    assert (p > 0).all() and np.allclose(p.sum(axis=1), 1, atol=1e-12)
    pc = _draw(Shape((4, 1)), ["prob"], seed=seed)
    assert (pc > 0).all() and abs(pc.sum() - 1) < 1e-12
    pos = _draw(Shape((3, 3)), ["positive"], seed=seed)
    assert (pos >= 0.5).all() and (pos <= 2).all()
    sym = _draw(Shape((4, 4)), ["symmetric"], seed=seed)
    assert np.array_equal(sym, sym.T) and not np.allclose(sym, np.diag(np.diag(sym)))
    spd = _draw(Shape((n, n)), ["spd"], {"n": 4}, seed=seed)
    assert np.array_equal(spd, spd.T) and np.linalg.eigvalsh(spd).min() > 0
    nz = _draw(Shape((3, 5)), ["nonzero"], seed=seed)
    assert (np.abs(nz) >= 0.5).all() and (nz < 0).any() and (nz > 0).any()
    both = _draw(Shape((4, 4)), ["symmetric", "positive"], seed=seed)
    assert np.array_equal(both, both.T) and (both >= 0.5).all()


def test_default_draw_is_uniform_on_minus_two_to_two_of_the_declared_shape():
    env = env_of({"x": Shape((1, n)), "W": Shape((n, k)), "c": SCALAR}, defined={"a": Shape((1, k))})
    values = data.draw_inputs(env, {"n": 300, "k": 200}, np.random.default_rng(1))
    assert set(values) == {"x", "W", "c"}  # definitions are computed, not drawn
    assert values["x"].shape == (1, 300) and values["W"].shape == (300, 200) and values["c"].shape == ()
    W = values["W"]
    assert abs(W.mean()) < 0.02 and abs(W.std() - 4 / np.sqrt(12)) < 0.02
    assert W.min() >= -2.0 and W.max() < 2.0 and (W < -1.9).any() and (W > 1.9).any()


def test_inputs_with_a_bad_declaration_are_not_drawn():
    env = env_of({"x": Shape((1, n)), "y": None})
    env.names["x"].ok = False
    assert data.draw_inputs(env, {"n": 3}, np.random.default_rng(0)) == {}


# ------------------------------------------------------------------ budget

def test_memory_needed_counts_inputs_and_definitions():
    env = env_of({"x": Shape((1, n)), "W": Shape((n, k))}, defined={"a": Shape((1, k)), "L": SCALAR})
    assert data.memory_needed(env, {"n": 5, "k": 3}) == 8 * (5 + 15 + 3 + 1)
    assert data.check_budget(env, {"n": 5, "k": 3}, 10**6) == []
    over = data.check_budget(env, {"n": 5, "k": 3}, 150)
    assert [d.code for d in over] == ["E600"]
    assert over[0].message == ("evaluating the inputs and definitions needs 192 bytes, "
                               "more than the budget of 150 bytes")


def test_astronomical_sizes_are_refused_before_allocating():
    env = env_of({"x": Shape((1, n)), "A": Shape((n, n))})
    sizes = data.concrete_sizes({"n": 10**20}, np.random.default_rng(0))
    diags = data.check_budget(env, sizes)
    assert len(diags) == 1 and diags[0].code == "E600"
    assert diags[0].message.startswith("evaluating A (n x n, 1e+20 x 1e+20 here) needs about 8e+40 bytes")
    assert diags[0].message.endswith("the budget of 4.0 GiB")
    assert "n = 1e+20" in diags[0].hint and diags[0].span == S
    with pytest.raises(ValueError, match="budget"):
        data.draw_inputs(env, sizes, np.random.default_rng(0))


def test_budget_span_can_be_chosen_and_budget_lowered():
    env = env_of({"W": Shape((n, n))})
    where = Span("t.deriv", 1, 1, 1, 5)
    diags = data.check_budget(env, {"n": 100}, 1000, span_of=lambda name: where)
    assert diags[0].span == where and "78.1 KiB" in diags[0].message


def test_evaluation_guard_follows_the_settable_budget(monkeypatch):
    from dsl.compute.evaluate import DomainError, apply_call
    monkeypatch.setattr(budget, "DEFAULT_MEMORY_BUDGET", 1000)
    with pytest.raises(DomainError) as info:
        apply_call("ones", False, [np.asarray(20.0), np.asarray(20.0)])
    assert info.value.code == "E600"


# -------------------------------------------------------------------- npz

def test_npz_round_trip(tmp_path):
    path = tmp_path / "values.npz"
    W = np.arange(6.0).reshape(2, 3)
    np.savez(path, W=W, x=np.array([1, 2, 3], dtype=np.int32), c=np.float32(2.5), flag=np.array([[True]]))
    arrays, diags = data.load_npz(str(path))
    assert diags == []
    assert np.array_equal(arrays["W"], W) and arrays["W"].dtype == np.float64
    assert arrays["x"].shape == (1, 3) and arrays["x"].dtype == np.float64
    assert arrays["c"].shape == () and arrays["c"] == 2.5
    assert arrays["flag"].tolist() == [[1.0]]


def test_npz_object_arrays_are_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, ok=np.ones((1, 2)), obj=np.array([{"a": 1}, None], dtype=object))
    arrays, diags = data.load_npz(str(path))
    assert list(arrays) == ["ok"]
    assert [d.code for d in diags] == ["E602"] and "Python objects" in diags[0].message


@pytest.mark.parametrize("value,words", [
    (np.array(["a", "b"]), "dtype <U1"),
    (np.array([1 + 2j]), "complex numbers"),
    (np.zeros((2, 2, 2, 2, 2)), "5-dimensional"),
    (np.zeros((0, 3)), "empty"),
])
def test_npz_arrays_that_are_not_values_are_refused(tmp_path, value, words):
    path = tmp_path / "bad.npz"
    np.savez(path, v=value)
    arrays, diags = data.load_npz(str(path))
    assert arrays == {} and len(diags) == 1 and diags[0].code == "E602" and words in diags[0].message


def test_unreadable_npz_files_are_diagnostics(tmp_path):
    arrays, diags = data.load_npz(str(tmp_path / "missing.npz"))
    assert arrays == {} and diags[0].code == "E900" and "no such file" in diags[0].message
    assert data.load_npz(str(tmp_path))[1][0].code == "E900"
    text = tmp_path / "notes.npz"
    text.write_text("x = 1\n")
    assert "not an .npz archive" in data.load_npz(str(text))[1][0].message
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    assert "single .npy array" in data.load_npz(str(single))[1][0].message
    good = tmp_path / "good.npz"
    np.savez(good, x=np.ones((50, 50)))
    broken = tmp_path / "broken.npz"
    raw = good.read_bytes()
    broken.write_bytes(raw[:30] + b"\x00" * 200 + raw[230:])  # damage the member data
    arrays, diags = data.load_npz(str(broken))
    assert arrays == {} and diags and diags[0].code in ("E602", "E900")


def test_npz_that_unpacks_past_the_budget_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.npz"
    np.savez_compressed(path, x=np.zeros((200, 200)))
    monkeypatch.setattr(budget, "DEFAULT_MEMORY_BUDGET", 10_000)
    arrays, diags = data.load_npz(str(path))
    assert arrays == {} and diags[0].code == "E600"


def test_npz_with_a_pickled_member_is_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", b"\x80\x04\x95not an npy header")
    arrays, diags = data.load_npz(str(path))
    assert arrays == {} and [d.code for d in diags] == ["E602"]


# ------------------------------------------------------- sizes from arrays

def test_arrays_bind_size_symbols():
    env = env_of({"x": Shape((1, n)), "W": Shape((n, k)), "c": SCALAR}, dims={"n": None, "k": None})
    sizes, diags = data.sizes_from_arrays(env, {"x": np.ones((1, 7)), "W": np.ones((7, 2)),
                                                "c": np.asarray(1.0), "other": np.ones(4)})
    assert diags == [] and sizes == {"n": 7, "k": 2}
    sizes, diags = data.sizes_from_arrays(env, {"x": np.ones(7)})  # a 1-d array is a row
    assert diags == [] and sizes == {"n": 7}


def test_conflicting_bindings_name_both_arrays():
    env = env_of({"x": Shape((1, n)), "y": Shape((n, 1))}, dims={"n": None})
    sizes, diags = data.sizes_from_arrays(env, {"x": np.ones((1, 7)), "y": np.ones((5, 1))})
    assert [d.code for d in diags] == ["E602"]
    assert diags[0].message == "n is 7 from x (1 x 7) but 5 from y (5 x 1); y is declared n x 1"
    assert sizes == {"n": 7}


@pytest.mark.parametrize("decl,dims,given,words", [
    (Shape((1, n)), {"n": 5}, (1, 7), "so n would be 7, but dims declares n = 5"),
    (Shape((1, 3)), {}, (1, 4), "x is 1 x 4, declared 1 x 3"),
    (Shape((n, n)), {"n": None}, (3, 4), "n is 3 from its other side but 4 from x (3 x 4)"),
    (SCALAR, {}, (1, 2), "x is 1 x 2, declared scalar"),
    (Shape((1, n)), {"n": None}, (), "x is scalar, declared 1 x n"),
    (Shape((1, n)), {"n": None}, (2, 2, 2, 2, 2), "5-dimensional"),
])
def test_arrays_that_contradict_declarations(decl, dims, given, words):
    env = env_of({"x": decl}, dims=dims)
    sizes, diags = data.sizes_from_arrays(env, {"x": np.ones(given)})
    assert len(diags) == 1 and diags[0].code == "E602" and words in diags[0].message, diags
    assert diags[0].span == S
    assert sizes == {}


def test_parsed_huge_dims_are_refused_with_a_located_message():
    from dsl.core.span import Source
    from dsl.language import syntax
    from dsl.shapes import checker as shapes
    program, _ = syntax.parse(Source("big.deriv", "dims n = 100000000000000000000\nx : 1 x n\nA : n x n\n"))
    env, _ = shapes.check_program(program)
    sizes = data.concrete_sizes(env.dims, np.random.default_rng(0))
    diags = data.check_budget(env, sizes)
    assert [d.code for d in diags] == ["E600"] and diags[0].span.line == 3
    assert "A (n x n, 1e+20 x 1e+20 here)" in diags[0].message
