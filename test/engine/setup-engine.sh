#!/usr/bin/env bash
# FOR TESTS ONLY: prepares a local Docker Engine for the engine tests on a machine that reaches
# Debian's apt mirror but no image registry and no PyPI (see docs/testing.md).
#   1. installs Debian's docker.io, debootstrap, shellcheck, docker-compose and iptables if missing;
#   2. starts /usr/sbin/dockerd in the background (log: /var/log/cpd-dockerd.log) unless an
#      engine already answers, and waits for it;
#   3. makes the local base images the tests pass as BASE_IMAGE, if missing:
#        cpd-test/debian:bookworm  debootstrap --variant=minbase, imported with `docker import`
#        cpd-test/python:bookworm  the above plus Debian's python3, python3-venv, python3-pip
#      They are never tagged with an official name (python:..., debian:...).
# Needs root. Idempotent: when everything is there it only checks, in a few seconds.
set -euo pipefail

DEBIAN_IMAGE=cpd-test/debian:bookworm
PYTHON_IMAGE=cpd-test/python:bookworm
DOCKERD_LOG=/var/log/cpd-dockerd.log
SOCKET=/var/run/docker.sock
START_TIMEOUT=60

say() { echo "setup-engine: $*"; }
die() { echo "setup-engine: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages and starts dockerd)"

# 1. Debian packages
PACKAGES=(docker.io debootstrap shellcheck docker-compose iptables)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
else
  say "packages present"
fi

# Debian's CLI speaks the engine's API (1.41); a newer CLI elsewhere on PATH may not.
DOCKER=docker
for cli in /usr/bin/docker docker; do
  if command -v "$cli" >/dev/null; then DOCKER=$cli; break; fi
done
engine_up() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# 2. the engine
if engine_up; then
  say "engine answers ($("$DOCKER" version --format '{{.Server.Version}}'))"
else
  say "starting dockerd (log: $DOCKERD_LOG)"
  # setsid + redirections: dockerd outlives this script and holds none of its pipes.
  setsid /usr/sbin/dockerd </dev/null >>"$DOCKERD_LOG" 2>&1 &
  pid=$!
  for ((i = 0; i < START_TIMEOUT; i++)); do
    if [ -S "$SOCKET" ] && engine_up; then break; fi
    kill -0 "$pid" 2>/dev/null || break # dockerd exited: no point waiting
    sleep 1
  done
  if ! engine_up; then
    echo "setup-engine: error: dockerd did not answer on $SOCKET within ${START_TIMEOUT}s (or exited); last lines of $DOCKERD_LOG:" >&2
    tail -n 20 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  say "engine answers ($("$DOCKER" version --format '{{.Server.Version}}'))"
fi

has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# 3a. Debian base image
if has_image "$DEBIAN_IMAGE"; then
  say "$DEBIAN_IMAGE present"
else
  say "creating $DEBIAN_IMAGE with debootstrap (a few minutes)"
  rootfs=$(mktemp -d /tmp/cpd-debootstrap.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" >/tmp/cpd-debootstrap.log 2>&1 \
    || { tail -n 20 /tmp/cpd-debootstrap.log >&2; die "debootstrap failed (log: /tmp/cpd-debootstrap.log)"; }
  tar -C "$rootfs" -c . | "$DOCKER" import -c 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  say "$DEBIAN_IMAGE created"
fi

# 3b. Python stand-in for the official python:*-slim images (classic builder, no BuildKit needed)
if has_image "$PYTHON_IMAGE"; then
  say "$PYTHON_IMAGE present"
else
  say "building $PYTHON_IMAGE from $DEBIAN_IMAGE (Debian's python3)"
  DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$PYTHON_IMAGE" - >/dev/null <<EOF
FROM $DEBIAN_IMAGE
LABEL org.opencontainers.image.description="create-pio-docker TEST STAND-IN for python:*-slim (Debian's python3), tests only"
ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
CMD ["python3"]
EOF
  say "$PYTHON_IMAGE built"
fi
say "ready"
