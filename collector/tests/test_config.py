"""collect.xml parsing and --check-config (issue 10 acceptance)."""
import os

import pytest

from exconn_collect import config, credentials
from exconn_collect.main import main


def write(tmp_path, body, name="collect.xml"):
    p = tmp_path / name
    p.write_text(body)
    return str(p)


def cred(tmp_path, mode=0o600, name="cred"):
    p = tmp_path / name
    p.write_text("username = exadmin\npassword = S3cret-Pw!\ndomain = CORP\n")
    os.chmod(p, mode)
    return str(p)


def test_full_config(tmp_path):
    c = cred(tmp_path)
    p = write(tmp_path, f"""<collect>
  <spool dir="/var/spool/exconn"/>
  <state dir="/var/lib/exconn/collect"/>
  <poll concurrency="8" interval="30" timeout="5"/>
  <host server="exch01" address="10.0.0.5" site="HQ" credentials="{c}" os="nt4" auth="ntlmv1"/>
  <host server="EXCH02" address="10.0.0.6" port="1445" credentials="{c}" interval="120"
        scmrPort="4711" eventLogs="Application" perf="false"/>
</collect>""")
    cfg = config.load(p)
    assert cfg.concurrency == 8
    a, b = cfg.hosts
    assert (a.server, a.interval, a.timeout, a.os, a.auth, a.line) == ("EXCH01", 30, 5, "nt4", "ntlmv1", 5)
    assert (b.port, b.interval, b.scmr_port, b.logs, b.perf, b.auth) == \
        (1445, 120, 4711, ("Application",), False, "ntlmv2")


@pytest.mark.parametrize("body,msg", [
    ('<collect>\n  <hosts/>\n</collect>', ":2: unknown element <hosts>"),
    ('<collect>\n\n  <host server="E" address="a" credentials="/c" port="70000"/>\n</collect>',
     ":3: <host> port=\"70000\""),
    ('<collect>\n  <host server="E" address="a" credentials="/c" auth="ntlmv1"/>\n</collect>',
     ":2: <host> auth=\"ntlmv1\" is allowed only with os=\"nt4\""),
    ('<collect>\n  <host server="E" address="a"/>\n</collect>', ":2: <host> needs a credentials"),
    ('<collect>\n  <host server="E" address="a" credentials="/c" colour="red"/>\n</collect>',
     ":2: <host> has no attribute colour"),
    ('<collect>\n  <host server="bad name" address="a" credentials="/c"/>\n</collect>',
     ":2: <host> server=\"bad name\""),
    ('<collect>\n <host server="E" address="a" credentials="/c"/>\n'
     ' <host server="e" address="b" credentials="/c"/>\n</collect>', ":3: server E already defined at line 2"),
    ('<collect>\n  <spool dir="relative"/>\n</collect>', ":2: <spool> dir=\"relative\""),
    ('<!DOCTYPE x [<!ENTITY a "b">]>\n<collect/>', ":1: a DOCTYPE is not allowed"),
    ('<collect>\n  <spool dir="/x">\n</collect>', ":3: not well-formed"),
    ('<exconn/>', ":1: the root element must be <collect>"),
])
def test_config_errors_name_file_and_line(tmp_path, body, msg):
    p = write(tmp_path, body)
    with pytest.raises(config.ConfigError) as e:
        config.load(p)
    assert str(e.value).startswith(p + msg), str(e.value)


def test_check_config_catches_world_readable_credentials(tmp_path, capsys):
    good, bad = cred(tmp_path), cred(tmp_path, 0o644, "bad")
    p = write(tmp_path, f"""<collect>
  <host server="A" address="127.0.0.1" credentials="{good}"/>
  <host server="B" address="127.0.0.1" credentials="{bad}"/>
</collect>""")
    assert main(["-c", p, "--check-config"]) == 1
    out = capsys.readouterr().out
    assert f"{p}:3: <host server=\"B\"> credentials: {bad}: mode 0644 is too open" in out
    assert "A\"" not in out
    assert "S3cret-Pw!" not in out
    os.chmod(bad, 0o400)
    assert main(["-c", p, "--check-config"]) == 0


def test_check_config_bad_host_entry(tmp_path, capsys):
    p = write(tmp_path, '<collect>\n  <host server="A" address="x" credentials="/c" timeout="0"/>\n</collect>')
    assert main(["-c", p, "--check-config"]) == 1
    assert f"{p}:2: <host> timeout=\"0\"" in capsys.readouterr().err


# ------------------------------------------------------------------ credentials
def test_credentials_modes_and_owner(tmp_path):
    assert credentials.load(cred(tmp_path)).username == "exadmin"
    assert credentials.load(cred(tmp_path, 0o400, "ro")).password == "S3cret-Pw!"
    for mode in (0o640, 0o604, 0o660):
        with pytest.raises(credentials.CredentialsError, match="too open"):
            credentials.load(cred(tmp_path, mode, f"m{mode:o}"))
    other = cred(tmp_path, 0o600, "other")
    if os.geteuid() == 0:
        os.chown(other, 12345, -1)
        with pytest.raises(credentials.CredentialsError, match="owned by uid 12345"):
            credentials.load(other)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "cred")
    with pytest.raises(credentials.CredentialsError):
        credentials.load(str(link))


def test_password_never_shown(tmp_path):
    c = credentials.load(cred(tmp_path))
    assert "S3cret-Pw!" not in repr(c) and "S3cret-Pw!" not in str(c) and "hidden" in repr(c)
    p = tmp_path / "badline"
    p.write_text("username = u\nS3cret-Pw!\n")
    os.chmod(p, 0o600)
    with pytest.raises(credentials.CredentialsError) as e:
        credentials.load(str(p))
    assert "S3cret-Pw!" not in str(e.value) and ":2:" in str(e.value)
