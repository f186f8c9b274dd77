"""Change notification between app servers: LISTEN on the channel the revisions trigger NOTIFYs
(``tqmap_data``, payload = the new revision id), with polling of ``data_version`` as a fallback.

    listener = ChangeListener(url, on_change=lambda version: ...)   # daemon thread; .stop()

Every PostgresStore opened by an app server starts one (see ``PostgresStore(listen=True)``): a
write through any replica drops the year views (``geo.yearview.invalidate()``) of every other
replica within the notification latency (milliseconds on one network; at most ``POLL_S`` when
notifications are lost, e.g. across a connection break).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from .pg_schema import NOTIFY_CHANNEL

POLL_S = 1.0  # fallback poll of data_version, and the longest wait between checks
log = logging.getLogger("geo.store.pg_notify")


class ChangeListener:
    def __init__(self, url: str, on_change: Callable[[int], None], *, channel: str = NOTIFY_CHANNEL,
                 poll_s: float = POLL_S):
        self.url = url
        self.on_change = on_change
        self.channel = channel
        self.poll_s = poll_s
        self.version = 0  # newest revision id seen
        self.seen = threading.Condition()
        self._stop = threading.Event()
        self._conn = None
        self._thread = threading.Thread(target=self._run, name="tqmap-pg-listen", daemon=True)
        self._thread.start()

    def _advance(self, version: int) -> None:
        with self.seen:
            if version <= self.version:
                return
            self.version = version
            self.seen.notify_all()
        try:
            self.on_change(version)
        except Exception:  # a failing callback must not stop the listener
            log.exception("change callback failed")

    def _run(self) -> None:
        import psycopg

        backoff = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                     application_name="tqmap-listen") as conn:
                    self._conn = conn
                    conn.execute(f"LISTEN {self.channel}")
                    backoff = 0.5
                    while not self._stop.is_set():
                        # poll first: covers changes made while (re)connecting
                        v = conn.execute("SELECT COALESCE(MAX(id), 0) FROM revisions").fetchone()[0]
                        self._advance(int(v))
                        for n in conn.notifies(timeout=self.poll_s, stop_after=1):
                            try:
                                self._advance(int(n.payload))
                            except ValueError:
                                pass
            except Exception as exc:  # connection lost: retry with backoff, never die
                if self._stop.is_set():
                    break
                log.warning("change listener reconnecting: %s", str(exc).splitlines()[0] if str(exc) else exc)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10)
            finally:
                self._conn = None

    def wait_for(self, version: int, timeout: float) -> bool:
        """Block until a version >= ``version`` has been seen (True) or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        with self.seen:
            while self.version < version:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.seen.wait(left)
        return True

    def stop(self, wait: float = 0.2) -> None:
        """Ask the thread to end (it does within ``poll_s``; it is a daemon, nothing waits on it)."""
        self._stop.set()
        self._thread.join(timeout=wait)


def invalidate_caches(version: int) -> None:
    """What a replica does when another one changed the data: drop the year views."""
    from .. import yearview

    yearview.invalidate()


__all__ = ["ChangeListener", "invalidate_caches", "POLL_S"]
