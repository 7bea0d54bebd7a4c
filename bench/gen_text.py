"""PostgreSQL COPY text blocks assembled with numpy, column by column, never row by row.

A column is one or more *parts*; a part is a ragged byte array: a blob plus, per row, where the row's
bytes start in the blob and how many there are. Fixed-width values (digits, timestamps) are a 2-D
matrix raveled into a blob; values drawn from a pool (names, texts, JSON) point into the pool's blob.
`Block.to_bytes()` scatters every part into one buffer with tabs and newlines: the per-byte work is a
few vectorised index operations, which is what makes tens of millions of rows fit in minutes.
"""

from __future__ import annotations

import numpy as np

NULL = b"\\N"
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


def _escape(value: str) -> bytes:
    # COPY text format: backslash, tab, newline and carriage return must be escaped.
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r").encode()


class Ragged:
    __slots__ = ("blob", "starts", "lens")

    def __init__(self, blob: np.ndarray, starts: np.ndarray, lens: np.ndarray):
        self.blob = blob
        self.starts = starts.astype(np.int64, copy=False)
        self.lens = lens.astype(np.int64, copy=False)

    def __len__(self) -> int:
        return len(self.starts)

    def take(self, idx: np.ndarray) -> Ragged:
        return Ragged(self.blob, self.starts[idx], self.lens[idx])

    def where(self, mask: np.ndarray, other: Ragged) -> Ragged:
        """Rows of `other` where mask is true, own rows elsewhere."""
        offset = len(self.blob)
        blob = np.concatenate([self.blob, other.blob])
        starts = np.where(mask, other.starts + offset, self.starts)
        lens = np.where(mask, other.lens, self.lens)
        return Ragged(blob, starts, lens)

    def nulls(self, mask: np.ndarray) -> Ragged:
        return self.where(mask, const(NULL, len(self)))


class Pool:
    """A list of strings as one blob; `pick(idx)` gives a ragged column in O(rows)."""

    def __init__(self, values):
        encoded = [v if isinstance(v, bytes) else _escape(str(v)) for v in values]
        lens = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        self.blob = np.frombuffer(b"".join(encoded) or b" ", dtype=np.uint8)
        self.lens = lens
        self.starts = np.concatenate([[0], np.cumsum(lens)[:-1]]) if len(lens) else lens
        self.size = len(encoded)

    def pick(self, idx: np.ndarray) -> Ragged:
        return Ragged(self.blob, self.starts[idx], self.lens[idx])


def const(value: bytes | str, n: int) -> Ragged:
    data = value if isinstance(value, bytes) else _escape(value)
    return Ragged(np.frombuffer(data or b" ", dtype=np.uint8), np.zeros(n, np.int64), np.full(n, len(data)))


def strings(values: list) -> Ragged:
    """A column from Python strings (for the few rows that need per-row text)."""
    pool = Pool(values)
    return pool.pick(np.arange(pool.size))


def _digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    values = values.astype(np.int64, copy=False)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _DIGITS[(values[:, None] // powers[None, :]) % 10]


def ints(values: np.ndarray, min_width: int = 1) -> Ragged:
    """Non-negative integers in decimal, zero-padded to `min_width` (a case number's serial)."""
    values = np.asarray(values, dtype=np.int64)
    n = len(values)
    if n == 0:
        return Ragged(np.zeros(1, np.uint8), np.zeros(0), np.zeros(0))
    width = max(min_width, len(str(int(values.max()))))
    mat = _digit_matrix(values, width)
    thresholds = 10 ** np.arange(1, 19, dtype=np.int64)
    ndig = np.maximum(1 + np.searchsorted(thresholds, values, side="right"), min_width)
    starts = np.arange(n, dtype=np.int64) * width + (width - ndig)
    return Ragged(mat.ravel(), starts, ndig)


class SmallInts:
    """Decimal text of 0 … size-1, formatted once: ids of areas, staff, departments and small counts
    are then picked like pool entries instead of being formatted again for every row."""

    def __init__(self, size: int):
        self.size = size
        self.text = ints(np.arange(size))

    def __call__(self, values: np.ndarray) -> Ragged:
        values = np.asarray(values, dtype=np.int64)
        if len(values) and (values.max() >= self.size or values.min() < 0):
            return ints(values)
        return self.text.take(values)


def fixed(mat: np.ndarray) -> Ragged:
    n, w = mat.shape
    return Ragged(np.ascontiguousarray(mat).ravel(), np.arange(n, dtype=np.int64) * w, np.full(n, w))


def timestamps(seconds: np.ndarray) -> Ragged:
    """UTC epoch seconds as ISO text; the COPY session runs with TimeZone=UTC."""
    text = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("S19")
    return fixed(text.view(np.uint8).reshape(len(text), 19))


def dates(days: np.ndarray) -> Ragged:
    """Days since 1970-01-01 as YYYY-MM-DD."""
    text = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("S10")
    return fixed(text.view(np.uint8).reshape(len(text), 10))


def compact_dates(days: np.ndarray) -> Ragged:
    """Days since 1970-01-01 as YYYYMMDD (the date part of a case number)."""
    text = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("S10")
    mat = text.view(np.uint8).reshape(len(text), 10)
    return fixed(np.ascontiguousarray(mat[:, [0, 1, 2, 3, 5, 6, 8, 9]]))


def decimals(values: np.ndarray, int_width: int, frac: int = 6) -> Ragged:
    """Non-negative floats with a fixed number of integer digits (coordinates)."""
    scaled = np.round(np.asarray(values) * 10**frac).astype(np.int64)
    n = len(scaled)
    mat = np.empty((n, int_width + 1 + frac), np.uint8)
    mat[:, :int_width] = _digit_matrix(scaled // 10**frac, int_width)
    mat[:, int_width] = ord(".")
    mat[:, int_width + 1 :] = _digit_matrix(scaled % 10**frac, frac)
    return fixed(mat)


def bools(values: np.ndarray) -> Ragged:
    table = np.frombuffer(b"ft", dtype=np.uint8)
    return Ragged(table, np.asarray(values, dtype=np.int64), np.ones(len(values), np.int64))


class Block:
    """Rows for one COPY: add columns in the order of `columns`, then `to_bytes()`."""

    def __init__(self, n: int):
        self.n = n
        self.columns: list[str] = []
        self.parts: list[list[Ragged]] = []

    def add(self, name: str, *parts: Ragged) -> None:
        for p in parts:
            assert len(p) == self.n, (name, len(p), self.n)
        self.columns.append(name)
        self.parts.append(list(parts))

    def to_bytes(self) -> bytes:
        n = self.n
        if n == 0:
            return b""
        col_lens = [sum(p.lens for p in parts) for parts in self.parts]
        row_len = sum(col_lens) + len(self.parts)  # one separator (tab or newline) per column
        row_start = np.zeros(n, np.int64)
        np.cumsum(row_len[:-1], out=row_start[1:])
        out = np.empty(int(row_start[-1] + row_len[-1]), np.uint8)
        pos = row_start.copy()
        last = len(self.parts) - 1
        for c, parts in enumerate(self.parts):
            for p in parts:
                _scatter(out, pos, p)
                pos += p.lens
            out[pos] = ord("\n") if c == last else ord("\t")
            pos += 1
        return out.tobytes()


def _scatter(out: np.ndarray, dest: np.ndarray, part: Ragged) -> None:
    lens = part.lens
    if len(lens) == 0:
        return
    width = int(lens[0])
    if (lens == width).all():
        if width == 0:
            return
        offs = np.arange(width, dtype=np.int64)
        out[dest[:, None] + offs] = part.blob[part.starts[:, None] + offs]
        return
    total = int(lens.sum())
    if total == 0:
        return
    first = np.zeros(len(lens), np.int64)
    np.cumsum(lens[:-1], out=first[1:])
    step = np.arange(total, dtype=np.int64) - np.repeat(first, lens)
    out[np.repeat(dest, lens) + step] = part.blob[np.repeat(part.starts, lens) + step]
