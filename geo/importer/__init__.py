"""Importers: commune statuses from Excel/CSV, routes from GIS files; the Excel template and export.

Public API (no streamlit here; the UI pages call these):
    parse_status(path, year) -> ImportReport                       # no store needed
    import_status(path, year, store, *, user, dry_run=True, reason="") -> ImportReport
    write_template(path, year=None) / export_year(store, year, path)
    read_routes(path, crs=None) -> list[Route]                      # raises RouteImportError
    parse_routes(path, crs=None) -> ImportReport
    import_routes(path, store, *, user, crs=None, dry_run=False, on_conflict=None, replace_all=False,
                  route_id=None, name=None, width_km=None) -> ImportReport
    parse_status_upload / parse_routes_upload(bytes, filename, …)  # the app: parse once per upload
    preview_status / commit_status / commit_routes(report, store, …)  # compare, then write in one transaction
"""

from .report import ERROR, WARNING, ImportReport, Issue, MatchNote
from .safety import MAX_FILE_BYTES, UnsafeFile
from .status_import import import_status, parse_status
from .template import export_year, write_template
from .routes_import import RouteImportError, commit_routes, import_routes, parse_routes, read_routes
from .status_import import commit_status, preview_status
from .uploads import digest, parse_routes_upload, parse_status_upload

__all__ = ["ImportReport", "Issue", "ERROR", "WARNING", "UnsafeFile", "MAX_FILE_BYTES", "import_status",
           "parse_status", "write_template", "export_year", "read_routes", "parse_routes", "import_routes",
           "RouteImportError", "commit_routes", "commit_status", "preview_status", "digest", "parse_status_upload",
           "parse_routes_upload", "MatchNote"]
