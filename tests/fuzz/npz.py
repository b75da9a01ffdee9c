"""Hostile ``.npz`` archives, built with ``zipfile``, for ``eval --data``.

An archive is drawn as a list of members, each one of:

- ``array``: a real ``.npy`` written by NumPy, of any dtype (objects and
  text included: object arrays are pickled by the writer, never by the
  reader), any rank, NaN and infinities;
- ``header``: a hand-written ``.npy`` header (huge or negative shapes,
  dtypes that do not exist, Python code, bad versions), with a few bytes
  of data, so that a huge shape is never backed by real memory;
- ``raw``: a member that is not ``.npy`` at all;

under names that are the program's inputs, with and without ``.npy``,
duplicated, in folders, or not names at all; stored or deflated, the whole
archive possibly cut short.  The data is always small (kilobytes).
"""
from __future__ import annotations

import io
import warnings
import zipfile

import numpy as np
from hypothesis import strategies as st

PROGRAM = ("dims n, k\nx : 1 x n\nW : n x k\nc : scalar\nv : 1 x k positive\n"
           "h = sigma(x @ W) * c\nL = sum(h * v)\n")
NAMES = ["x.npy", "W.npy", "c.npy", "v.npy", "x", "W", "x.txt", "h.npy", "../x.npy", "d/x.npy",
         "ŷ.npy", "", ".npy", "x.npy/", "y" * 200 + ".npy", "L.npy", "n.npy"]
DTYPES = ["<f8", "<f4", "<f2", ">f8", "<i8", "<i4", "|u1", "|b1", "<c16", "<U3", "|S2", "|V8",
          "<M8[s]", "<m8[s]", "|O", "<f16"]
SHAPES = [(), (3,), (1, 3), (3, 2), (2, 3), (1, 1), (0,), (0, 3), (2, 2, 2), (1, 2, 3, 4), (5,)]
FILLS = [0.0, 1.0, -2.5, float("nan"), float("inf"), 1e308, 255.0]
HEADERS = [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }",
    "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (1180591620717411303424,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }",
    "{'descr': '|b1', 'fortran_order': False, 'shape': (1, 600000000), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3.5,), }",
    "{'descr': '<f9', 'fortran_order': False, 'shape': (3,), }",
    "{'descr': 'nonsense', 'fortran_order': False, 'shape': (3,), }",
    "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,), }",
    "{'descr': '<f8', 'shape': (3,), }",
    "{'descr': '<f8', 'fortran_order': 'yes', 'shape': (3,), 'extra': 1}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)",
    "[1, 2, 3]",
    "",
    "{'descr': '<f8', 'fortran_order': False, 'shape': " + "(" * 200 + ")" * 200 + ", }",
]
CODE_HEADERS = [
    "{'descr': __import__('os').getcwd(), 'fortran_order': False, 'shape': (3,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (len('abc'),), }",
    "{'descr': (lambda: 1)(), 'fortran_order': False, 'shape': (3,), }",
]
RAW = [b"", b"hello", b"\x93NUMPY", b"\x93NUMPY\x03\x00\x10\x00", b"\x93NUMPY\x01\x00\xff\xff",
       b"PK\x03\x04", b"\x80\x04\x95" + b"\x00" * 20, b"\x00" * 64]


def _npy(dtype: str, shape: tuple, fill: float) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dtype == "|O":
            array = np.empty(shape, dtype=object)
            array[...] = fill
        else:
            array = np.full(shape, fill).astype(np.dtype(dtype))
    np.lib.format.write_array(buf, array, allow_pickle=True)
    return buf.getvalue()


def _hand_header(header: str, version: bytes, data: int) -> bytes:
    text = header.encode("utf-8")
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    return b"\x93NUMPY" + version + len(text).to_bytes(2, "little") + text + b"\x00" * data


def member() -> st.SearchStrategy[tuple]:
    headers = HEADERS + CODE_HEADERS
    return st.one_of(
        st.tuples(st.just("array"), st.sampled_from(NAMES), st.sampled_from(DTYPES),
                  st.sampled_from(SHAPES), st.sampled_from(FILLS)),
        st.tuples(st.just("header"), st.sampled_from(NAMES), st.sampled_from(headers),
                  st.sampled_from([b"\x01\x00", b"\x02\x00", b"\x03\x00", b"\x09\x09"]),
                  st.sampled_from([0, 8, 24, 48, 1000])),
        st.tuples(st.just("raw"), st.sampled_from(NAMES), st.sampled_from(RAW)))


def archives() -> st.SearchStrategy[tuple]:
    """``(members, compression, cut)``: ``cut`` keeps only the first bytes."""
    return st.tuples(st.lists(member(), max_size=5),
                     st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
                     st.sampled_from([None, None, None, 0, 10, 30, 100, 300]))


def build(value: tuple) -> bytes:
    members, compression, cut = value
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # zipfile warns of duplicate names
        with zipfile.ZipFile(buf, "w", compression) as archive:
            for kind, name, *rest in members:
                if kind == "array":
                    data = _npy(*rest)
                elif kind == "header":
                    data = _hand_header(*rest)
                else:
                    data = rest[0]
                archive.writestr(name or "_", data)
    raw = buf.getvalue()
    return raw if cut is None else raw[:cut]


def run(value: tuple, write, cli) -> tuple[int, str]:
    program = write("program.deriv", PROGRAM.encode())
    data = write("data.npz", build(value))
    return cli(["eval", "--color", "never", program, "--data", data, "--print", "h", "L"])
