"""Uploaded bytes (the app's import page): parsed once per content, from a private temporary
folder that is always removed.

    key = digest(data)                                   # sha256: the cache key of a dry run
    rep = parse_status_upload(data, "bao-cao.xls", 2025)  # no store touched
    preview_status(rep, store); commit_status(rep, store, user=…, reason=…)

Parsing is bounded by the readers' work budget (geo.importer.safety); the page caches the parsed
report by (digest, year, options) so reruns — a language switch, a widget change — do not parse
again.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .report import ImportReport
from .safety import MAX_FILE_BYTES, UnsafeFile

TEMP_PREFIX = "tq-upload-"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def upload_path(data: bytes, filename: str):
    """The bytes as a file in a fresh private folder (only the extension of ``filename`` is kept),
    removed on exit whatever happens."""
    suffix = Path(filename).suffix.lower()[:8]
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    try:
        path = folder / f"upload{suffix}"
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _too_big(data: bytes, filename: str, rep: ImportReport) -> bool:
    if len(data) > MAX_FILE_BYTES:
        rep.error(str(UnsafeFile(f"Tệp “{filename}” quá lớn ({len(data) / 1048576:.1f} MB); giới hạn là "
                                 f"{MAX_FILE_BYTES / 1048576:.0f} MB.".replace(".", ","))))
        return True
    return False


def parse_status_upload(data: bytes, filename: str, year: int, *, on_route=None) -> ImportReport:
    """Parse and validate an uploaded status file without any store (a dry run's first half)."""
    from .status_import import parse_status

    rep = ImportReport("status", source=filename, year=year, dry_run=True)
    if _too_big(data, filename, rep):
        return rep
    with upload_path(data, filename) as path:
        parse_status(path, year, on_route=set(on_route or ()), report=rep)
    rep.source = filename
    return rep


def parse_routes_upload(data: bytes, filename: str, *, crs=None, route_id=None, name=None,
                        width_km=None) -> ImportReport:
    """Parse an uploaded route file (GeoJSON, KML, GPX, zipped Shapefile) without any store."""
    from .routes_import import parse_routes

    rep = ImportReport("routes", source=filename, dry_run=True)
    if _too_big(data, filename, rep):
        return rep
    with upload_path(data, filename) as path:
        parse_routes(path, crs, rep, route_id=route_id, name=name, width_km=width_km)
    rep.source = filename
    return rep
