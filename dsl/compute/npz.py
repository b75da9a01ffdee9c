"""``.npz`` archives read without pickle, headers before data, within budget.

An archive is a zip file of ``.npy`` members.  Each member's header (a
Python dictionary literal) is read with :func:`ast.literal_eval`, which
builds literals and runs nothing, and checked before any data is read: the
dtype (real numbers only: no objects, text or complex numbers), the shape
(a tuple of sizes, at most two of them), and the bytes the member and its
float64 conversion need, against the memory budget.  Members that are not
``.npy`` arrays, names used twice, damaged archives and truncated data are
refused with a message in words, never with the text of an exception.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w") as z:
...     z.writestr("notes.txt", b"hello")
>>> read_members(zipfile.ZipFile(buf), "d.npz")[1]
['notes.txt in d.npz is not a .npy array']
"""
from __future__ import annotations

import ast
import struct
import warnings
import zipfile

import numpy as np

from dsl.compute import budget
from dsl.core.dims import MAX_RANK
from dsl.core.wording import say

MAGIC = b"\x93NUMPY"
MAX_HEADER = 10_000
"""Longest header read (NumPy's own default limit)."""
MAX_DIM = 2**63 - 1
"""The largest size of an array axis NumPy can index."""


class Refused(Exception):
    """A member that is not read; the message says why, in words."""


def read_members(archive: zipfile.ZipFile, path: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """The float64 arrays of an open archive by name (1-d arrays as ``1 x n``
    rows), and the problems of the members that were refused, in words.
    Raises :class:`budget.OverBudget` before reading a member past the budget."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    arrays: dict[str, np.ndarray] = {}
    problems: list[str] = []
    for info in infos:
        member = info.filename
        if not member.endswith(".npy"):
            problems.append(say("npz-not-npy", member=member, path=path))
            continue
        key = member[: -len(".npy")]
        if names.count(member) > 1:
            if say("npz-duplicate", path=path, key=key) not in problems:
                problems.append(say("npz-duplicate", path=path, key=key))
            continue
        try:
            arrays[key] = _read_member(archive, info, key, path)
        except Refused as exc:
            problems.append(str(exc))
    return arrays, problems


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, path: str) -> np.ndarray:
    with archive.open(info) as stream:
        dtype, fortran, shape = _header(stream, key, path)
        entries = int(np.prod(shape, dtype=object))
        # the member's bytes, then its float64 copy
        budget.require(entries * (dtype.itemsize + 8),
                       say("npz-member", key=key, path=path, shape=_shape_words(shape), dtype=dtype))
        nbytes = entries * dtype.itemsize
        raw = stream.read(nbytes)
    if len(raw) != nbytes:
        raise Refused(say("npz-truncated", key=key, path=path))
    value = np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    value = value.astype(np.float64)
    return value[None, :] if value.ndim == 1 else value


def _header(stream, key: str, path: str) -> tuple[np.dtype, bool, tuple[int, ...]]:
    """The dtype, the order and the shape of one ``.npy`` member, checked."""
    start = stream.read(8)
    if len(start) < 8 or start[:6] != MAGIC or start[6] not in (1, 2, 3):
        raise Refused(say("npz-not-npy-data", key=key, path=path))
    width = 2 if start[6] == 1 else 4
    size_bytes = stream.read(width)
    length = struct.unpack("<H" if width == 2 else "<I", size_bytes)[0] if len(size_bytes) == width else -1
    if not 0 < length <= MAX_HEADER:
        raise Refused(say("npz-bad-header", key=key, path=path))
    text = stream.read(length)
    try:
        header = ast.literal_eval(text.decode("utf-8" if start[6] == 3 else "latin1"))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise Refused(say("npz-bad-header", key=key, path=path))
    descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                               for d in shape) or not isinstance(fortran, bool):
        raise Refused(say("npz-bad-header", key=key, path=path))
    if any(d > MAX_DIM for d in shape):
        raise Refused(say("npz-huge-shape", key=key, path=path))
    dtype = _dtype(descr, key, path)
    if len(shape) > MAX_RANK:
        raise Refused(say("npz-ndim", key=key, path=path, ndim=len(shape), shape=_shape_words(shape)))
    if 0 in shape:
        raise Refused(say("npz-empty", key=key, path=path, shape=_shape_words(shape)))
    return dtype, fortran, shape


def _dtype(descr, key: str, path: str) -> np.dtype:
    if not isinstance(descr, str):
        raise Refused(say("npz-records", key=key, path=path))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")      # deprecated spellings ('a') warn
            dtype = np.dtype(descr)
    except (TypeError, ValueError, SyntaxError, OverflowError):
        raise Refused(say("npz-bad-header", key=key, path=path)) from None
    if dtype.hasobject:
        raise Refused(say("npz-objects", key=key, path=path))
    if dtype.kind not in "biuf" or dtype.shape or dtype.itemsize == 0:
        kind = say("npz-complex") if dtype.kind == "c" else say("npz-dtype", dtype=dtype)
        raise Refused(say("npz-kind", key=key, path=path, kind=kind))
    return dtype


def _shape_words(shape: tuple[int, ...]) -> str:
    return " x ".join(budget.powers_of_ten(d) if d >= 10**7 else str(d) for d in shape) or say("scalar")
