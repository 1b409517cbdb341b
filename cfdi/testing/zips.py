"""Hostile ZIP archives for the reception tests (engine and Odoo)."""

from __future__ import annotations

import io
import struct
import zipfile

_EOCD = struct.Struct("<4s4H2LH")


def overlapping_zip(members: int = 5000, size: int = 5 * 1024 * 1024 - 1) -> bytes:
    """A ZIP whose ``members`` central-directory entries all point at one deflated
    member of ``size`` bytes (the overlapping-entries bomb): ~260 KB that would inflate
    to ``members * size`` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("f.xml", b"<a>" + b"0" * (size - 7) + b"</a>")
    data = buffer.getvalue()
    eocd_at = data.rindex(b"PK\x05\x06")
    signature, disk, cd_disk, _here, _total, cd_size, cd_offset, comment = _EOCD.unpack(
        data[eocd_at : eocd_at + _EOCD.size]
    )
    entry = data[cd_offset : cd_offset + cd_size]
    eocd = _EOCD.pack(
        signature, disk, cd_disk, members, members, cd_size * members, cd_offset, comment
    )
    return data[:cd_offset] + entry * members + eocd
