#!/usr/bin/env bash
# PostgreSQL + PostGIS + nginx for the PostgreSQL store tests and `make cluster` (Debian).
# Installs only what is missing (idempotent). The tests start their own throw-away cluster in a
# temp dir (geo/store/pg_cluster.py); the system-wide cluster that Debian creates is not used,
# and its service is not started here.
set -euo pipefail
pg_version() {
  # The PostgreSQL major version apt offers (Debian 12: 15), or the one already installed.
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
  if [ -z "$v" ]; then
    v=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -1)
  fi
  echo "$v"
}
need=()
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
v=$(pg_version)
if [ -z "$v" ]; then
  # apt's lists may be empty on a fresh machine: update once, then ask again.
  $SUDO apt-get update -qq
  v=$(pg_version)
fi
[ -n "$v" ] || { echo "Không xác định được phiên bản PostgreSQL mà apt cung cấp" >&2; exit 1; }
[ -x "/usr/lib/postgresql/$v/bin/initdb" ] || need+=("postgresql-$v")
[ -f "/usr/share/postgresql/$v/extension/postgis.control" ] || need+=("postgresql-$v-postgis-3")
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
[ ${#need[@]} -eq 0 ] && { echo "PostgreSQL $v + PostGIS + nginx: đã có."; exit 0; }
if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Cần cài: ${need[*]} (chạy với quyền root hoặc cài sudo)" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d: do not start the packaged services (system cluster, nginx on port 80) on install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
echo "Đã cài: ${need[*]}"
