"""How a CSV file's bytes become the UTF-8 that polars reads, decided by the rules of :func:`jifen_dsl.data.readers.decode_text`.

The encoding is the one given (``--encoding``), else UTF-8 with or without a
byte-order mark, else GB18030; the name recorded is the one ``decode_text``
records. UTF-8 is read as it is, straight from the file (polars checks that it
is UTF-8 as it reads it); any other encoding is decoded a piece at a time and
written again as UTF-8, so the text is never held as one Python string.

Whatever ``decode_text`` would refuse or treat specially - a workbook, UTF-16
without an encoding given, bytes that are no text in the encoding, a
byte-order mark GB18030 text opens with - gives None here: the caller then
reads the file with the existing readers, which say what is wrong in their words.
"""

from __future__ import annotations

import codecs

import attrs

from jifen_dsl.data.xlsxread import XLS_SIGNATURE, ZIP_SIGNATURE

__all__ = ["Plan", "BOM", "plan", "reencoded", "as_gb18030"]

BOM = codecs.BOM_UTF8
_PIECE = 1 << 22


@attrs.frozen
class Plan:
    """How to read a file: ``codec`` None for UTF-8 as it is (else the codec to decode it with), where its text starts, the encoding to record."""

    codec: str | None
    start: int
    encoding: str


def plan(head: bytes, encoding: str | None) -> Plan | None:
    """How to read a file that begins with ``head``, by the rules of ``decode_text``; None to leave it to the existing readers.

    Without ``encoding``, the bytes are taken for UTF-8: if polars finds they are
    not, the caller tries :func:`as_gb18030`, as ``decode_text`` does.
    """
    if head.startswith((ZIP_SIGNATURE, XLS_SIGNATURE)):
        return None
    if encoding is None:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return None
        return Plan(None, len(BOM), "utf-8-sig") if head.startswith(BOM) else Plan(None, 0, "utf-8")
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    if name == "utf-8":  # decoded, then one byte-order mark removed
        return Plan(None, len(BOM) if head.startswith(BOM) else 0, name)
    if name == "utf-8-sig":  # the codec removes one, and decode_text another
        start = len(BOM) if head.startswith(BOM) else 0
        return Plan(None, start + (len(BOM) if head.startswith(BOM, start) else 0), name)
    return Plan(name, 0, name)


def reencoded(data: bytes, codec: str) -> tuple[bytes, int] | None:
    """``data`` decoded with ``codec`` a piece at a time and encoded as UTF-8, and where its text starts; None if it does not decode."""
    try:
        decoder = codecs.getincrementaldecoder(codec)()
        view = memoryview(data)
        pieces = [decoder.decode(view[at : at + _PIECE]).encode("utf-8") for at in range(0, len(data), _PIECE)]
        pieces.append(decoder.decode(b"", final=True).encode("utf-8"))
    except Exception:  # noqa: BLE001 - any codec's failure: decode_text is the one to explain it
        return None
    text = b"".join(pieces)
    return text, len(BOM) if text.startswith(BOM) else 0


def as_gb18030(data: bytes) -> bytes | None:
    """Bytes that are not UTF-8, read as GB18030 (None: not GB18030 either, or opening with a byte-order mark)."""
    found = reencoded(data, "gb18030")
    if found is None or found[1]:
        return None  # decode_text records such text oddly: leave it to it
    return found[0]
