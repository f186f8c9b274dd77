"""Command line: ``python -m geo COMMAND``. Messages are in Vietnamese; exit code 0 on success."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_data(args) -> int:
    from .build import BuildError, build
    from .sources import SourceError

    try:
        report = build(out=args.out, mirror=args.mirror)
    except (SourceError, BuildError) as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m geo", description="Bản đồ xã không ma túy tỉnh Tuyên Quang")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("data", help="tải/kiểm tra dữ liệu nguồn và dựng GeoPackage ranh giới")
    d.add_argument("--mirror", type=Path, default=None,
                   help="thư mục mirror theo bố cục OWNER/REPO/COMMIT/PATH (mặc định: $TQMAP_MIRROR hoặc ../shared/data)")
    d.add_argument("--out", type=Path, default=None, help="tệp GeoPackage kết quả")
    d.set_defaults(func=_cmd_data)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)
