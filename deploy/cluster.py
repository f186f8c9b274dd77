"""Many users on one machine, for trying and testing (``make cluster``):

    python deploy/cluster.py up [--replicas 2] [--port 8080]    # until Ctrl-C
    python deploy/cluster.py nginx --upstream 127.0.0.1:8501 --upstream 127.0.0.1:8502 \
        --server-name bando.example.vn --listen 80 [--tls]     # the production site, on stdout

``up`` starts, all inside one temp dir and on loopback only:
1. a throw-away PostgreSQL + PostGIS cluster (geo/store/pg_cluster.py; as the ``postgres`` user
   when started as root), the database ``tqmap``, the owner and app roles;
2. the demo data (``python -m geo demo`` with TQMAP_DB=postgresql://tqmap_app@…) and an admin
   account (password printed once);
3. N Streamlit replicas of app.py on free loopback ports, each with its own connection pool;
4. nginx with the site rendered from deploy/nginx/tqmap.conf.template (sticky sessions, WebSocket,
   gzip, upload limit), its own nginx.conf, pid, logs and temp dirs in the temp dir;
then prints the URL. Ctrl-C (or SIGTERM) stops everything and removes the temp dir.
"""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "deploy" / "nginx" / "tqmap.conf.template"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def render_site(upstreams: list[str], *, listen: str = "80", server_name: str = "_", upload_mb: int = 20,
                tls: bool = False) -> str:
    """The nginx site for these replicas (``host:port`` each)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    values = {
        "UPSTREAM_SERVERS": "\n".join(f"    server {u} max_fails=0;" for u in upstreams),
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "UPLOAD_MB": str(int(upload_mb)),
        "TLS_REDIRECT": ("    # plain HTTP only redirects to HTTPS\n    return 301 https://$host$request_uri;"
                         if tls else ""),
        "COOKIE_SECURE": "; Secure" if tls else "",
    }
    for k, v in values.items():
        text = text.replace("{{" + k + "}}", v)
    if "{{" in text:
        raise ValueError("unrendered placeholder in the nginx template")
    return text


def _nginx_bin() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise RuntimeError("Thiếu nginx: cài bằng bash .ci/postgres.sh")
    return found


def _wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: tiến trình đã dừng (mã {proc.returncode}). "
                               + (log.read_text(errors="replace")[-3000:] if log and log.exists() else ""))
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} không sẵn sàng sau {timeout:.0f} s"
                               + (f": {log.read_text(errors='replace')[-3000:]}" if log and log.exists() else ""))
        time.sleep(0.3)


class LocalCluster:
    """PostgreSQL + N Streamlit replicas + nginx on loopback; ``start()``/``stop()`` or ``with``."""

    def __init__(self, replicas: int = 2, port: int | None = None, base: Path | None = None,
                 upload_mb: int = 20, say=print, extra_env: dict | None = None):
        from geo.store.pg_cluster import free_port

        self.n = replicas
        self.base = Path(base) if base else Path(tempfile.mkdtemp(prefix="tqmap-cluster-"))
        self._own = base is None
        os.chmod(self.base, 0o755)  # PostgreSQL (postgres user) and nginx workers must reach their dirs
        self.port = port or free_port()
        self.upload_mb = upload_mb
        self.say = say
        self.extra_env = extra_env or {}
        self.pg = None
        self.replicas: list[tuple[int, subprocess.Popen, Path]] = []
        self.nginx: subprocess.Popen | None = None
        self.admin_password = secrets.token_urlsafe(12)
        self.url = f"http://127.0.0.1:{self.port}"

    # --- environment of the app processes ----------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "TQMAP_DB": self.pg.app_url, "PGPASSWORD": self.pg.app_password,
                "TQMAP_PUBLIC_DEMO": "0", "TQMAP_UPLOAD_LIMIT_MB": str(self.upload_mb), "PYTHONUNBUFFERED": "1",
                **self.extra_env}

    def geo(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """``python -m geo ARGS`` against the cluster's database (as the app role)."""
        p = subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, env=self.env, input=stdin,
                           capture_output=True, text=True, timeout=600)
        if check and p.returncode != 0:
            raise RuntimeError(f"python -m geo {' '.join(args)}: {p.stderr.strip()[-2000:]}")
        return p

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "LocalCluster":
        from geo.store.pg_cluster import PgCluster, free_port

        try:
            self.say("PostgreSQL + PostGIS …")
            self.pg = PgCluster(self.base / "pg").start()
            self.pg.create_app_database()
            t0 = time.monotonic()
            self.geo("demo")
            self.say(f"Dữ liệu minh họa đã nạp ({time.monotonic() - t0:.1f} s).")
            self.geo("users", "add", "admin", "--role", "admin", "--password-stdin", stdin=self.admin_password + "\n")
            for i in range(self.n):
                port = free_port()
                log = self.base / f"replica-{i + 1}.log"
                f = open(log, "w")
                proc = subprocess.Popen(
                    [sys.executable, "-m", "ui.serve", "--server.port", str(port),
                     "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
                     "--browser.gatherUsageStats", "false", "--server.maxUploadSize", str(self.upload_mb)],
                    cwd=REPO, env=self.env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
                f.close()
                self.replicas.append((port, proc, log))
            for port, proc, log in self.replicas:
                _wait_http(f"http://127.0.0.1:{port}/_stcore/health", 120, proc, log)
            self.say(f"{self.n} máy chủ ứng dụng: " + ", ".join(f"127.0.0.1:{p}" for p, _, _ in self.replicas))
            self._start_nginx()
            _wait_http(self.url + "/_stcore/health", 30, self.nginx, self.base / "nginx" / "error.log")
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nginx(self) -> None:
        d = self.base / "nginx"
        d.mkdir(parents=True, exist_ok=True)
        site = render_site([f"127.0.0.1:{p}" for p, _, _ in self.replicas], listen=f"127.0.0.1:{self.port}",
                           server_name="localhost", upload_mb=self.upload_mb)
        (d / "tqmap.conf").write_text(site, encoding="utf-8")
        temps = {k: d / k for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for p in temps.values():
            p.mkdir(exist_ok=True)
        user_line = ""
        if os.geteuid() == 0:  # the workers drop root: they need their temp dirs
            worker = next((u for u in ("www-data", "nobody") if _user_exists(u)), None)
            if worker:
                pw = pwd.getpwnam(worker)
                for p in temps.values():
                    os.chown(p, pw.pw_uid, pw.pw_gid)
                os.chmod(self.base, 0o755)
                os.chmod(d, 0o755)
                user_line = f"user {worker};"
        mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
        (d / "nginx.conf").write_text(f"""
worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
{user_line}
events {{ worker_connections 1024; }}
http {{
    {mime}
    default_type application/octet-stream;
    log_format tqmap '$remote_addr [$time_local] "$request" $status upstream=$upstream_addr';
    access_log {d}/access.log tqmap;
    client_body_temp_path {temps['client_body']};
    proxy_temp_path {temps['proxy']};
    fastcgi_temp_path {temps['fastcgi']};
    uwsgi_temp_path {temps['uwsgi']};
    scgi_temp_path {temps['scgi']};
    include {d}/tqmap.conf;
}}
""", encoding="utf-8")
        chk = subprocess.run([_nginx_bin(), "-t", "-c", str(d / "nginx.conf"), "-p", str(d)], capture_output=True,
                             text=True)
        if chk.returncode != 0:
            raise RuntimeError(f"nginx -t: {chk.stderr}")
        self.nginx = subprocess.Popen([_nginx_bin(), "-c", str(d / "nginx.conf"), "-p", str(d), "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=open(d / "stderr.log", "w"),
                                      start_new_session=True)

    def stop(self) -> None:
        procs = ([self.nginx] if self.nginx else []) + [p for _, p, _ in self.replicas]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self.nginx, self.replicas = None, []
        if self.pg is not None:
            self.pg.stop()
            self.pg = None
        if self._own:
            shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _cmd_up(args) -> int:
    c = LocalCluster(args.replicas, args.port)
    stop = {"now": False}

    def handler(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    try:
        c.start()
        print(f"""
Sẵn sàng: {c.url}
  đăng nhập: admin / {c.admin_password}   (tài khoản quản trị của cụm thử này)
  PostgreSQL: {c.pg.app_url}  (socket {c.pg.sock}); nhật ký: {c.base}
  máy chủ ứng dụng: {', '.join(f'127.0.0.1:{p}' for p, _, _ in c.replicas)} sau nginx {c.url}
Ctrl-C để dừng và xoá tất cả.""", flush=True)
        while not stop["now"]:
            dead = [p for p, proc, _ in c.replicas if proc.poll() is not None]
            if dead or (c.nginx and c.nginx.poll() is not None):
                print(f"Một tiến trình đã dừng ({dead or 'nginx'}); xem nhật ký trong {c.base}", file=sys.stderr)
                return 1
            time.sleep(0.5)
    finally:
        c.stop()
    return 0


def _cmd_nginx(args) -> int:
    sys.stdout.write(render_site(args.upstream, listen=args.listen, server_name=args.server_name,
                                 upload_mb=args.upload_mb, tls=args.tls))
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python deploy/cluster.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="PostgreSQL + N bản sao ứng dụng + nginx trên máy này (loopback)")
    up.add_argument("--replicas", type=int, default=2)
    up.add_argument("--port", type=int, default=8080, help="cổng nginx trên 127.0.0.1")
    up.set_defaults(func=_cmd_up)
    ng = sub.add_parser("nginx", help="in cấu hình site nginx cho các bản sao")
    ng.add_argument("--upstream", action="append", required=True, help="host:port của một bản sao (lặp lại)")
    ng.add_argument("--listen", default="80")
    ng.add_argument("--server-name", default="_")
    ng.add_argument("--upload-mb", type=int, default=20, help="= TQMAP_UPLOAD_LIMIT_MB")
    ng.add_argument("--tls", action="store_true", help="cổng 80 chỉ chuyển sang HTTPS; cookie Secure")
    ng.set_defaults(func=_cmd_nginx)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
