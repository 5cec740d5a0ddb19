"""`netplugin preflight check | listen` from the command line: what it refuses (exit 2, one clear
line), which items it measures for a plugin or a decision, and the report to the bot (a
stand-in for its HTTP endpoint on loopback). In process: the routes are a fixed table here."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.core.preflight import Report
from bot.preflight import routes

ROUTES = [
    {"dst": "10.0.0.0/24", "dev": "eth0"},
    {"dst": "10.32.5.0/24", "gateway": "10.0.0.9", "dev": "eth0"},
]


@pytest.fixture(autouse=True)
def fixed_routes(monkeypatch):
    table = routes.parse_ip_json(json.dumps(ROUTES))
    monkeypatch.setattr(routes, "host_routes", lambda timeout=5.0: (table, "ip"))


@pytest.fixture
def closed_port():
    """A UDP port on loopback that nothing listens on: probes to it are refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.fixture
def decision_log(cli, tmp_path):
    """A log with #1 (Flannel, edge nodes) and #2 (Terway Edge)."""
    db = str(tmp_path / "decisions.db")
    flannel = "location=edge-device nodes=12 dispersed=yes pod-cidr=10.32.0.0/16"
    flannel += " service-cidr=172.21.0.0/20"
    for text in (flannel, "location=idc nodes=20 pod-ip-access=yes bgp=yes"):
        done = cli("recommend", "--json", "--log", db, *text.split())
        assert done.exit_code == 0, done.output
    return db


def check(cli, *args: str):
    return cli("preflight", "check", "--timeout", "0.2", "--tries", "1", *args)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--peer", "10.0.0.300"), "'10.0.0.300' is not an IP address"),
        (("--peer", "0.0.0.0"), "0.0.0.0 is not one host's address"),
        (("--peer", "224.0.0.5"), "not one host's address"),
        (("--bgp-peer", "gateway"), "'gateway' is not an IP address"),
        (("--pod-cidr", "10.32.0.1/16"), "has host bits set: did you mean 10.32.0.0/16?"),
        (("--service-cidr", "services"), "'services' is not a CIDR"),
        (("--peer", "10.0.0.2", "--udp-port", "70000"), "70000"),
        (("--bgp-peer", "10.0.0.2", "--local-as", "0"), "0"),
        (("--router-id", "fd00::1", "--bgp-peer", "10.0.0.2"), "must be an IPv4 address"),
        (("--bgp-peer", "fd00::1"), "give --router-id, an IPv4 address"),
        ((), "Nothing to check"),
        (("--peer", "10.0.0.2", "--report", "http://bot"), "--report needs --decision ID and"),
        (("--peer", "10.0.0.2", "--token", "x" * 32), "--token goes with --report"),
        (
            ("--decision", "1", "--token", "x" * 32, "--report", "file:///etc/passwd"),
            "--report must be the bot's http:// or https:// URL",
        ),
        (tuple(a for i in range(33) for a in ("--peer", f"10.0.1.{i + 1}")), "33 peers given"),
    ],
)
def test_bad_input_is_refused_with_one_clear_line(cli, args, said):
    done = check(cli, *args)
    assert done.exit_code == 2, done.output
    assert said in done.output
    assert "Traceback" not in done.output


def test_a_decision_not_in_the_log_is_refused(cli, decision_log, tmp_path):
    done = check(cli, "--decision", "9", "--db", decision_log)
    assert done.exit_code == 2 and "No decision #9" in done.output
    done = check(cli, "--decision", "1", "--db", str(tmp_path / "missing.db"))
    assert done.exit_code == 2 and "missing.db" in done.output
    assert not (tmp_path / "missing.db").exists()  # read-only: nothing created


def test_another_plugin_than_the_decisions_is_refused(cli, decision_log):
    done = check(cli, "--decision", "2", "--db", decision_log, "--plugin", "flannel")
    assert done.exit_code == 2 and "recommends terway-edge" in done.output


def ids(done) -> list[tuple[str, str | None, str]]:
    return [(r["id"], r["peer"], r["status"]) for r in json.loads(done.stdout)["results"]]


def test_a_decision_gives_its_items_and_its_cidrs(cli, decision_log, closed_port):
    done = check(
        cli,
        "--decision",
        "1",
        "--db",
        decision_log,
        "--peer",
        "127.0.0.1",
        "--udp-port",
        closed_port,
        "--json",
    )
    assert done.exit_code == 1  # nothing answers on the port
    found = ids(done)
    assert [i for i, _, _ in found] == [
        "vxlan-port",
        "vxlan-mtu",
        "edge-ports",
        "edge-ports",
        "cidr-overlap",
    ]
    assert found[-1] == ("cidr-overlap", None, "unmet")  # 10.32.0.0/16 over 10.32.5.0/24
    assert json.loads(done.stdout)["plugin"] == "flannel"


def test_a_terway_edge_decision_asks_for_the_bgp_peer(cli, decision_log):
    done = check(cli, "--decision", "2", "--db", decision_log, "--json")
    found = ids(done)
    assert ("bgp-vswitch", None, "unknown") in found
    assert "vxlan-port" not in {i for i, _, _ in found}
    bgp = next(r for r in json.loads(done.stdout)["results"] if r["id"] == "bgp-vswitch")
    assert bgp["measured"] == "Not measured: give --bgp-peer."


def test_with_no_plugin_only_what_was_asked_for_is_measured(cli):
    done = check(cli, "--pod-cidr", "10.64.0.0/16", "--json")
    assert done.exit_code == 0
    assert ids(done) == [("cidr-overlap", None, "met")]


def test_the_terminal_card_names_each_item_and_peer(cli, closed_port):
    done = check(cli, "--peer", "127.0.0.1", "--udp-port", closed_port, "--plugin", "flannel")
    assert done.exit_code == 1
    out = done.stdout
    for words in ("UDP 8472 between nodes", "Path MTU for VXLAN", "127.0.0.1", "refused"):
        assert words in out, words


def test_the_listener_refuses_every_address_and_one_not_here(cli):
    done = cli("preflight", "listen", "--address", "0.0.0.0", "--seconds", "1")
    assert done.exit_code == 2 and "not one host's address" in done.output
    done = cli("preflight", "listen", "--address", "192.0.2.1", "--seconds", "1")
    assert done.exit_code == 1 and "192.0.2.1 is not an address of this host" in done.output


# --- the report ------------------------------------------------------------------------------


@contextmanager
def bot(status: int, answer: dict):
    """The bot's /preflight/report as a stand-in: records what it gets, answers `answer`."""
    received: list[tuple[str, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, json.loads(body)))
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


TOKEN = "a1b2c3d4" * 4


def test_a_report_goes_to_the_bot_with_the_token_and_a_fresh_nonce(cli, decision_log):
    with bot(200, {"ok": True, "reason": "posted in the decision's thread"}) as (url, received):
        for _ in range(2):
            done = check(
                cli,
                "--decision",
                "1",
                "--db",
                decision_log,
                "--report",
                url,
                "--token",
                TOKEN,
                "--by",
                "Ana",
                "--json",
            )
    assert done.exit_code == 1, done.output  # accepted, but the pod CIDR overlaps a route
    (path, first), (_, second) = received
    assert path == "/preflight/report"  # a URL with no path gets the bot's endpoint
    report = Report.model_validate(first)
    assert (report.decision, report.token, report.by) == (1, TOKEN, "Ana")
    assert report.host == socket.gethostname() and report.sent_at.utcoffset() is not None
    assert len(report.nonce) == 32 and first["nonce"] != second["nonce"]
    assert [r.id for r in report.results][-1] == "cidr-overlap"
    said = json.loads(done.stdout)["report"]
    assert said == {"accepted": True, "status": 200, "reason": "posted in the decision's thread"}


def test_the_checklists_command_runs_where_the_log_is_not(cli, tmp_path, monkeypatch):
    """The card's Checklist gives --decision with --plugin and the CIDRs: a node has no copy of
    the log, and none is read; the decision's id says which decision the report is for."""
    monkeypatch.chdir(tmp_path)
    with bot(200, {"ok": True, "message": "Recorded 1 result for decision #12."}) as (url, got):
        done = check(
            cli,
            "--decision",
            "12",
            "--plugin",
            "flannel",
            "--pod-cidr",
            "10.64.0.0/16",
            "--report",
            url,
            "--token",
            TOKEN,
        )
    assert done.exit_code == 0, done.output
    ((_, sent),) = got
    assert sent["decision"] == 12
    assert [(r["id"], r["status"]) for r in sent["results"]] == [
        ("vxlan-port", "unknown"),
        ("vxlan-mtu", "unknown"),
        ("edge-ports", "unknown"),
        ("edge-ports", "unknown"),
        ("cidr-overlap", "met"),
    ]
    assert "Reported to the bot: Recorded 1 result for decision #12." in done.stdout
    assert list(tmp_path.iterdir()) == []  # no log made


def test_a_refused_report_exits_1_with_the_bots_reason(cli, decision_log):
    with bot(403, {"ok": False, "reason": "this token is for another decision"}) as (url, _):
        done = check(
            cli,
            "--decision",
            "1",
            "--db",
            decision_log,
            "--token",
            TOKEN,
            "--report",
            url + "/preflight/report",
        )
    assert done.exit_code == 1
    assert "The bot refused the report (HTTP 403): this token is for another decision" in (
        done.stderr
    )


def test_an_unreachable_bot_is_a_refusal_saying_so(cli, decision_log):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = check(
        cli,
        "--decision",
        "1",
        "--db",
        decision_log,
        "--token",
        TOKEN,
        "--report",
        f"http://127.0.0.1:{port}/preflight/report",
    )
    assert done.exit_code == 1 and "refused" in done.stderr.lower()
