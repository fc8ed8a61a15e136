"""Read the files Pagefind writes, for the audit: every one of them, compressed or not.

Pagefind's index files (``*.pf_meta``, ``*.pf_index``, ``*.pf_filter``, ``*.pf_fragment``,
``wasm.*.pagefind``) are gzip streams that start, once decompressed, with the signature
``pagefind_dcd``; fragments then hold JSON (a page's URL, title, text, filters), the others
CBOR (words, filter values, page hashes). :func:`read` turns each into what the audit scans:
a JSON document, or the text of a CBOR one (its strings, in its lists and maps). A file it
cannot read is refused, never skipped (fail closed).
"""

from __future__ import annotations

import gzip
import json
import struct
from dataclasses import dataclass
from typing import Any

SUFFIXES = (".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment", ".pagefind")
SIGNATURE = b"pagefind_dcd"
_WASM = b"\0asm"


@dataclass(frozen=True)
class Read:
    """One Pagefind file as the audit reads it: ``doc`` (JSON-like: dicts, lists, strings),
    or ``binary`` for the search engine's WebAssembly (code, no content)."""

    doc: Any = None
    binary: bool = False


class Unreadable(ValueError):
    """A Pagefind file that is not what Pagefind writes."""


def is_pagefind(rel: str) -> bool:
    """Whether ``rel`` (a path in the site) is one of Pagefind's compressed files."""
    return rel.endswith(SUFFIXES)


def read(data: bytes, rel: str) -> Read:
    """Decode one of Pagefind's compressed files; :class:`Unreadable` if it is not one."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as e:
        raise Unreadable(f"not a gzip stream ({e})") from None
    if not raw.startswith(SIGNATURE):
        raise Unreadable("no Pagefind signature")
    body = raw[len(SIGNATURE):]
    if rel.endswith(".pagefind"):
        if not body.startswith(_WASM):
            raise Unreadable("not WebAssembly")
        return Read(binary=True)
    if rel.endswith(".pf_fragment"):
        try:
            return Read(doc=json.loads(body.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            raise Unreadable(f"fragment is not JSON ({e})") from None
    try:
        doc, end = _cbor(body, 0)
    except (IndexError, struct.error, UnicodeDecodeError, ValueError) as e:
        raise Unreadable(f"index is not CBOR ({e})") from None
    if end != len(body):
        raise Unreadable("trailing bytes after the CBOR document")
    return Read(doc=_strings(doc))


def _strings(doc: Any) -> Any:
    """``doc`` with only its text: numbers (page numbers, word positions) carry none, and
    there are hundreds of thousands of them in a large index."""
    if isinstance(doc, dict):
        return {k: _strings(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_strings(v) for v in doc if isinstance(v, (str, list, dict))]
    return doc


def sorted_filter(body: bytes) -> bytes:
    """A filter file's CBOR (``[name, [[value, pages], ...]]``) with its values in byte
    order; raises :class:`Unreadable` if it is not of that shape."""
    try:
        if body[0] != 0x82:
            raise ValueError("not a pair")
        name_end = _skip(body, 1)
        head, count, pos = _array_head(body, name_end)
        items = []
        for _ in range(count):
            end = _skip(body, pos)
            items.append(body[pos:end])
            pos = end
        if pos != len(body):
            raise ValueError("trailing bytes")
    except (IndexError, ValueError) as e:
        raise Unreadable(f"filter is not [name, values] ({e})") from None
    return body[:name_end] + head + b"".join(sorted(items))


def _array_head(data: bytes, pos: int) -> tuple[bytes, int, int]:
    """The header bytes of the CBOR array at ``pos``, its length and where its items start."""
    if data[pos] >> 5 != 4:
        raise ValueError("not an array")
    info = data[pos] & 0x1F
    size = 0 if info < 24 else 1 << (info - 24)
    count = info if info < 24 else int.from_bytes(data[pos + 1:pos + 1 + size], "big")
    return data[pos:pos + 1 + size], count, pos + 1 + size


def _skip(data: bytes, pos: int) -> int:
    """Where the CBOR item at ``pos`` ends."""
    return _cbor(data, pos)[1]


def _cbor(data: bytes, pos: int) -> tuple[Any, int]:
    """One CBOR item (RFC 8949) at ``pos``: the value and the position after it. Byte strings
    become lists of their bytes' values (Pagefind stores page numbers that way), tags are
    read through; indefinite lengths are refused (Pagefind does not write them)."""
    first = data[pos]
    major, info = first >> 5, first & 0x1F
    pos += 1
    if major == 7:
        if info in (20, 21):
            return info == 21, pos
        if info in (22, 23):
            return None, pos
        if info == 25:
            return _half(data[pos:pos + 2]), pos + 2
        if info == 26:
            return struct.unpack(">f", data[pos:pos + 4])[0], pos + 4
        if info == 27:
            return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
        if info < 20:
            return info, pos
        raise ValueError(f"unsupported simple value {info}")
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(data[pos:pos + size], "big")
        if len(data) < pos + size:
            raise IndexError("truncated")
        pos += size
    else:
        raise ValueError("indefinite length")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        chunk = data[pos:pos + arg]
        if len(chunk) != arg:
            raise IndexError("truncated string")
        return (chunk.decode("utf-8") if major == 3 else list(chunk)), pos + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, pos = _cbor(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping: dict[str, Any] = {}
        for _ in range(arg):
            key, pos = _cbor(data, pos)
            mapping[str(key)], pos = _cbor(data, pos)
        return mapping, pos
    return _cbor(data, pos)  # major 6: a tag, then its item


def _half(b: bytes) -> float:
    bits = int.from_bytes(b, "big")
    exp, frac = (bits >> 10) & 0x1F, bits & 0x3FF
    val = (frac / 1024) * 2.0 ** -14 if exp == 0 else (
        float("inf") if exp == 31 else (1 + frac / 1024) * 2.0 ** (exp - 15))
    return -val if bits & 0x8000 else val
