"""Event-log cursors (host, log, last record number, that record's time as
the log's identity), persisted atomically in the state dir.

Publishing a batch of events is exactly-once across kills:
  1. the events file is staged as SPOOL/events/.NAME.tmp (ignored by the agent)
  2. the cursor records {pending: NAME, to: new position}
  3. the staged file is renamed to NAME (atomic)
  4. the cursor records the new position, nothing pending.
recover() finishes a batch interrupted between 2 and 4: a staged file still
there was not published (publish it now); a missing one was.
"""
import json
import os
import re

from . import spool


def _fname(server, log):
    return f"{server}.{re.sub(r'[^A-Za-z0-9_-]', '_', log)}.json"


class Cursors:
    def __init__(self, state_dir, spool_dir):
        self.dir = os.path.join(state_dir, "cursors")
        self.events_dir = os.path.join(spool_dir, "events")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)

    def _path(self, server, log):
        return os.path.join(self.dir, _fname(server, log))

    def get(self, server, log):
        """{'record': n, 'time': t} (or None before the first read), after
        finishing any interrupted publish."""
        st = self._load(server, log)
        if st.get("pending"):
            st = self._finish(server, log, st)
        return st.get("at")

    def _load(self, server, log):
        try:
            with open(self._path(server, log), encoding="utf-8") as f:
                st = json.load(f)
            return st if isinstance(st, dict) else {}
        except FileNotFoundError:
            return {}

    def _save(self, server, log, st):
        spool.write_atomic(self.dir, _fname(server, log),
                           json.dumps(st, sort_keys=True).encode(), mode=0o600)

    def _finish(self, server, log, st):
        name = st["pending"]
        if os.path.exists(os.path.join(self.events_dir, spool.tmp_name(name))):
            spool.publish(self.events_dir, name)
        st = {"at": st["to"]}
        self._save(server, log, st)
        return st

    def publish(self, server, log, data, to, kind):
        """Steps 1-4 for one batch; returns the published path."""
        name = spool.spool_name(server, kind)
        spool.stage(self.events_dir, name, data)
        self._save(server, log, {"at": self._load(server, log).get("at"),
                                 "pending": name, "to": to})
        path = spool.publish(self.events_dir, name)
        self._save(server, log, {"at": to})
        return path

    def reset(self, server, log, to):
        self._save(server, log, {"at": to})

    def peek(self, server, log):
        """The committed position, without touching anything (poll threads)."""
        return self._load(server, log).get("at")

    def recover_all(self, servers_logs):
        for server, log in servers_logs:
            self.get(server, log)
