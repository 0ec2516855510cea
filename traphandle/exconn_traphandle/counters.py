"""STATE/counters: how many traps were accepted and why others were not.

One "name value" line per counter, updated under an exclusive flock on
STATE/counters.lock and replaced by rename, so concurrent handlers (snmptrapd
may run several) never lose a count and a reader never sees half a file."""
import fcntl
import os

NAMES = ("accepted", "unmapped", "notTranslator", "malformed", "failed")


def bump(state_dir, name):
    os.makedirs(state_dir, mode=0o750, exist_ok=True)
    lock = os.open(os.path.join(state_dir, "counters.lock"),
                   os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        counts = read(state_dir)
        counts[name] = counts.get(name, 0) + 1
        path = os.path.join(state_dir, "counters")
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o644)
        with os.fdopen(fd, "w") as f:
            for k in NAMES:
                f.write("%s %d\n" % (k, counts.get(k, 0)))
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    finally:
        os.close(lock)


def read(state_dir):
    counts = {}
    try:
        with open(os.path.join(state_dir, "counters")) as f:
            for line in f:
                k, _, v = line.partition(" ")
                if k in NAMES and v.strip().isdigit():
                    counts[k] = int(v)
    except FileNotFoundError:
        pass
    return counts
