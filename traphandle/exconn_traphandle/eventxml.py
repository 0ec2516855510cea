"""Write one event as Windows Event XML into SPOOL/events, the way every
producer must (SPEC §3, contract A): a dot-name written with O_EXCL |
O_NOFOLLOW, fsync'ed, renamed to <UTC time>-<SERVER>-events-trap.xml."""
import datetime
import os
from xml.sax.saxutils import escape, quoteattr

NS = "http://schemas.microsoft.com/win/2004/08/events/event"


def _clean(s):
    # characters XML 1.0 cannot carry are dropped (the agent would reject them)
    return "".join(c for c in s if c in "\t\n\r" or ord(c) >= 0x20 and c not in "\ufffe\uffff")


def render(ev, server, when):
    """The Event XML document (str) of one translated trap."""
    t = when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<Event xmlns="%s">' % NS,
             "  <System>",
             "    <Provider Name=%s/>" % quoteattr(_clean(ev["provider"])),
             '    <EventID Qualifiers="%d">%d</EventID>' % (ev["qualifiers"], ev["id"]),
             "    <Level>%d</Level>" % ev["level"],
             '    <TimeCreated SystemTime="%s"/>' % t,
             "    <Computer>%s</Computer>" % escape(server),
             "  </System>"]
    if ev["data"]:
        lines.append("  <EventData>")
        lines += ["    <Data>%s</Data>" % escape(_clean(d)) for d in ev["data"]]
        lines.append("  </EventData>")
    if ev["message"]:
        lines += ["  <RenderingInfo Culture=\"en-US\">",
                  "    <Message>%s</Message>" % escape(_clean(ev["message"])),
                  "  </RenderingInfo>"]
    lines.append("</Event>")
    return "\n".join(lines) + "\n"


def publish(spool, server, when, text):
    """Write text to SPOOL/events under a dot-name, then rename it into
    place.  Returns the final path."""
    d = os.path.join(spool, "events")
    stamp = when.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    base = "%s-%s-events-trap" % (stamp, server)
    data = text.encode("utf-8")
    for n in range(100):
        name = base + ("" if n == 0 else "-%d" % n) + ".xml"
        final, tmp = os.path.join(d, name), os.path.join(d, "." + name + ".tmp")
        if os.path.lexists(final):
            continue
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW |
                         os.O_CLOEXEC, 0o644)
        except FileExistsError:
            continue
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        os.close(fd)
        if os.path.lexists(final):   # another handler took the name meanwhile
            os.unlink(tmp)
            continue
        os.rename(tmp, final)
        dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        return final
    raise OSError("no free file name for %s in %s" % (base, d))
