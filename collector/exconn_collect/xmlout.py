"""Tiny XML writing helpers (attribute quoting, XML 1.0 character filtering)."""
import re
from xml.sax.saxutils import quoteattr, escape

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(s):
    return _BAD.sub("\ufffd", str(s))


def attrs(pairs):
    """' k="v"' for each (k, v) whose v is not None, in order."""
    return "".join(f" {k}={quoteattr(clean(v))}" for k, v in pairs if v is not None)


def text(s):
    return escape(clean(s))
