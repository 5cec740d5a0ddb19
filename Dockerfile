# NetPlugin Advisor: the Slack bot in one small image.
#
#   docker build -t netplugin-advisor:0.1.0 .
#   docker run --read-only --tmpfs /tmp -v netplugin-data:/data --env-file slack.env \
#     netplugin-advisor:0.1.0 serve --mode socket
#
# The Python minor version must match the one constraints.txt was resolved for (its first
# line); tests/test_deploy.py checks that. Pin the digest too (python:3.11.13-slim-bookworm@sha256:…)
# if your registry policy asks for it.
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# ---- builder: build the wheel, install it and its pinned dependencies into a venv ----------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
COPY constraints.txt ./
# The build backend, pinned like everything else, in a throwaway venv of its own.
RUN python -m venv /opt/build \
 && /opt/build/bin/pip install -c constraints.txt hatchling

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY templates ./templates
COPY deploy/slack ./deploy/slack
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install -c constraints.txt /wheels/*.whl \
 && /opt/venv/bin/netplugin --version

# ---- runtime: the venv, a non-root user, nothing writable but /data and /tmp ----------------
FROM ${PYTHON_IMAGE}

# Numeric ids so that Kubernetes' runAsNonRoot can verify the user without reading /etc/passwd.
RUN groupadd --system --gid 10001 netplugin \
 && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
      --shell /usr/sbin/nologin netplugin \
 && install -d -o 10001 -g 10001 -m 0750 /data

COPY --from=builder /opt/venv /opt/venv

# The root filesystem may be read-only (Kubernetes readOnlyRootFilesystem, docker --read-only):
# no .pyc files at run time (pip compiled them at install), HOME and caches under /tmp, SQLite's
# temporary files in /tmp, the database on the /data volume.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    TMPDIR=/tmp \
    SQLITE_TMPDIR=/tmp \
    NETPLUGIN_DB=/data/netplugin.db

VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 3000

# For docker and podman: GET /healthz on the port the mode serves it on, PORT (HTTP mode, the
# playground's page; 3000) or NETPLUGIN_HEALTH_PORT (Socket Mode; 8080), past any proxy the
# environment names. Kubernetes ignores it and uses the Deployment's probes. podman keeps it
# only in the docker image format (podman build --format docker).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request as u\nget = u.build_opener(u.ProxyHandler({})).open\ndef up(port):\n    try:\n        return get(f'http://127.0.0.1:{port}/healthz', timeout=3).status == 200\n    except OSError:\n        return False\nports = os.environ.get('PORT', '3000'), os.environ.get('NETPLUGIN_HEALTH_PORT', '8080')\nsys.exit(0 if any(map(up, ports)) else 1)"]
ENTRYPOINT ["netplugin"]
CMD ["serve"]
