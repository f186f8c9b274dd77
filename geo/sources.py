"""Getting the pinned upstream files: local mirror first, then download cache, then the pinned URL.

Every file is checked against the SHA-256 in :mod:`geo.manifest`. Nothing is ever written outside
the git-ignored ``data/`` folders, and a download goes to a temporary file that is renamed only
once its digest matches.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import manifest
from .paths import DATA_DIR

RAW_BASE = "https://raw.githubusercontent.com/"
SOURCES_CACHE = DATA_DIR / "sources"
MIRROR_ENV = "TQMAP_MIRROR"
OFFLINE_ENV = "TQMAP_OFFLINE"
DOWNLOAD_TIMEOUT_S = 30

TL = "thanglequoc/vietnamese-provinces-database/cd58063299585146ded3981f2272946ef19ced54/"
DVHCVN_2025 = "dvhcvn/20250701/dd94887ce32324380bc5bb0a76fe39867dafc73b/"
POP = "lamngockhuong/vietnam-3d-map/dc6095c45a49279d6c24f4de6cf00f4b2b04a90d/"
OLD_GIS = "daohoangson/dvhcvn/4b1b6b59c5880c620722663bcb48c5c105364be5/"
ROADS = "CTU-SematX/LegoCity/a1aabc7dc5faca80b31c413e782ee93188140ebf/opendata/giaothong/"

PROVINCE_OUTLINE = TL + "json/geojson/08_tuyen_quang/08_tuyen_quang.geojson"
MERGES = DVHCVN_2025 + "mapping/merges.json"
SPLITS = DVHCVN_2025 + "mapping/splits.json"
POPULATION = POP + "public/wards/08.json"
OLD_DISTRICTS = {"Hà Giang": OLD_GIS + "data/gis/02.json", "Tuyên Quang": OLD_GIS + "data/gis/08.json"}
ROAD_LINES = ROADS + "giaothong.geojson"


@dataclass(frozen=True)
class Source:
    """One upstream publication, credited in the app and in every export."""

    key: str
    title: str
    repo: str
    licence: str
    attribution: str
    url: str


SOURCES: tuple[Source, ...] = (
    Source("boundaries", "Ranh giới 124 đơn vị hành chính cấp xã (2025)",
           "thanglequoc/vietnamese-provinces-database", "MIT",
           "© thanglequoc/vietnamese-provinces-database (MIT), từ bản đồ sáp nhập sapnhap.bando.com.vn",
           "https://github.com/thanglequoc/vietnamese-provinces-database"),
    Source("mapping", "Bảng chuyển đổi xã cũ → xã mới (NQ 1684/NQ-UBTVQH15)",
           "daohoangson/dvhcvn", "MIT", "© dvhcvn (MIT)", "https://github.com/daohoangson/dvhcvn"),
    Source("population", "Dân số và diện tích theo đơn vị cấp xã mới",
           "lamngockhuong/vietnam-3d-map", "MIT", "© lamngockhuong/vietnam-3d-map (MIT)",
           "https://github.com/lamngockhuong/vietnam-3d-map"),
    Source("old_districts", "Ranh giới huyện cũ (trước 1/7/2025) của Hà Giang và Tuyên Quang",
           "daohoangson/dvhcvn", "GPL-3.0", "© daohoangson/dvhcvn (GPL-3.0)",
           "https://github.com/daohoangson/dvhcvn"),
    Source("roads", "Tim đường quốc lộ, tỉnh lộ (mang tính tham khảo)",
           "CTU-SematX/LegoCity", "CC BY-SA 4.0", "© CTU-SematX/LegoCity (CC BY-SA 4.0), mang tính tham khảo",
           "https://github.com/CTU-SematX/LegoCity"),
    Source("old_units", "Danh mục và tâm đơn vị hành chính (gói PyPI vietnamadminunits)",
           "vietnamadminunits", "MIT", "© vietnamadminunits (MIT)", "https://pypi.org/project/vietnamadminunits/"),
)

ATTRIBUTION = "; ".join(s.attribution for s in SOURCES)


class SourceError(RuntimeError):
    """A source file could not be had or failed its checksum. The message is for people."""


def all_files() -> dict[str, str]:
    """Every pinned file: mirror-layout path -> SHA-256."""
    files = {manifest.WARDS_DIR + name: digest for name, digest in manifest.WARD_FILES.values()}
    files.update(manifest.OTHER_FILES)
    return files


def default_mirror() -> Path | None:
    """$TQMAP_MIRROR, else ../shared/data beside the repository (read in geo.config)."""
    from .config import mirror_dir

    return mirror_dir()


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(url: str, dest: Path, expected: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".dl-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
            while block := resp.read(1 << 20):
                out.write(block)
        got = sha256_of(Path(tmp))
        if got != expected:
            raise SourceError(
                f"Tệp tải về từ {url} sai mã kiểm tra SHA-256 (có {got}, cần {expected}). "
                "Tệp nguồn trên mạng đã thay đổi hoặc bị hỏng khi tải; không dùng tệp này.")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def fetch(relpath: str, mirror: Path | None = None, offline: bool | None = None) -> Path:
    """Local path of a verified copy of ``relpath`` (mirror layout). Raises :class:`SourceError`."""
    expected = all_files()[relpath]
    tried: list[str] = []
    if mirror is not None:
        candidate = Path(mirror) / relpath
        if candidate.is_file():
            got = sha256_of(candidate)
            if got != expected:
                raise SourceError(
                    f"Tệp nguồn bị hỏng hoặc đã bị sửa: {candidate}\n"
                    f"  SHA-256 có: {got}\n  SHA-256 cần: {expected}\n"
                    "Cách xử lý: chép lại tệp gốc vào thư mục mirror (hoặc xoá nó để tải từ mạng) rồi chạy lại "
                    "`python -m geo data`. Dữ liệu đã dựng trước đó không bị thay đổi.")
            return candidate
        tried.append(f"mirror: {candidate} (không có)")
    cached = SOURCES_CACHE / relpath
    if cached.is_file() and sha256_of(cached) == expected:
        return cached
    url = RAW_BASE + relpath
    if offline is None:
        from .config import offline as _offline

        offline = _offline()
    if offline:
        tried.append(f"tải về: bỏ qua ({OFFLINE_ENV}=1)")
    else:
        try:
            _download(url, cached, expected)
            return cached
        except SourceError:
            raise
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            tried.append(f"tải về: {url} (lỗi: {exc})")
    raise SourceError(
        f"Thiếu tệp nguồn: {relpath}\n  Đã tìm: " + "\n  Đã tìm: ".join(tried) + "\n"
        f"Cách xử lý: đặt thư mục mirror bằng `--mirror DIR` hoặc biến môi trường {MIRROR_ENV} "
        f"(trên máy của nhóm: ../shared/data), hoặc kết nối mạng để tải {url}. "
        "Dữ liệu đã dựng trước đó không bị thay đổi.")
