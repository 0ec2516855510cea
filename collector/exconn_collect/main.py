"""exconn-collect command line."""
import argparse
import logging
import signal
import sys

from . import VERSION, config, credentials
from .scheduler import Scheduler

DEFAULT_CONFIG = "/etc/exconn/collect.xml"
LOG = logging.getLogger("exconn-collect")


def check(cfg):
    """Problems beyond the XML itself: each host's credentials file."""
    errors = []
    for h in cfg.hosts:
        try:
            credentials.load(h.credentials)
        except credentials.CredentialsError as e:
            errors.append(f"{cfg.path}:{h.line}: <host server=\"{h.server}\"> credentials: {e}")
    return errors


def main(argv=None, default_config=DEFAULT_CONFIG):
    ap = argparse.ArgumentParser(prog="exconn-collect",
                                 description="Poll legacy Exchange hosts over SMB/MS-RPC "
                                             "into the exconn spool.")
    ap.add_argument("-c", "--config", default=default_config)
    ap.add_argument("--once", action="store_true", help="one cycle over every host, then exit")
    ap.add_argument("--check-config", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--version", action="version", version=f"exconn-collect {VERSION}")
    args = ap.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s exconn-collect[%(process)d]: %(levelname)s %(message)s")
    for noisy in ("impacket",):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    try:
        cfg = config.load(args.config)
    except config.ConfigError as e:
        print(f"exconn-collect: {e}", file=sys.stderr)
        return 1
    problems = check(cfg)
    if args.check_config:
        for p in problems:
            print(p)
        if not problems:
            print(f"{cfg.path}: ok, {len(cfg.hosts)} host(s)")
        return 1 if problems else 0
    for p in problems:
        LOG.error("%s", p)
    sched = Scheduler(cfg)

    def stop(_sig, _frm):
        sched.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    LOG.info("polling %d host(s)%s", len(cfg.hosts), " once" if args.once else "")
    sched.run(once=args.once)
    return 0
