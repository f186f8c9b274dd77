"""VN-2000 helpers and CRS sanity checks for imported GIS files.

Official VN-2000 for the province: TM-3 zone 106°00′ (EPSG:9211, old Tuyên Quang) and 105°30′
(EPSG:9209, old Hà Giang), to WGS 84 through the EPSG:6960 seven-parameter shift. pyproj's
EPSG:9209/9211 → EPSG:4326 applies that shift (tests/test_crs.py checks it against the explicit
+towgs84 definition below, to within 1 m)."""

from __future__ import annotations

import math

TOWGS84_6960 = ("-191.90441429,-39.30318279,-111.45032835,"
                "0.00928836,-0.01975479,0.00427372,0.252906278")
VN2000_TM3 = {
    "EPSG:9209": 105.5,  # 105°30′, old Hà Giang
    "EPSG:9211": 106.0,  # 106°00′, old Tuyên Quang
}
CRS_LABELS = {
    "EPSG:9209": "VN-2000 TM-3 kinh tuyến trục 105°30′ (EPSG:9209, Hà Giang cũ)",
    "EPSG:9211": "VN-2000 TM-3 kinh tuyến trục 106°00′ (EPSG:9211, Tuyên Quang cũ)",
    "EPSG:3405": "VN-2000 UTM múi 48N (EPSG:3405)",
    "EPSG:32648": "WGS 84 UTM múi 48N (EPSG:32648)",
    "EPSG:4326": "WGS 84 kinh độ/vĩ độ (EPSG:4326, GPS)",
    "EPSG:4756": "VN-2000 kinh độ/vĩ độ (EPSG:4756)",
}
CANDIDATES = ("EPSG:9209", "EPSG:9211", "EPSG:3405", "EPSG:32648", "EPSG:4326", "EPSG:4756")

# --- the project's geographic constants, defined here ONCE (import them, never copy the values) ---
WGS84 = "EPSG:4326"  # every stored geometry (route WKT, the GeoPackage's web layers) is lon/lat WGS 84
METRIC_CRS = "EPSG:32648"  # WGS 84 / UTM zone 48N: metres for corridors, lengths, areas and the sheets
UTM = METRIC_CRS  # alias (older name in geo.build / geo.export.sheet)
# The 2025 province (Tuyên Quang + former Hà Giang), lon/lat (x0, y0, x1, y1), measured on the built
# boundaries (104.334, 21.498, 105.599, 23.393), rounded outwards to 0.01°: fitting maps.
PROVINCE_EXTENT = (104.33, 21.49, 105.60, 23.40)
# The province with a margin (lon/lat): "can these coordinates be in the province?" checks of imported
# and stored geometry (importer, store, likely_crs).
PROVINCE_BBOX = (104.2, 21.3, 106.2, 23.5)


def province_bounds_latlon(extent=PROVINCE_EXTENT) -> list[list[float]]:
    """``[[south, west], [north, east]]`` (Leaflet's order) of the province's extent."""
    x0, y0, x1, y1 = extent
    return [[y0, x0], [y1, x1]]



def tm3_proj(lon_0: float, datum_shift: bool = True) -> str:
    """Explicit PROJ string of a VN-2000 TM-3 zone (scale 0.9999, false easting 500 km)."""
    s = f"+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84"
    if datum_shift:
        s += f" +towgs84={TOWGS84_6960}"
    return s + " +units=m +no_defs +type=crs"


def to_wgs84(x, y, crs: str):
    """Transform coordinates (scalars or arrays) from ``crs`` to lon/lat WGS 84."""
    from pyproj import Transformer

    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)


def label(crs) -> str:
    try:
        from pyproj import CRS

        c = CRS.from_user_input(crs)
        code = c.to_epsg()
        key = f"EPSG:{code}" if code else None
        return CRS_LABELS.get(key, f"{c.name}" + (f" ({key})" if key else ""))
    except Exception:
        return str(crs)


def _inside(bounds, bbox=PROVINCE_BBOX) -> bool:
    x0, y0, x1, y1 = bounds
    return bbox[0] <= x0 and x1 <= bbox[2] and bbox[1] <= y0 and y1 <= bbox[3]


def likely_crs(bounds) -> list[str]:
    """The candidate CRSs under which coordinates with these bounds fall inside the province."""
    out = []
    for crs in CANDIDATES:
        try:
            xs, ys = to_wgs84([bounds[0], bounds[2]], [bounds[1], bounds[3]], crs)
        except Exception:
            continue
        if all(map(math.isfinite, list(xs) + list(ys))) and _inside((min(xs), min(ys), max(xs), max(ys))):
            out.append(crs)
    return out


def detect_crs_problem(gdf) -> str | None:
    """A Vietnamese error when the coordinates cannot be in the CRS declared (e.g. metres declared as
    WGS 84 degrees); None when they look right."""
    if gdf is None or len(gdf) == 0:
        return None
    b = tuple(float(v) for v in gdf.total_bounds)
    if not all(map(math.isfinite, b)):
        return "Tệp có toạ độ không hợp lệ (NaN/vô hạn)."
    crs = gdf.crs
    geographic = crs is None or crs.is_geographic
    if geographic and (abs(b[0]) > 180 or abs(b[2]) > 180 or abs(b[1]) > 90 or abs(b[3]) > 90):
        cands = [c for c in likely_crs(b) if c not in ("EPSG:4326", "EPSG:4756")]
        hint = (" Theo giá trị toạ độ, có thể là: " + "; ".join(CRS_LABELS[c] for c in cands) + "."
                if cands else
                " Hệ toạ độ chính thức của tỉnh là VN-2000 TM-3 kinh tuyến trục 105°30′ (EPSG:9209) "
                "hoặc 106°00′ (EPSG:9211).")
        return (f"Toạ độ trong tệp là mét (x từ {b[0]:,.0f} đến {b[2]:,.0f}, y từ {b[1]:,.0f} đến {b[3]:,.0f})".replace(",", ".") + " "
                "nhưng tệp khai báo là WGS 84 kinh độ/vĩ độ (độ)." + hint +
                " Hãy xuất lại tệp với đúng hệ toạ độ, hoặc chỉ rõ hệ toạ độ khi nhập (ví dụ --crs EPSG:9209).")
    return None
