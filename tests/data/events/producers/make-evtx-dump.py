#!/usr/bin/python3
"""Write evtx_dump-0.6.1.xml the way Debian's python3-evtx (0.6.1) prints it.

Building a binary .evtx by hand is a lot of code for one test file, so this
drives python-evtx's own renderer (Evtx.Views.render_root_node_with_subs,
the function evtx_dump.py uses through Record.xml()) with stand-in nodes:
the element tree of a System-log record whose values are substitutions, as
in a real log's template.  The output framing is evtx_dump.py's: XML_HEADER,
"<Events>", one record per print(), "</Events>".  FILETIME and string values
go through python-evtx's own FiletimeTypeNode / NullTypeNode / parse_filetime.

Run: /usr/bin/python3 make-evtx-dump.py > evtx_dump-0.6.1.xml
"""
import Evtx.BinaryParser as bp
import Evtx.Nodes as n
import Evtx.Views as v


def mk(cls, **methods):
    """An instance of a python-evtx node class, methods given as values."""
    sub = type(cls.__name__ + "Stub", (cls,), {
        k: (lambda val: (lambda self: val))(val) for k, val in methods.items()})
    return object.__new__(sub)


class Str:
    def __init__(self, s):
        self.s = s

    def string(self):
        return self.s


def attr(name, sub_index):
    return mk(n.AttributeNode, attribute_name=Str(name),
              attribute_value=mk(n.NormalSubstitutionNode, index=sub_index))


def elem(tag, *children):
    return mk(n.OpenStartElementNode, tag_name=tag, children=list(children))


def subst(i):
    return mk(n.NormalSubstitutionNode, index=i)


def text(s):
    return mk(n.ValueNode, children=[Str(s)])


def filetime(unix_seconds, micro):
    qword = (unix_seconds + 11644473600) * 10000000 + micro * 10
    return mk(n.FiletimeTypeNode, filetime=bp.parse_filetime(qword))


NULL = mk(n.NullTypeNode)


def record(provider, qualifiers, eid, level, when, rec_id, computer, data):
    subs = [Str(provider), qualifiers, Str(str(eid)), Str(str(level)), when,
            Str(str(rec_id)), Str(computer)] + [Str(d) for d in data]
    system = elem("System",
                  elem("Provider", attr("Name", 0)),
                  elem("EventID", attr("Qualifiers", 1), subst(2)),
                  elem("Version", text("0")),
                  elem("Level", subst(3)),
                  elem("Task", text("0")),
                  elem("Opcode", text("0")),
                  elem("Keywords", text("0x80000000000000")),
                  elem("TimeCreated", attr("SystemTime", 4)),
                  elem("EventRecordID", subst(5)),
                  elem("Correlation", attr("ActivityID", 99), attr("RelatedActivityID", 99)),
                  elem("Execution", attr("ProcessID", 99), attr("ThreadID", 99)),
                  elem("Channel", text("System")),
                  elem("Computer", subst(6)),
                  elem("Security", attr("UserID", 99)))
    ed = elem("EventData", *[elem("Data", subst(7 + i)) for i in range(len(data))])
    event = elem("Event", system, ed)
    root = mk(n.RootNode, template=mk(n.TemplateNode, children=[event]))
    subs += [NULL] * (100 - len(subs))
    subs[99] = NULL
    return v.render_root_node_with_subs(root, subs)


# The Event element carries its xmlns as an attribute in real logs.
def fix_ns(xml):
    return xml.replace("<Event>", '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">', 1)


RECORDS = [
    # SCM 7024: MS Mail Connector stopped, service-specific error 3
    ("Service Control Manager", mk(n.NullTypeNode), 7024, 2,
     filetime(1795255205, 354563), 4711, "EXCH01.corp.example",
     ["Microsoft Exchange MS Mail Connector Interchange", "3"]),
    # SCM 7036 with whole seconds (isoformat drops the fraction)
    ("Service Control Manager", mk(n.NullTypeNode), 7036, 4,
     filetime(1795255265, 0), 4712, "EXCH01", ["Microsoft Exchange MS Mail Connector Interchange", "running"]),
]

if __name__ == "__main__":
    print(v.XML_HEADER)
    print("<Events>")
    for r in RECORDS:
        print(fix_ns(record(*r)))
    print("</Events>")
