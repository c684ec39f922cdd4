#!/usr/bin/env bash
# FOR TESTS ONLY: prepares a local Docker Engine for the engine tests on a machine that reaches
# Debian's apt mirror but no image registry and no PyPI (see docs/testing.md).
#   1. installs Debian's docker.io, debootstrap, shellcheck, docker-compose, iptables and docker-registry (a real
#      registry on 127.0.0.1 for test/registry.test.ts) if missing,
#      and the compose v2 and buildx CLI plugins from Debian trixie's packages (`docker compose`,
#      `docker buildx`; see step 1b) unless both docker CLIs already have them;
#   2. starts /usr/sbin/dockerd in the background (log: /var/log/cpd-dockerd.log) unless an
#      engine already answers, and waits for it;
#   3. makes the local base images the tests pass as BASE_IMAGE, if missing:
#        cpd-test/debian:bookworm  debootstrap --variant=minbase, imported with `docker import`
#        cpd-test/python:bookworm  the above plus Debian's python3, python3-venv, python3-pip
#        cpd-test/golang:bookworm  the above plus Debian's golang-go and dpkg-dev (go-deb preset)
#      They are never tagged with an official name (python:..., debian:...).
# Needs root. Idempotent: when everything is there it only checks, in a few seconds.
set -euo pipefail

DEBIAN_IMAGE=cpd-test/debian:bookworm
PYTHON_IMAGE=cpd-test/python:bookworm
GOLANG_IMAGE=cpd-test/golang:bookworm
DOCKERD_LOG=/var/log/cpd-dockerd.log
SOCKET=/var/run/docker.sock
START_TIMEOUT=60

say() { echo "setup-engine: $*"; }
die() { echo "setup-engine: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages and starts dockerd)"

# 1. Debian packages
# python3-*-whl: Debian's setuptools and wheel as wheels, served by the python-wheels tests' local
# index as build dependencies (PyPI is not reachable).
PACKAGES=(docker.io debootstrap shellcheck docker-compose iptables docker-registry python3-setuptools-whl python3-wheel-whl)
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

# 1b. Compose v2 and buildx CLI plugins (the generated docs use `docker compose`). bookworm has
#     only compose 1.29, so take Debian's next release's (trixie) docker-compose and docker-buildx
#     packages without switching the system to trixie: a temporary sources list with the mirror
#     this machine already uses, apt lists and cache in a temp folder, `apt-get download`,
#     `dpkg -x`, and the two plugin binaries copied to $PLUGIN_DIR, where both the Debian CLI
#     (/usr/bin/docker) and a newer one on PATH look for plugins.
PLUGIN_DIR=/usr/libexec/docker/cli-plugins
PLUGIN_SUITE=trixie
# The docker CLIs that must see the plugins: the one on PATH and Debian's.
docker_clis() {
  local seen='' cli path
  for cli in docker /usr/bin/docker; do
    path=$(command -v "$cli" 2>/dev/null) || continue
    path=$(readlink -f "$path")
    case " $seen " in *" $path "*) continue ;; esac
    seen="$seen $path"
    printf '%s\n' "$cli"
  done
}
# Succeeds when every CLI reports compose v2 and a working buildx.
plugins_ok() {
  local cli v
  while IFS= read -r cli; do
    v=$("$cli" compose version --short 2>/dev/null) || return 1
    [[ $v == 2.* || $v == v2.* ]] || return 1
    "$cli" buildx version >/dev/null 2>&1 || return 1
  done < <(docker_clis)
}
# The URI of the Debian archive this machine installs from: the first deb source whose suites
# include the system's codename, from deb822 .sources files, else one-line sources.list files.
debian_mirror() {
  local codename f
  codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release | tr -d '"')
  [[ -n $codename ]] || return 1
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # Paragraphs are separated by blank lines; comment lines are skipped.
    awk -v suite="$codename" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") { split(uris, u, " "); print u[1]; found = 1; exit } types = suites = uris = "" }
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      { key = tolower($1); sub(/^[^:]*:[[:space:]]*/, ""); if (key == "types:") types = $0; else if (key == "suites:") suites = $0; else if (key == "uris:") uris = $0 }
      END { if (!found) flush() }
    ' "$f" | head -n 1 | grep . && return 0
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    # deb [options] URI SUITE COMPONENT...
    awk -v suite="$codename" '
      $1 != "deb" { next }
      { i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }
    ' "$f" | head -n 1 | grep . && return 0
  done
  return 1
}
# The first error line of an apt log (else its first warning, else its last line).
apt_error() { { grep -m1 '^E:' "$1" || grep -m1 '^W:' "$1" || tail -n 1 "$1"; } | tr -d '\n'; }
install_plugins() {
  local mirror tmp keyring='' deb name
  mirror=$(debian_mirror) || die "compose v2/buildx: no Debian mirror for this release found in /etc/apt/sources.list.d/*.sources or sources.list"
  tmp=$(mktemp -d /tmp/cpd-plugins.XXXXXX)
  chmod 755 "$tmp" # apt's _apt user must reach lists/partial and the download folder
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$tmp'" EXIT
  [[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] && keyring=' [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]'
  printf 'deb%s %s %s main\n' "$keyring" "$mirror" "$PLUGIN_SUITE" >"$tmp/sources.list"
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs" "$tmp/root"
  # apt downloads as _apt where it can write; root otherwise (with a warning we do not need).
  chown -R _apt "$tmp/lists" "$tmp/debs" 2>/dev/null || true
  local apt=(apt-get -q -o "Dir::Etc::sourcelist=$tmp/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache")
  say "installing the compose v2 and buildx CLI plugins from $PLUGIN_SUITE ($mirror) into $PLUGIN_DIR"
  "${apt[@]}" update >"$tmp/apt.log" 2>&1 \
    || die "compose v2/buildx: apt-get update of $PLUGIN_SUITE from $mirror failed: $(apt_error "$tmp/apt.log")"
  (cd "$tmp/debs" && "${apt[@]}" download docker-compose docker-buildx) >>"$tmp/apt.log" 2>&1 \
    || die "compose v2/buildx: apt-get download docker-compose docker-buildx ($PLUGIN_SUITE) failed: $(apt_error "$tmp/apt.log")"
  for deb in "$tmp"/debs/*.deb; do
    dpkg -x "$deb" "$tmp/root" || die "compose v2/buildx: dpkg -x $(basename "$deb") failed"
  done
  mkdir -p "$PLUGIN_DIR"
  for name in docker-compose docker-buildx; do
    [[ -x $tmp/root/usr/libexec/docker/cli-plugins/$name ]] \
      || die "compose v2/buildx: the $PLUGIN_SUITE packages hold no usr/libexec/docker/cli-plugins/$name"
    install -m 0755 "$tmp/root/usr/libexec/docker/cli-plugins/$name" "$PLUGIN_DIR/$name"
  done
  rm -rf "$tmp"
  trap - EXIT
}
if plugins_ok; then
  say "compose v2 and buildx present ($(docker compose version --short), buildx $(docker buildx version | awk '{print $2}'))"
else
  install_plugins
  while IFS= read -r cli; do
    v=$("$cli" compose version --short 2>&1) || die "compose v2/buildx: \`$cli compose version\` fails after the install: $(printf '%s' "$v" | head -n 1)"
    [[ $v == 2.* || $v == v2.* ]] || die "compose v2/buildx: \`$cli compose version\` reports $v, not v2"
    v=$("$cli" buildx version 2>&1) || die "compose v2/buildx: \`$cli buildx version\` fails after the install: $(printf '%s' "$v" | head -n 1)"
  done < <(docker_clis)
  say "compose v2 and buildx installed ($(docker compose version --short), buildx $(docker buildx version | awk '{print $2}'))"
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

# Builds IMAGE from $DEBIAN_IMAGE with Debian's PACKAGES (classic builder, no BuildKit needed),
# labelled as a test stand-in for WHAT, unless it is there already.
standin_image() {
  local image=$1 what=$2 cmd=$3
  shift 3
  if has_image "$image"; then
    say "$image present"
    return
  fi
  say "building $image from $DEBIAN_IMAGE (Debian's $*)"
  DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$image" - >/dev/null <<EOF
FROM $DEBIAN_IMAGE
LABEL org.opencontainers.image.description="create-pio-docker TEST STAND-IN for $what (Debian's $1), tests only"
ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
RUN apt-get update \\
 && apt-get install -y --no-install-recommends $* ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
CMD $cmd
EOF
  say "$image built"
}

# 3b. Python stand-in for the official python:*-slim images
standin_image "$PYTHON_IMAGE" 'python:*-slim' '["python3"]' python3 python3-venv python3-pip
# 3c. Go stand-in for the official golang:*-bookworm images (the go-deb preset's BASE_IMAGE)
standin_image "$GOLANG_IMAGE" 'golang:*-bookworm' '["go", "version"]' golang-go dpkg-dev
say "ready"
