"""Polling hosts concurrently with a bound, each within its own timeout, and
publishing results from one writer thread (this one)."""
import logging
import queue
import threading
import time

from . import poll as poller
from . import report, spool
from .cursors import Cursors
from .eventlog import events_document

LOG = logging.getLogger("exconn-collect")


class Scheduler:
    def __init__(self, cfg, poll_fn=poller.poll):
        self.cfg, self.poll_fn = cfg, poll_fn
        self.cursors = Cursors(cfg.state_dir, cfg.spool_dir)
        self.cursors.recover_all((h.server, log) for h in cfg.hosts for log in h.logs)
        self.results = queue.Queue()
        self.inflight = {}      # server -> (token, deadline)
        self.due = {h.server: 0.0 for h in cfg.hosts}
        self.stop = threading.Event()
        self._token = 0

    def _start(self, host):
        self._token += 1
        token = self._token
        self.inflight[host.server] = (token, time.monotonic() + host.timeout)

        def run():
            try:
                res = self.poll_fn(host, self.cursors)
            except Exception as e:  # noqa: BLE001 - a bug must not kill the daemon
                res = poller.Result(host=host, started=time.time(), status="unknown",
                                    error=f"internal error: {type(e).__name__}")
            self.results.put((token, res))

        threading.Thread(target=run, name=f"poll-{host.server}", daemon=True).start()

    def _dispatch(self, now, once_left):
        for h in self.cfg.hosts:
            if len(self.inflight) >= self.cfg.concurrency:
                return
            if h.server in self.inflight or self.due[h.server] > now:
                continue
            if once_left is not None:
                if h.server not in once_left:
                    continue
                once_left.discard(h.server)
            self._start(h)

    def publish(self, res):
        """Events (cursor after each file), then the report, then the status."""
        h = res.host
        for n, message in res.notes:
            LOG.log(n, message)
        for log, recs, to in res.events:
            if recs:
                path = self.cursors.publish(h.server, log, events_document(recs, log, h.server),
                                            to, f"events-{log}")
                LOG.info("%s %s: %d event(s) to %s", h.server, log, len(recs), path)
            else:
                self.cursors.reset(h.server, log, to)
        collected = spool.iso_utc(_utc(res.started))
        if res.data is not None and res.status == "ok":
            spool.spool_file(self.cfg.spool_dir, "reports", h.server, "report",
                             report.report_xml(h.server, h.site, collected, res.data))
        else:
            LOG.warning("%s: poll failed: %s: %s", h.server, res.status, res.error)
        spool.spool_file(self.cfg.spool_dir, "reports", h.server, "status",
                         report.status_xml(h.server, collected, res.status, res.error))

    def _timeouts(self, now):
        for server, (_token, deadline) in list(self.inflight.items()):
            if now >= deadline:
                host = next(h for h in self.cfg.hosts if h.server == server)
                del self.inflight[server]
                self.due[server] = now + host.interval
                self.publish(poller.Result(host=host, started=time.time() - host.timeout,
                                           status="unreachable",
                                           error=f"no answer within {host.timeout} s"))

    def _collect(self, wait):
        try:
            token, res = self.results.get(timeout=max(0.0, wait))
        except queue.Empty:
            return
        cur = self.inflight.get(res.host.server)
        if cur is None or cur[0] != token:
            LOG.info("%s: late result of an abandoned poll discarded", res.host.server)
            return
        del self.inflight[res.host.server]
        self.due[res.host.server] = time.monotonic() + res.host.interval
        self.publish(res)

    def run(self, once=False):
        once_left = {h.server for h in self.cfg.hosts} if once else None
        while not self.stop.is_set():
            now = time.monotonic()
            self._timeouts(now)
            self._dispatch(now, once_left)
            if once and not once_left and not self.inflight:
                return
            wake = [d for _t, d in self.inflight.values()]
            if not once:
                wake += [d for s, d in self.due.items() if s not in self.inflight]
            self._collect(min(1.0, min(wake) - now) if wake else 1.0)


def _utc(epoch):
    import datetime
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
