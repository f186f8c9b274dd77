"""Many users: PostgreSQL + two Streamlit replicas behind nginx (deploy/cluster.py, as `make cluster`).

20 browser sessions (headless Chromium, loopback only, bounded in count and time) log in through
nginx and open the Overview while two editors import status files through the two different
replicas. Then: no error on any page, no lost revision, both replicas show both imports on their
next page, and the audit trail holds every action exactly once. The measured figures (page open
p50/p95, import time, cross-replica delay) are printed and written to tests/artifacts/cluster.json.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import statistics
import time
from collections import Counter
from dataclasses import replace

import pytest

from geo.model import CLASSES
from tests.conftest import runs_js

N_SESSIONS = 20
SESSION_TIMEOUT_S = 300  # one browser session, from open to its Overview
TOTAL_TIMEOUT_S = 900
PW = "mat-khau-cum-{}-2026"
KPI = "[data-kpi]"  # the Overview's headline figures (ui/layout.py strip or ui/common.py cards): data-kpi="free"…


@pytest.fixture(scope="module")
def cluster(boundaries_gpkg, artifacts_dir):
    import os
    import shutil

    from deploy.cluster import LocalCluster
    from geo import auth
    from geo.store.postgres import PostgresStore

    c = LocalCluster(replicas=2, say=lambda s: None)
    c.start()
    old = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = c.pg.app_password
    store = PostgresStore(c.pg.app_url)
    try:
        for i in range(1, N_SESSIONS + 1):
            auth.add_user(store, f"xem{i:02d}", PW.format(i), "viewer", by="admin")
        for name in ("bientap1", "bientap2"):
            auth.add_user(store, name, PW.format("e" + name[-1]), "editor", by="admin")
        c.store = store
        yield c
    finally:
        keep = artifacts_dir / "cluster-logs"
        keep.mkdir(parents=True, exist_ok=True)
        for f in list(c.base.glob("replica-*.log")) + list((c.base / "nginx").glob("*.log")):
            shutil.copy(f, keep / f.name)
        store.close()
        if old is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = old
        c.stop()


def _flip_file(store, year: int, tmp_path):
    """An exported year with ONE commune changed: not drug-free and unclassed -> drug-free."""
    from geo.importer.template import write_template

    cur = store.assessments(year)
    code = next(c for c, a in sorted(cur.items()) if not a.drug_free and a.complexity_class not in CLASSES)
    changed = dict(cur)
    changed[code] = replace(cur[code], drug_free=True, decision_no=f"77/QĐ-UBND-{year}",
                            decision_date=dt.date(year, 6, 1), target_year=None)
    path = tmp_path / f"trang_thai_{year}.xlsx"
    write_template(path, year, assessments=changed, demo=False)
    return code, path


BUSY = "Hệ thống đang bận"  # geo.auth.MSG_BUSY: load shedding of argon2 verifications; a person retries


IDLE_JS = """() => { const e = document.querySelector('[data-test-script-state]');
  return !!e && e.getAttribute('data-test-script-state') === 'notRunning'
         && e.getAttribute('data-test-connection-state') === 'CONNECTED'; }"""


async def _idle(page, timeout_s: float = SESSION_TIMEOUT_S) -> None:
    """Wait until Streamlit has finished the current script run and is connected (the app's own
    state attributes: its "running" widget shows only after a delay, so a run can be going on
    while it is absent — measured under load: a file given then was never uploaded)."""
    await page.wait_for_function(IDLE_JS, polling=200, timeout=timeout_s * 1000)


RUNS_JS = runs_js()


async def _is_idle(page) -> bool:
    try:
        return bool(await page.evaluate(IDLE_JS))
    except Exception:  # the page is navigating: not idle
        return False


_STORE: dict = {}  # {"store": the test's PostgresStore}: the audit trail tells what a submit became


async def _last_login_entry(name: str) -> int:
    store = _STORE["store"]
    rows = await asyncio.to_thread(store.audit_entries, user=name, limit=1)
    return rows[0].id if rows else 0


async def _after_click(page, name: str, after_id: int):
    """What the server made of a login submit, by the audit trail (never by what the page still
    shows: the previous run's error stays on screen, stale, while the next run is going):
    ("login", None), ("login_failed", reason) or ("lost", None) — no entry while the empty form is
    back and the app idle for 90 s."""
    store = _STORE["store"]
    deadline, empty_since = time.monotonic() + SESSION_TIMEOUT_S, None
    while time.monotonic() < deadline:
        new = [e for e in await asyncio.to_thread(store.audit_entries, user=name, limit=5)
               if e.id > after_id and e.action in ("login", "login_failed")]
        if new:
            e = min(new, key=lambda e: e.id)
            return e.action, (e.detail or {}).get("reason")
        form = page.get_by_label("Tên đăng nhập")
        try:  # the form may vanish between two calls: never wait on it here
            idle_empty = (await form.count() and await _is_idle(page)
                          and await form.first.input_value(timeout=1000) == "")
        except Exception:
            idle_empty = False
        empty_since = (empty_since or time.monotonic()) if idle_empty else None
        if empty_since and time.monotonic() - empty_since > 90:
            return "lost", None
        await asyncio.sleep(0.5)
    raise AssertionError(f"{name}: no answer to the login within the session time limit")


async def _login(page, url: str, name: str, password: str, stats: dict | None = None, path: str = "/") -> float:
    """Open the app, log in; returns seconds from the (last) login click to the Overview's figures.
    Retries as a person would when told the system is busy (argon2 load shedding), and when a
    submit is lost (the empty form back, no audit entry: counted, with the page's WebSocket count);
    both are counted in ``stats``."""
    stats = stats if stats is not None else {}
    page.set_default_timeout(SESSION_TIMEOUT_S * 1000)  # a loaded 2-core CI machine: bounded, not short
    sockets: list[str] = []  # every WebSocket the page opens: more than one = a reconnect
    page.on("websocket", lambda ws: sockets.append(ws.url))
    await page.goto(url + path, wait_until="domcontentloaded")
    for attempt in range(6):
        await page.wait_for_selector('input[aria-label="Tên đăng nhập"]')
        await _idle(page)
        await page.get_by_label("Tên đăng nhập").fill(name)
        await page.get_by_label("Mật khẩu").fill(password)
        before = await _last_login_entry(name)
        t0 = time.monotonic()
        await page.get_by_role("button", name="Đăng nhập").click()
        outcome, reason = await _after_click(page, name, before)
        if outcome == "lost":
            stats["lost_submit"] = stats.get("lost_submit", 0) + 1
            stats.setdefault("lost_submit_detail", []).append(
                {"user": name, "attempt": attempt, "websockets_opened": len(sockets)})
            continue
        if outcome == "login":
            await page.wait_for_selector(KPI)
            if len(sockets) > 1:
                stats["reconnects"] = stats.get("reconnects", 0) + len(sockets) - 1
            return time.monotonic() - t0
        if reason != "busy":
            raise AssertionError(f"{name}: login refused ({reason})")
        stats["busy"] = stats.get("busy", 0) + 1
        # the busy message of THIS submit, then a person waits a moment and tries again
        await page.get_by_text(BUSY).first.wait_for()
        await asyncio.sleep(1 + attempt)
    raise AssertionError(f"{name}: not logged in after 6 attempts")


async def _problems(page) -> list[str]:
    out = []
    if await page.locator('[data-testid="stException"]').count():
        out.append("exception: " + (await page.locator('[data-testid="stException"]').first.inner_text())[:300])
    body = await page.inner_text("body")
    for bad in ("Connection error", "Lỗi kết nối", "Traceback", "hệ thống đang bận"):
        if bad in body:
            out.append(bad)
    return out


async def _viewer(browser, url: str, i: int, out: dict) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = await ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        t_open = time.monotonic()
        secs = await _login(page, url, f"xem{i:02d}", PW.format(i), out)
        out["open"].append(time.monotonic() - t_open)
        out["after_login"].append(secs)
        out["problems"] += [f"xem{i:02d}: {p}" for p in await _problems(page) + errors]
        out["kpi"][f"xem{i:02d}"] = " | ".join(await page.locator(KPI).all_inner_texts())
        out["server"][f"xem{i:02d}"] = next((c["value"] for c in await ctx.cookies() if c["name"] == "tqmap_srv"), None)
    except Exception as exc:  # keep what the page showed, for the failure message
        body = (await page.inner_text("body"))[-600:] if not page.is_closed() else ""
        out["problems"].append(f"xem{i:02d}: {type(exc).__name__}: {str(exc)[:300]} | page: {body}")
    finally:
        await ctx.close()


async def _import(browser, replica_url: str, editor: str, year: int, path, out: dict, started: asyncio.Event):
    from playwright.async_api import expect

    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
    page = await ctx.new_page()
    trace: list[str] = []  # what the page did with the file, for the failure message
    page.on("request", lambda r: trace.append(f"{r.method} {r.url.split('/_stcore/')[-1][:60]}")
            if "upload_file" in r.url else None)
    page.on("response", lambda r: trace.append(f"{r.status} {r.url.split('/_stcore/')[-1][:60]}")
            if "upload_file" in r.url else None)
    page.on("console", lambda m: trace.append(f"console {m.type}: {m.text[:200]}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: trace.append(f"pageerror: {str(e)[:200]}"))
    try:
        await started.wait()  # while the viewers are logging in
        await _login(page, replica_url, editor, PW.format("e" + editor[-1]), out)
        await page.get_by_role("link", name="Nhập dữ liệu").first.click()
        tab = page.get_by_role("tab", name=re.compile("Trạng thái các xã"))
        await tab.wait_for()
        await _idle(page)
        await tab.click()
        panel = page.locator('[role="tabpanel"]:visible')
        if year != 2025:
            await panel.get_by_label("Năm").click()
            await page.evaluate(RUNS_JS)  # counts the script runs from here: the year's own rerun
            await page.get_by_role("option", name=str(year)).click()
            await expect(panel.get_by_label("Năm")).to_have_value(str(year), timeout=SESSION_TIMEOUT_S * 1000)
            await page.wait_for_function("() => window.__tqRuns > 0", polling=100,
                                         timeout=SESSION_TIMEOUT_S * 1000)
        # as a person does: the page settled after the year's rerun, then the file (a file given
        # while a run is going on or the connection is being re-made can be dropped by the browser)
        await _idle(page)
        uploader = panel.locator('[data-testid="stFileUploader"]').first
        await uploader.locator('input[type="file"]:not([disabled])').wait_for(state="attached")
        await uploader.locator('input[type="file"]').set_input_files(str(path))
        await uploader.get_by_text(path.name).wait_for(timeout=SESSION_TIMEOUT_S * 1000)
        reason = page.get_by_label(re.compile("Lý do thay đổi"))
        await reason.wait_for(timeout=SESSION_TIMEOUT_S * 1000)
        await reason.fill(f"Kiểm thử cụm: {editor}")
        await reason.press("Enter")
        t0 = time.monotonic()
        button = page.get_by_role("button", name=re.compile(rf"Nhập 1 thay đổi vào năm {year}"))
        await _idle(page)  # the reason's rerun has enabled the button
        await button.click()
        # the dry run already shows a success alert: wait for the stored outcome ("Đã lưu: …")
        await page.locator('[data-testid="stAlertContentSuccess"]', has_text="Đã lưu").wait_for(
            timeout=SESSION_TIMEOUT_S * 1000)
        out["import_s"][editor] = time.monotonic() - t0
        out["import_done_at"][editor] = time.monotonic()
        out["problems"] += [f"{editor}: {p}" for p in await _problems(page)]
    except Exception as exc:
        body = (await page.inner_text("body"))[-800:] if not page.is_closed() else ""
        if not page.is_closed() and out.get("artifacts"):
            await page.screenshot(path=str(out["artifacts"] / f"cluster-{editor}-failed.png"), full_page=True)
        out["problems"].append(f"{editor}: {type(exc).__name__}: {str(exc)[:300]} | page: {body} | trace: {trace}")
    finally:
        await ctx.close()


async def _kpi_on(browser, url: str, year: int, stats: dict) -> int:
    """A fresh session on one replica: open the Overview of ``year`` (?nam=, kept through the login),
    log in, read the number of drug-free communes from the headline figures."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = await ctx.new_page()
    try:
        await _login(page, url, "xem01", PW.format(1), stats, path=f"/?nam={year}")
        return _drug_free_count(await page.locator('[data-kpi="free"] .v').first.inner_text())
    finally:
        await ctx.close()


def _drug_free_count(kpi_text: str) -> int:
    """The drug-free figure's value: "67/124" (strip) or "67 · 54,0%" (cards)."""
    m = re.match(r"\s*(\d+)\s*(?:/|·)", kpi_text)
    assert m, kpi_text
    return int(m.group(1))


def test_20_sessions_and_two_imports_through_two_replicas(cluster, tmp_path, artifacts_dir):
    from playwright.async_api import async_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    store = cluster.store
    _STORE["store"] = store
    v0, audit0 = store.data_version(), store.audit_entries(limit=None)
    base = {y: sum(a.drug_free for a in store.assessments(y).values()) for y in (2025, 2026)}
    code_a, file_a = _flip_file(store, 2025, tmp_path)
    code_b, file_b = _flip_file(store, 2026, tmp_path)
    (r1, _, _), (r2, _, _) = cluster.replicas
    url1, url2 = f"http://127.0.0.1:{r1}", f"http://127.0.0.1:{r2}"
    out = {"open": [], "after_login": [], "problems": [], "kpi": {}, "server": {}, "import_s": {},
           "import_done_at": {}, "artifacts": artifacts_dir}

    async def run():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                started = asyncio.Event()
                viewers = [asyncio.create_task(_viewer(browser, cluster.url, i, out)) for i in range(1, N_SESSIONS + 1)]
                imports = [asyncio.create_task(_import(browser, url1, "bientap1", 2025, file_a, out, started)),
                           asyncio.create_task(_import(browser, url2, "bientap2", 2026, file_b, out, started))]
                await asyncio.sleep(2)
                started.set()

                async def load():  # the machine's load while the sessions run (2 cores, shared)
                    while True:
                        out.setdefault("load", []).append(os.getloadavg()[0])
                        await asyncio.sleep(5)

                async def watch():
                    while True:
                        await asyncio.sleep(20)
                        rows = cluster.pg.sql("SELECT state, wait_event_type, wait_event, left(query, 60), "
                                              "round(extract(epoch FROM now() - xact_start)) FROM pg_stat_activity "
                                              "WHERE datname = 'tqmap' AND state <> 'idle'", "postgres")
                        out.setdefault("pg_activity", []).append(rows)

                w, ld = asyncio.create_task(watch()), asyncio.create_task(load())
                try:
                    await asyncio.wait_for(asyncio.gather(*viewers, *imports), TOTAL_TIMEOUT_S)
                finally:
                    w.cancel()
                    ld.cancel()
                if out["problems"]:
                    return None
                # the other replica's next page shows each import (no stale cache anywhere)
                seen = {}
                for name, url, year in (("r2 sees A", url2, 2025), ("r1 sees A", url1, 2025),
                                        ("r1 sees B", url1, 2026), ("r2 sees B", url2, 2026)):
                    seen[name] = await _kpi_on(browser, url, year, out)
                    if name == "r2 sees A":
                        out["cross_replica_s"] = time.monotonic() - out["import_done_at"]["bientap1"]
                return seen
            finally:
                await browser.close()

    seen = asyncio.run(run())

    # no error on any page
    assert out["problems"] == [], "\n".join(out["problems"]) + f"\npg: {out.get('pg_activity')}"
    assert len(out["open"]) == N_SESSIONS
    # nginx spread the browsers over both replicas (sticky cookie per browser)
    streams = [l for l in (cluster.base / "nginx" / "access.log").read_text().splitlines() if "/_stcore/stream" in l]
    assert len(streams) >= N_SESSIONS
    assert {f"upstream=127.0.0.1:{p}" for p in (r1, r2)} <= {l.rsplit(" ", 1)[-1] for l in streams}
    # both imports stored, none lost, on top of everything before
    revs = [r for r in store.revisions(1000) if r.id > v0]
    assert sorted(r.user for r in revs) == ["bientap1", "bientap2"]
    assert store.assessments(2025)[code_a].drug_free and store.assessments(2026)[code_b].drug_free
    assert store.data_version() == v0 + 2 and store.verify_chain().ok
    # every replica shows both imports
    assert seen == {"r2 sees A": base[2025] + 1, "r1 sees A": base[2025] + 1,
                    "r1 sees B": base[2026] + 1, "r2 sees B": base[2026] + 1}
    # the audit trail: every action once (a login per session, an import per editor)
    new = [e for e in store.audit_entries(limit=None) if e.id > max((e.id for e in audit0), default=0)]
    logins = Counter(e.user for e in new if e.action == "login")
    for i in range(1, N_SESSIONS + 1):
        assert logins[f"xem{i:02d}"] == (5 if i == 1 else 1), (i, logins)  # xem01 also did the 4 checks
    assert logins["bientap1"] == logins["bientap2"] == 1
    imports = Counter(e.user for e in new if e.action == "import")
    assert imports == Counter({"bientap1": 1, "bientap2": 1})
    failed = [e for e in new if e.action == "login_failed"]  # only load shedding, each retried once more
    assert all((e.detail or {}).get("reason") == "busy" for e in failed), failed
    assert len(failed) == out.get("busy", 0)

    q = statistics.quantiles(out["after_login"], n=20)
    qo = statistics.quantiles(out["open"], n=20)
    figures = {
        "sessions": N_SESSIONS, "replicas": 2,
        "login_to_overview_s": {"p50": round(statistics.median(out["after_login"]), 2), "p95": round(q[18], 2),
                                "max": round(max(out["after_login"]), 2)},
        "open_to_overview_s": {"p50": round(statistics.median(out["open"]), 2), "p95": round(qo[18], 2)},
        "import_s": {k: round(v, 2) for k, v in out["import_s"].items()},
        "other_replica_next_page_shows_import_s": round(out["cross_replica_s"], 2),
        "sticky_cookies_distinct": len(set(out["server"].values())),
        "busy_retries": out.get("busy", 0),
        "lost_submit_retries": out.get("lost_submit", 0),
        "lost_submit_detail": out.get("lost_submit_detail", []),
        "websocket_reconnects": out.get("reconnects", 0),
        "loadavg_1m_during_sessions": {"min": round(min(out["load"]), 1), "median": round(statistics.median(out["load"]), 1),
                                       "max": round(max(out["load"]), 1)},
        "cpus": os.cpu_count(),
        "measured_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    (artifacts_dir / "cluster.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
