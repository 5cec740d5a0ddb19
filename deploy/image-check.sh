#!/usr/bin/env bash
# The container image, built and run: .ci/run calls this after the tests (issue 14).
#
#   bash deploy/image-check.sh            # from anywhere; as root (it installs what it lacks)
#
# 1. podman, runc and mmdebstrap from Debian when missing.
# 2. podman of its own: storage under $NETPLUGIN_IMAGE_CHECK_DIR (default
#    /var/tmp/netplugin-image-check, kept between runs, so a rerun is cached), a containers.conf
#    of its own (CONTAINERS_CONF; nothing in /etc is changed).
# 3. The Dockerfile's base (ARG PYTHON_IMAGE): pulled when a registry serves it; when none does
#    (no Docker Hub here), a stand-in built with mmdebstrap (Debian bookworm's python3.11),
#    tagged with the same name so that the Dockerfile resolves it without a pull. When the host
#    trusts CA certificates of its own (/usr/local/share/ca-certificates: a proxy in front of
#    the package registries), a CI-only layer adds them and sets PIP_CERT. Such an image exists
#    only in this storage and must never be pushed (docs/deploy.md, "The image in CI").
# 4. The Dockerfile built as it is (`podman build --pull=never --network host`), then
#    deploy/image_smoke.py runs the container: --help, uid 10001 on a read-only root, the
#    playground through a port mapping, HTTP mode and Socket Mode against the fake Slack, the
#    HEALTHCHECK, SIGTERM → exit 0 within 5 s in every mode, the decision log on /data
#    surviving a restart.
#
# Prints the build time and the image size; exits non-zero, saying what failed, on any failure.
# NETPLUGIN_IMAGE_CHECK_REBASE=1 rebuilds the base even when the one in storage is recent.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

say() { printf 'image-check: %s\n' "$*"; }
fail() {
  printf 'image-check: FAILED: %s\n' "$*" >&2
  exit 1
}

STATE=${NETPLUGIN_IMAGE_CHECK_DIR:-/var/tmp/netplugin-image-check}
# podman's run-time state, gone after a reboot: one directory per storage directory.
RUN_STATE=/run/netplugin-image-check/$(printf '%s' "$STATE" | md5sum | cut -c1-12)
IMAGE=localhost/netplugin-advisor:ci-check
MAX_BASE_AGE_DAYS=7   # then the base is pulled or made again (security updates)
PYTHON=${PYTHON:-python}

[ "$(id -u)" = 0 ] || fail "run as root: it installs packages and runs podman as root"

# --- 1. tools ------------------------------------------------------------------------------
# podman brings conmon and CNI's plugins (with iptables, for the port mapping); runc because
# crun refuses this kind of VM's hybrid cgroups. No buildah (podman build has it inside), no
# uidmap or catatonit (root, no --init).
need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || need+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
"$PYTHON" -c 'import bot.fakeslack, websockets' 2>/dev/null ||
  fail "$PYTHON cannot import the project and websockets: activate a venv with .[test] installed"

# --- 2. podman's configuration ---------------------------------------------------------------
mkdir -p "$STATE" "$RUN_STATE"
# One run at a time on this storage: a second waits (its cleanup would remove our containers).
exec 9>"$STATE/lock"
flock -w 900 9 || fail "another image check has held $STATE/lock for 15 minutes"
# Containers get the host's hard limits: without CAP_SYS_RESOURCE (none here) runc cannot raise
# a limit, and podman's own defaults (nofile 1048576, nproc 1048576) are above them. podman
# lowers its own nproc to 32768 when it starts, so that is the most a container can have.
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
cat >"$STATE/containers.conf" <<EOF
# Written by deploy/image-check.sh at each run.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
# The bot must reach the fake Slack on 127.0.0.1 directly, never through a proxy of the host.
http_proxy = false

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
# static_dir and volume_path keep their defaults (under graphroot): conmon's exit command does
# not read this file, and a static_dir it does not know makes every container's exit wait 20 s.
tmp_dir = "$RUN_STATE/libpod"
EOF
cat >"$STATE/storage.conf" <<EOF
# Written by deploy/image-check.sh at each run.
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$RUN_STATE/storage"
EOF
export CONTAINERS_CONF="$STATE/containers.conf"
export CONTAINERS_STORAGE_CONF="$STATE/storage.conf"
podman info --format '{{.Store.GraphDriverName}} {{.Host.OCIRuntime.Name}}' >/dev/null ||
  fail "podman does not start with $CONTAINERS_CONF"

# Containers and volumes a killed earlier run left behind.
podman ps -aq --filter label=netplugin-image-check | xargs -r podman rm -f -v -t 0 >/dev/null
podman volume prune -f --filter label=netplugin-image-check >/dev/null

# --- 3. the base image ---------------------------------------------------------------------
BASE=$(sed -n 's/^ARG PYTHON_IMAGE=//p' Dockerfile)
[ -n "$BASE" ] || fail "no ARG PYTHON_IMAGE=… in the Dockerfile"
case "$BASE" in */*) ;; *) BASE="docker.io/library/$BASE" ;; esac
base_suite=bookworm
case "$BASE" in *-slim-bookworm | *-slim-bookworm@*) ;; *)
  fail "the stand-in is Debian bookworm's python3.11: teach this script the base $BASE" ;;
esac

base_is_fresh() {
  local made
  podman image exists "$BASE" || return 1
  [ "${NETPLUGIN_IMAGE_CHECK_REBASE:-0}" = 1 ] && return 1
  made=$(cat "$STATE/base-made" 2>/dev/null) || return 1
  [ $(($(date +%s) - made)) -lt $((MAX_BASE_AGE_DAYS * 86400)) ]
}

make_standin() {
  # python:*-slim-bookworm is Debian bookworm with CPython built into /usr/local; the stand-in
  # has Debian's python3.11 in /usr/bin (3.11.x: the minor version constraints.txt was resolved
  # for, which is what the Dockerfile needs), venv and pip, the CA bundle and tzdata.
  local mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
  local security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
  local tar="$STATE/standin.tar"
  say "building a stand-in for $BASE with mmdebstrap (Debian $base_suite)"
  mmdebstrap --quiet --variant=minbase \
    --include=python3.11,python3.11-venv,python-is-python3,ca-certificates,netbase,tzdata \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --aptopt='Acquire::Retries "3"' \
    "$base_suite" "$tar" \
    "deb $mirror $base_suite main" \
    "deb $mirror $base_suite-updates main" \
    "deb $security $base_suite-security main" ||
    fail "mmdebstrap could not make the stand-in base (is Debian's mirror reachable?)"
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    --change "LABEL org.netplugin.image-check.base=stand-in for $BASE" \
    --change 'LABEL org.netplugin.image-check.ci-only="a stand-in base: never push"' \
    "$tar" "$BASE" >/dev/null
  rm -f "$tar"
}

add_host_cas() {
  # The host's own CA certificates, when it has any, so that pip in the build trusts the proxy
  # the host reaches the package registries through. CI-only: never push what is built on it.
  local certs=/usr/local/share/ca-certificates ctx
  find "$certs" -name '*.crt' 2>/dev/null | grep -q . || return 0
  ctx=$(mktemp -d)
  cp -r "$certs" "$ctx/certs"
  say "adding the host's CA certificates to the base (CI only: never push this image)"
  podman build --quiet --pull=never --network host -t "$BASE" -f - "$ctx" >/dev/null <<EOF
FROM $BASE
COPY certs/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null 2>&1
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
LABEL org.netplugin.image-check.ci-only="the host's CA certificates are inside: never push"
EOF
  rm -rf "$ctx"
}

base_started=$SECONDS
if base_is_fresh; then
  say "base $BASE: the one in $STATE ($(podman image inspect --format \
    '{{index .Labels "org.netplugin.image-check.base"}}' "$BASE" | sed 's/^$/pulled/'))"
else
  if timeout 60 podman pull --quiet "$BASE" >/dev/null 2>&1; then
    say "base $BASE: pulled"
  else
    say "base $BASE: no registry serves it here"
    make_standin
  fi
  add_host_cas
  date +%s >"$STATE/base-made"
  say "base ready in $((SECONDS - base_started)) s"
fi

# --- 4. the image, and the container smoke-tested ------------------------------------------
# --format docker: the OCI image format has no HEALTHCHECK (podman drops it with a warning).
# The builder stage is built and tagged first: untagged, the prune below would take it, and
# with it the cache of its pip install.
say "building $IMAGE from the Dockerfile"
build_started=$SECONDS
build() {
  podman build --pull=never --network host --format docker --layers "$@" . \
    >>"$STATE/build.log" 2>&1 || {
    tail -n 40 "$STATE/build.log" >&2
    fail "podman build (the whole log: $STATE/build.log)"
  }
}
: >"$STATE/build.log"
build --target builder -t "$IMAGE-builder"
build -t "$IMAGE"
build_seconds=$((SECONDS - build_started))
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "built in ${build_seconds} s; image size $((size / 1000000)) MB ($size bytes)"
podman image prune -f >/dev/null   # what earlier builds left untagged

"$PYTHON" deploy/image_smoke.py --image "$IMAGE" || fail "the container's smoke tests (above)"
say "passed in $((SECONDS - started)) s (build ${build_seconds} s, image $((size / 1000000)) MB)"
