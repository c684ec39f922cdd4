"""TEST STAND-IN for PlatformIO Core's `pio` / `platformio` commands. NOT PlatformIO.

Implements only what create-pio-docker's tests need, with the standard library alone:

  pio --version                  PlatformIO Core, version X (test stand-in)
  pio run [-e ENV]... [-t clean|size] [-v] [-d DIR]
                                 envs come from the `[env:NAME]` headers of DIR/platformio.ini;
                                 without -e: `default_envs` of `[platformio]`, else every env;
                                 an unknown env is an error (exit 1). Building writes
                                 .pio/build/ENV/firmware.bin and firmware.elf; `-t clean`
                                 removes .pio/build/ENV.
  pio system prune [...]         does nothing, exit 0.

Toolchain and exec bits: the first build "installs a toolchain" into
$PLATFORMIO_CORE_DIR (default ~/.platformio) as packages/toolchain-standin/bin/standin-gcc, a shell
script written WITHOUT its exec bit (mode 0644), the way a cache volume can lose exec bits between
containers. The container that installed it goes on building without running it (on a host, not in
a container: the machine, until reboot). A build in any other container runs the tool when it is
executable, and otherwise fails with `Permission denied` and exit 1: so an entrypoint that restores
exec bits on the cache volume is exercised.
"""
import argparse
import configparser
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from importlib import metadata

TOOL_PACKAGE = "toolchain-standin"
TOOL_SCRIPT = """#!/bin/sh
# standin-gcc: fake compiler installed by the PlatformIO TEST STAND-IN (create-pio-docker tests)
echo "standin-gcc (test stand-in) $*"
"""


def version():
    try:
        return metadata.version("platformio")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def fail(message, code=1):
    print("Error: " + message, file=sys.stderr)
    sys.exit(code)


def core_dir():
    return os.environ.get("PLATFORMIO_CORE_DIR") or os.path.join(os.path.expanduser("~"), ".platformio")


def instance():
    """Identifies this container (hostname + PID 1's start time); on a host: the machine until reboot."""
    with open("/proc/1/stat") as f:
        start = f.read().rsplit(")", 1)[1].split()[19]
    return "%s:%s" % (socket.gethostname(), start)


def toolchain():
    """Path of the runnable tool, or None when it was installed by this container."""
    package = os.path.join(core_dir(), "packages", TOOL_PACKAGE)
    tool = os.path.join(package, "bin", "standin-gcc")
    marker = os.path.join(package, ".installed-by")
    if not os.path.exists(tool):
        print("Tool Manager: Installing %s (test stand-in)" % TOOL_PACKAGE)
        os.makedirs(os.path.dirname(tool), exist_ok=True)
        with open(tool, "w") as f:
            f.write(TOOL_SCRIPT)
        os.chmod(tool, 0o644)  # on purpose: see the module docstring
        with open(marker, "w") as f:
            f.write(instance())
        return None
    if os.access(tool, os.X_OK):
        return tool
    try:
        with open(marker) as f:
            if f.read() == instance():
                return None
    except OSError:
        pass
    fail("%s: Permission denied (the toolchain lost its exec bit; test stand-in)" % tool)


def read_config(project):
    path = os.path.join(project, "platformio.ini")
    if not os.path.isfile(path):
        fail("Not a PlatformIO project. `platformio.ini` file has not been found in %s" % os.path.abspath(project))
    config = configparser.ConfigParser(interpolation=None, strict=False, inline_comment_prefixes=(";",))
    try:
        config.read(path, encoding="utf-8")
    except configparser.Error as e:
        fail("invalid platformio.ini: %s" % e)
    return config


def option(config, env, name):
    for section in ("env:" + env, "env"):
        if config.has_option(section, name):
            return config.get(section, name).strip()
    return "?"


def select_envs(config, wanted):
    known = [s[4:] for s in config.sections() if s.startswith("env:")]
    unknown = [e for e in wanted if e not in known]
    if unknown:
        fail("Unknown environment names '%s'. Valid names are '%s'" % (", ".join(unknown), ", ".join(known)))
    if wanted:
        return wanted
    default = config.get("platformio", "default_envs", fallback="")
    return [e for e in re.split(r"[,\s]+", default) if e] or known


def sources_digest(project):
    digest = hashlib.sha256()
    src = os.path.join(project, "src")
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            digest.update(os.path.relpath(path, src).encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()


def build(project, config, env, verbose):
    started = time.time()
    print("Processing %s (platform: %s; board: %s)" % (env, option(config, env, "platform"), option(config, env, "board")))
    print("-" * 70)
    tool = toolchain()
    if tool is None:
        compiled = "toolchain installed just now, not run"
    else:
        r = subprocess.run([tool, "-o", "firmware.elf", env], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if r.returncode != 0:
            fail("%s exited %d: %s" % (tool, r.returncode, r.stdout.strip()))
        compiled = r.stdout.strip()
    if verbose:
        print("Toolchain: %s" % (tool or "(just installed)"))
        print(compiled)
    out = os.path.join(project, ".pio", "build", env)
    os.makedirs(out, exist_ok=True)
    body = "CPD TEST STAND-IN FIRMWARE\nenv=%s\nboard=%s\nplatform=%s\nsources=%s\ntoolchain=%s\n" % (
        env, option(config, env, "board"), option(config, env, "platform"), sources_digest(project), compiled)
    with open(os.path.join(out, "firmware.elf"), "wb") as f:
        f.write(b"\x7fELF" + body.encode())
    with open(os.path.join(out, "firmware.bin"), "wb") as f:
        f.write(body.encode())
    print("Building .pio/build/%s/firmware.bin" % env)
    print("=" * 20 + " [SUCCESS] Took %.2f seconds " % (time.time() - started) + "=" * 20)


def cmd_run(argv):
    p = argparse.ArgumentParser(prog="pio run", description="Build envs (test stand-in)")
    p.add_argument("-e", "--environment", action="append", default=[])
    p.add_argument("-t", "--target", action="append", default=[])
    p.add_argument("-d", "--project-dir", default=".")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("-s", "--silent", action="store_true")
    p.add_argument("-j", "--jobs", type=int)
    args = p.parse_args(argv)
    unsupported = [t for t in args.target if t not in ("clean", "size")]
    if unsupported:
        fail("the test stand-in supports only the targets clean and size, not %s" % ", ".join(unsupported))
    config = read_config(args.project_dir)
    envs = select_envs(config, args.environment)
    for env in envs:
        out = os.path.join(args.project_dir, ".pio", "build", env)
        if "clean" in args.target:
            print("Removing .pio/build/%s" % env)
            shutil.rmtree(out, ignore_errors=True)
            continue
        build(args.project_dir, config, env, args.verbose)
        if "size" in args.target:
            print("firmware.bin: %d bytes" % os.path.getsize(os.path.join(out, "firmware.bin")))
    print("Done cleaning" if "clean" in args.target else "%d succeeded (test stand-in)" % len(envs))
    return 0


def cmd_system(argv):
    if argv[:1] != ["prune"]:
        fail("the test stand-in implements only `pio system prune`", 2)
    print("Nothing to prune (test stand-in)")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--version"]:
        print("PlatformIO Core, version %s (test stand-in)" % version())
        return 0
    if not argv or argv[0] in ("-h", "--help"):
        print("Usage: pio [--version] run|system prune ... (PlatformIO TEST STAND-IN, not PlatformIO)")
        return 0
    commands = {"run": cmd_run, "system": cmd_system}
    if argv[0] not in commands:
        fail("the test stand-in does not implement `pio %s`" % argv[0], 2)
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
