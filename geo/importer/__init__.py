"""Importers: commune statuses from Excel/CSV, routes from GIS files; the Excel template and export.

Public API (no streamlit here; the UI pages call these):
    parse_status(path, year) -> ImportReport                       # no store needed
    import_status(path, year, store, *, user, dry_run=True, reason="") -> ImportReport
    write_template(path, year=None) / export_year(store, year, path)
    read_routes(path, crs=None) -> list[Route]                      # raises RouteImportError
    parse_routes(path, crs=None) -> ImportReport
    import_routes(path, store, *, user, crs=None, dry_run=False, replace=False) -> ImportReport
"""

from .report import ERROR, WARNING, ImportReport, Issue, MatchNote
from .safety import MAX_FILE_BYTES, UnsafeFile
from .status_import import import_status, parse_status
from .template import export_year, write_template
from .routes_import import RouteImportError, import_routes, parse_routes, read_routes

__all__ = ["ImportReport", "Issue", "ERROR", "WARNING", "UnsafeFile", "MAX_FILE_BYTES", "import_status",
           "parse_status", "write_template", "export_year", "read_routes", "parse_routes", "import_routes",
           "RouteImportError"]
