"""exconn-traphandle [-c CONFIG]: one trap on stdin -> one event file.

Exit status: 0 written, 1 not written (unmapped or not a translator trap;
logged and counted), 2 configuration or I/O error (logged and counted when
the state directory is known)."""
import argparse
import datetime
import sys
import syslog

from . import config as cfg
from . import counters, eventxml, translator
from . import snmptrapd as st

MAX_INPUT = 1 << 20


def log(msg, prio=syslog.LOG_WARNING):
    """syslog (daemon facility), and stderr for anything not written."""
    syslog.openlog("exconn-traphandle", syslog.LOG_PID, syslog.LOG_DAEMON)
    syslog.syslog(prio, msg)
    if prio != syslog.LOG_INFO:
        print("exconn-traphandle: " + msg, file=sys.stderr)


def handle(text, conf, now):
    """(counter name, message, written path or None)."""
    try:
        host, address, varbinds = st.parse(text)
        ev = translator.translate(varbinds)
    except translator.NotTranslatorTrap as e:
        return "notTranslator", "ignored: %s" % e, None
    except (st.TrapFormatError, translator.BadTranslatorTrap, ValueError) as e:
        return "malformed", "rejected: %s" % e, None
    agent = ev["agent_address"] or st.transport_ip(address)
    server = conf.server_for(agent, host)
    if server is None:
        return ("unmapped", "rejected: event %d from %s: agent address %s (%s) maps to no "
                "server; add <host address=... server=...> to the config"
                % (ev["id"], ev["provider"], agent, host), None)
    path = eventxml.publish(conf.spool, server, now, eventxml.render(ev, server, now))
    return "accepted", "event %d from %s on %s -> %s" % (ev["id"], ev["provider"], server,
                                                         path), path


def main(argv=None):
    ap = argparse.ArgumentParser(prog="exconn-traphandle",
                                 description="snmptrapd traphandle: Event-to-Trap "
                                 "Translator traps to exconn event files")
    ap.add_argument("-c", "--config", default=cfg.DEFAULT_PATH)
    args = ap.parse_args(argv)
    now = datetime.datetime.now(datetime.timezone.utc)   # the receive time
    text = sys.stdin.buffer.read(MAX_INPUT + 1).decode("utf-8", errors="replace")
    try:
        conf = cfg.load(args.config)
    except (OSError, cfg.ConfigError) as e:
        log("config: %s" % e, syslog.LOG_ERR)
        return 2
    if len(text) > MAX_INPUT:
        name, msg, path = "malformed", "rejected: input longer than %d octets" % MAX_INPUT, None
    else:
        try:
            name, msg, path = handle(text, conf, now)
        except OSError as e:
            name, msg, path = "failed", "cannot write the event file: %s" % e, None
    try:
        counters.bump(conf.state, name)
    except OSError as e:
        log("cannot update counters in %s: %s" % (conf.state, e), syslog.LOG_ERR)
    if path is None:
        log(msg, syslog.LOG_ERR if name == "failed" else syslog.LOG_WARNING)
        return 2 if name == "failed" else 1
    log(msg, syslog.LOG_INFO)
    return 0
