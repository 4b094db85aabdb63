"""Workbooks with a part's XML changed: what openpyxl cannot write (hidden states, formulas with saved values, damaged parts)."""

from __future__ import annotations

import io
import zipfile
from typing import Callable


def patched(data: bytes, member: str, change: Callable[[bytes], bytes], *, stored: bool = False, added: dict[str, bytes] | None = None) -> bytes:
    """The XLSX ``data`` with one member's bytes changed (stored uncompressed if asked), and members ``added``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content)
                target.writestr(info.filename, content, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
            else:
                target.writestr(info.filename, content)
        for name, content in (added or {}).items():
            target.writestr(name, content)
    return out.getvalue()
