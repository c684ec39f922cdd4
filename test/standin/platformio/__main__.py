"""TEST STAND-IN for PlatformIO Core's `pio` / `platformio` commands. NOT PlatformIO.

Implements only what create-pio-docker's tests need, with the standard library alone, and FAILS
wherever the real tool would fail for the same reason (a lenient stand-in makes `verify` green on a
broken setup). See test/standin/README.md for the table of commands and the strictness rules.

  pio --version                  PlatformIO Core, version X (test stand-in)
  pio run [-e ENV]... [-t clean|size] [-v] [-d DIR]
      native envs (`platform = native`): compile src/ with the host's gcc/g++ ($CC/$CXX) into
      .pio/build/ENV/program; a missing compiler or a compile error fails, exit 1.
      embedded envs: a source in src/ with a line starting with `#error` fails, exit 1; else
      .pio/build/ENV/firmware.bin and firmware.elf are written, after running the cached
      toolchain (see "Toolchain and exec bits").
      PIO_STANDIN_SLEEP=SECONDS sleeps mid-build (stop tests); SIGTERM keeps its default action.
  pio test [-e ENV]... [-d DIR] [-v] [--without-uploading] [--without-testing]
      native envs: each test/**/test_*/ folder is compiled (with src/ when test_build_src = yes)
      and run; the exit code is the result. embedded envs: fail like PlatformIO without a board.
  pio system prune [...]         does nothing, exit 0.

Toolchain and exec bits (embedded envs): the first build "installs" into $PLATFORMIO_CORE_DIR
(default ~/.platformio) packages/toolchain-standin/bin/standin-gcc and
packages/tool-standin/standin-tool (an executable at a package root, outside bin/), shell scripts
written WITHOUT their exec bit (0644), the way a cache volume can lose exec bits between
containers. The container that installed them goes on building without running them (on a host,
not in a container: the machine, until reboot). A build in any other container runs both, and a
tool that is not executable fails with `Permission denied` and exit 1.
"""
import argparse
import configparser
import glob
import hashlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from importlib import metadata

# package -> (path inside the package, script). Both are written with mode 0644 on purpose.
TOOLS = {
    "toolchain-standin": ("bin/standin-gcc", "#!/bin/sh\n# standin-gcc: fake compiler installed by the PlatformIO TEST STAND-IN (create-pio-docker tests)\necho \"standin-gcc (test stand-in) $*\"\n"),
    "tool-standin": ("standin-tool", "#!/bin/sh\n# standin-tool: fake tool at a package root (not in bin/), PlatformIO TEST STAND-IN\necho \"standin-tool (test stand-in) $*\"\n"),
}
C_EXT = (".c",)
CXX_EXT = (".cpp", ".cc", ".cxx")
EMBEDDED_EXT = C_EXT + CXX_EXT + (".ino", ".S", ".s")
ERROR_LINE = re.compile(r"^\s*#\s*error\b(.*)$")
# A tiny Unity look-alike (real PlatformIO fetches Unity for `pio test`): enough for tests that use
# UNITY_BEGIN/RUN_TEST/TEST_ASSERT*/UNITY_END; anything else from Unity fails to compile.
UNITY_H = r"""/* unity.h of the PlatformIO TEST STAND-IN: a tiny subset of Unity, NOT Unity. */
#ifndef STANDIN_UNITY_H
#define STANDIN_UNITY_H
#include <stdio.h>
#include <string.h>
#ifdef __cplusplus
extern "C" {
#endif
void setUp(void);
void tearDown(void);
static int standin_unity_failures = 0, standin_unity_tests = 0, standin_unity_current = 0;
#ifdef __cplusplus
}
#endif
#define UNITY_BEGIN() (standin_unity_failures = 0, standin_unity_tests = 0)
#define UNITY_END() (printf("%d Tests %d Failures 0 Ignored\n", standin_unity_tests, standin_unity_failures), standin_unity_failures)
#define RUN_TEST(fn) do { standin_unity_tests++; standin_unity_current = 0; setUp(); fn(); tearDown(); \
    printf("%s:%d:%s:%s\n", __FILE__, __LINE__, #fn, standin_unity_current ? "FAIL" : "PASS"); } while (0)
#define TEST_ASSERT_MESSAGE(c, m) do { if (!(c)) { printf("%s:%d: assertion failed: %s\n", __FILE__, __LINE__, m); \
    standin_unity_current = 1; standin_unity_failures++; return; } } while (0)
#define TEST_ASSERT(c) TEST_ASSERT_MESSAGE(c, #c)
#define TEST_ASSERT_TRUE(c) TEST_ASSERT_MESSAGE(c, #c)
#define TEST_ASSERT_FALSE(c) TEST_ASSERT_MESSAGE(!(c), "!(" #c ")")
#define TEST_ASSERT_EQUAL(e, a) TEST_ASSERT_MESSAGE((e) == (a), #e " == " #a)
#define TEST_ASSERT_EQUAL_INT(e, a) TEST_ASSERT_EQUAL(e, a)
#define TEST_ASSERT_EQUAL_STRING(e, a) TEST_ASSERT_MESSAGE(strcmp((e), (a)) == 0, #e " == " #a)
#define TEST_FAIL_MESSAGE(m) TEST_ASSERT_MESSAGE(0, m)
#define TEST_FAIL() TEST_ASSERT_MESSAGE(0, "TEST_FAIL")
#endif
"""
# As in Unity, setUp/tearDown have weak defaults in a unit of their own: a test may define them.
UNITY_C = "/* unity.c of the PlatformIO TEST STAND-IN, NOT Unity. */\n__attribute__((weak)) void setUp(void) {}\n__attribute__((weak)) void tearDown(void) {}\n"


class BuildError(Exception):
    """A failed build step; the message is printed as the build's output."""


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
    """Installs the fake tools on first use. Returns the tools to run now: none in the container
    that installed them (it goes on building), every tool in any other container."""
    packages = os.path.join(core_dir(), "packages")
    runnable = []
    for package, (rel, script) in TOOLS.items():
        tool = os.path.join(packages, package, rel)
        marker = os.path.join(packages, package, ".installed-by")
        if not os.path.exists(tool):
            print("Tool Manager: Installing %s (test stand-in)" % package)
            os.makedirs(os.path.dirname(tool), exist_ok=True)
            with open(tool, "w") as f:
                f.write(script)
            os.chmod(tool, 0o644)  # on purpose: see the module docstring
            with open(marker, "w") as f:
                f.write(instance())
            continue
        if not os.access(tool, os.X_OK):
            try:
                with open(marker) as f:
                    if f.read() == instance():
                        continue  # installed by this container: not run (yet)
            except OSError:
                pass
        runnable.append(tool)
    return runnable


def run_tool(tool, args):
    """Runs a cached tool for real: a tool without its exec bit fails like a shell would."""
    try:
        r = subprocess.run([tool] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    except PermissionError:
        raise BuildError("sh: 1: %s: Permission denied (the toolchain lost its exec bit; test stand-in)" % tool)
    if r.returncode != 0:
        raise BuildError("%s exited %d: %s" % (tool, r.returncode, r.stdout.strip()))
    return r.stdout.strip()


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


INTERPOLATION = re.compile(r"\$\{([^${}.]+)\.([^${}]+)\}")


def option(config, env, name, default="?"):
    """[env:NAME], then the sections it `extends` (depth first, in order), then [env]; with
    PlatformIO's ${SECTION.OPTION} interpolation (${env:OTHER.build_flags} takes OTHER's effective
    value, ${this.OPTION} the current env's, ${sysenv.VAR} the environment's). No extra_configs."""
    found = raw_option(config, env, name)
    return default if found is None else interpolate(config, env, found, (("env:" + env, name),))


def interpolate(config, env, value, stack):
    def one(m):
        section, opt = m.group(1), m.group(2)
        if section == "sysenv":
            return os.environ.get(opt, "")
        if section == "this":
            section = "env:" + env
        if opt == "__env__" and section.startswith("env:"):
            return section[4:]
        key = (section, opt)
        if key in stack:
            fail("Error: recursive interpolation of ${%s.%s} in platformio.ini" % key)
        if not config.has_section(section):
            fail("Error: No section: '%s' (in ${%s.%s} of platformio.ini)" % (section, section, opt))
        if section.startswith("env:"):
            got = raw_option(config, section[4:], opt)
            other = section[4:]
        else:
            got = config.get(section, opt).strip() if config.has_option(section, opt) else None
            other = env
        if got is None:
            fail("Error: No option '%s' in section: '%s'" % (opt, section))
        return interpolate(config, other, got, stack + (key,))

    return INTERPOLATION.sub(one, value)


def raw_option(config, env, name):
    seen = set()

    def lookup(section):
        if section in seen or not config.has_section(section):
            return None
        seen.add(section)
        if config.has_option(section, name):
            return config.get(section, name).strip()
        if config.has_option(section, "extends"):
            for parent in re.split(r"[,\s]+", config.get(section, "extends").strip()):
                found = lookup(parent) if parent else None
                if found is not None:
                    return found
        return None

    found = lookup("env:" + env)
    if found is None and config.has_option("env", name):
        found = config.get("env", name).strip()
    return found


def flag(config, env, name, default=False):
    return option(config, env, name, "yes" if default else "no").lower() in ("yes", "true", "1", "y")


def is_native(config, env):
    return option(config, env, "platform", "") == "native"


def select_envs(config, wanted):
    known = [s[4:] for s in config.sections() if s.startswith("env:")]
    unknown = [e for e in wanted if e not in known]
    if unknown:
        fail("Unknown environment names '%s'. Valid names are '%s'" % (", ".join(unknown), ", ".join(known)))
    if wanted:
        return wanted
    default = config.get("platformio", "default_envs", fallback="")
    return [e for e in re.split(r"[,\s]+", default) if e] or known


def walk(folder, extensions):
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        found += [os.path.join(root, n) for n in sorted(files) if n.endswith(extensions)]
    return found


def src_files(project, config, env, extensions):
    """The files of src/ that `build_src_filter` selects (default `+<*> -<.git/> -<.svn/>`), in
    order: each `+<GLOB>` adds, each `-<GLOB>` removes what the glob matches in src/ (a folder: all
    below it), as PlatformIO's match_src_files does."""
    src = os.path.join(project, "src")
    spec = option(config, env, "build_src_filter", "") or "+<*> -<.git/> -<.svn/>"
    selected = []
    for sign, pattern in re.findall(r"([+-])<([^>]*)>", spec):
        matched = []
        for path in sorted(glob.glob(os.path.join(src, pattern), recursive=True)):
            matched += walk(path, extensions) if os.path.isdir(path) else [path] if path.endswith(extensions) else []
        if sign == "+":
            selected += [m for m in matched if m not in selected]
        else:
            selected = [m for m in selected if m not in matched]
    return selected


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


def standin_sleep():
    """PIO_STANDIN_SLEEP=SECONDS: a long build step. SIGTERM keeps Python's default action (the
    process dies by the signal, a shell or `docker wait` reports 143), as real PlatformIO does; so
    as PID 1 of a container without an init it ignores SIGTERM, like the real tool."""
    seconds = os.environ.get("PIO_STANDIN_SLEEP")
    if seconds:
        print("Compiling (test stand-in: sleeping %s s)" % seconds, flush=True)
        time.sleep(float(seconds))


def forced_includes(project, config, env):
    """Files forced into every unit by `-include FILE` in build_flags, as gcc reads them."""
    words = shlex.split(option(config, env, "build_flags", "") or "")
    found = []
    for i, w in enumerate(words):
        name = words[i + 1] if w == "-include" and i + 1 < len(words) else w[len("-include"):] if w.startswith("-include") and len(w) > len("-include") else None
        if name:
            found.append(name if os.path.isabs(name) else os.path.join(project, name))
    return found


def error_lines(project, env, config=None):
    """`#error` lines in src/ and in files forced in with `-include`, as the cross compiler would
    report them (a missing forced include is an error too, as for gcc)."""
    errors = []
    paths = src_files(project, config, env, EMBEDDED_EXT) if config is not None else walk(os.path.join(project, "src"), EMBEDDED_EXT)
    for inc in forced_includes(project, config, env) if config is not None else []:
        if not os.path.isfile(inc):
            errors.append("<command-line>: fatal error: %s: No such file or directory\n*** [.pio/build/%s] Error 1" % (inc, env))
        else:
            paths.append(inc)
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = ERROR_LINE.match(line)
                if m:
                    rel = os.path.relpath(path, project)
                    errors.append("%s:%d:2: error: #error%s\n*** [.pio/build/%s/%s.o] Error 1" % (rel, n, m.group(1).rstrip(), env, rel))
    return errors


def compiler(kind):
    """The command for $CC / $CXX (default gcc / g++), split like a shell would."""
    return shlex.split(os.environ.get(kind) or ("gcc" if kind == "CC" else "g++"))


def compile_program(project, config, env, sources, out_dir, program, extra_flags, verbose):
    """Compiles sources with the host compiler and links them into program (like the native
    platform: objects under out_dir, gcc for .c, g++ for the rest and for linking)."""
    flags = ["-I" + os.path.join(project, "include"), "-I" + os.path.join(project, "src")] + extra_flags
    flags += shlex.split(option(config, env, "build_flags", ""))
    objects = []
    for path in sources:
        rel = os.path.relpath(path, project)
        obj = os.path.join(out_dir, rel + ".o")
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        cmd = compiler("CC" if path.endswith(C_EXT) else "CXX") + ["-o", obj, "-c", path] + flags
        print(" ".join(cmd) if verbose else "Compiling %s" % os.path.relpath(obj, project), flush=True)
        run_compiler(cmd, os.path.relpath(obj, project))
        objects.append(obj)
    cmd = compiler("CXX") + ["-o", program] + objects
    print(" ".join(cmd) if verbose else "Linking %s" % os.path.relpath(program, project), flush=True)
    run_compiler(cmd, os.path.relpath(program, project))


def run_compiler(cmd, target):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    except FileNotFoundError:
        raise BuildError("sh: 1: %s: not found\n*** [%s] Error 127" % (cmd[0], target))
    except PermissionError:
        raise BuildError("sh: 1: %s: Permission denied\n*** [%s] Error 126" % (cmd[0], target))
    if r.stdout.strip():
        print(r.stdout.rstrip())
    if r.returncode != 0:
        raise BuildError("*** [%s] Error %d" % (target, r.returncode))


def header(config, env):
    print("Processing %s (platform: %s; board: %s)" % (env, option(config, env, "platform"), option(config, env, "board")))
    print("-" * 70, flush=True)


def footer(env, ok, started):
    word = "SUCCESS" if ok else "FAILED"
    print("=" * 20 + " [%s] Took %.2f seconds " % (word, time.time() - started) + "=" * 20, flush=True)


def build_native(project, config, env, verbose):
    out = os.path.join(project, ".pio", "build", env)
    standin_sleep()
    sources = src_files(project, config, env, C_EXT + CXX_EXT)
    compile_program(project, config, env, sources, out, os.path.join(out, "program"), [], verbose)
    return "program"


def build_embedded(project, config, env, verbose):
    runnable = toolchain()
    outputs = [run_tool(tool, ["-o", "firmware.elf", env]) for tool in runnable]
    # standin-gcc's output is what the firmware records; standin-tool only has to run.
    compiled = outputs[0] if runnable and runnable[0].endswith("standin-gcc") else "toolchain installed just now, not run"
    if verbose:
        print("Toolchain: %s" % (", ".join(runnable) or "(just installed)"))
        print("\n".join(outputs) or compiled)
    standin_sleep()
    errors = error_lines(project, env, config)
    if errors:
        raise BuildError("\n".join(errors))
    out = os.path.join(project, ".pio", "build", env)
    os.makedirs(out, exist_ok=True)
    body = "CPD TEST STAND-IN FIRMWARE\nenv=%s\nboard=%s\nplatform=%s\nsources=%s\ntoolchain=%s\n" % (
        env, option(config, env, "board"), option(config, env, "platform"), sources_digest(project), compiled)
    with open(os.path.join(out, "firmware.elf"), "wb") as f:
        f.write(b"\x7fELF" + body.encode())
    with open(os.path.join(out, "firmware.bin"), "wb") as f:
        f.write(body.encode())
    print("Building .pio/build/%s/firmware.bin" % env)
    return "firmware.bin"


def build(project, config, env, verbose):
    """Builds one env; returns the artifact's name, or None after printing why it failed."""
    started = time.time()
    header(config, env)
    try:
        artifact = (build_native if is_native(config, env) else build_embedded)(project, config, env, verbose)
    except BuildError as e:
        print(str(e), flush=True)
        footer(env, False, started)
        return None
    footer(env, True, started)
    return artifact


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
    failed = []
    for env in envs:
        out = os.path.join(args.project_dir, ".pio", "build", env)
        if "clean" in args.target:
            print("Removing .pio/build/%s" % env)
            shutil.rmtree(out, ignore_errors=True)
            continue
        artifact = build(args.project_dir, config, env, args.verbose)
        if artifact is None:
            failed.append(env)
        elif "size" in args.target:
            print("%s: %d bytes" % (artifact, os.path.getsize(os.path.join(out, artifact))))
    if "clean" in args.target:
        print("Done cleaning")
        return 0
    print("%d succeeded, %d failed (test stand-in)" % (len(envs) - len(failed), len(failed)))
    return 1 if failed else 0


def test_suites(project):
    """Folders named test_* under test/ (at any depth), as PlatformIO's test runner finds them."""
    suites = []
    for root, dirs, files in os.walk(os.path.join(project, "test")):
        dirs.sort()
        for d in dirs:
            if d.startswith("test_"):
                suites.append(os.path.join(root, d))
        dirs[:] = [d for d in dirs if not d.startswith("test_")]
    return suites


def test_native(project, config, env, verbose):
    """Compiles and runs every test suite; returns (passed, failed) suite names."""
    out = os.path.join(project, ".pio", "build", env, "test")
    unity = os.path.join(out, "unity")
    os.makedirs(unity, exist_ok=True)
    with open(os.path.join(unity, "unity.h"), "w") as f:
        f.write(UNITY_H)
    with open(os.path.join(unity, "unity.c"), "w") as f:
        f.write(UNITY_C)
    src = src_files(project, config, env, C_EXT + CXX_EXT) if flag(config, env, "test_build_src") else []
    passed, failed = [], []
    for suite in test_suites(project):
        name = os.path.relpath(suite, os.path.join(project, "test"))
        started = time.time()
        print("Building & Testing %s" % name, flush=True)
        program = os.path.join(out, name, "program")
        try:
            sources = walk(suite, C_EXT + CXX_EXT) + src + [os.path.join(unity, "unity.c")]
            compile_program(project, config, env, sources, os.path.join(out, name), program, ["-I" + unity, "-DPIO_UNIT_TESTING"], verbose)
            r = subprocess.run([program], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
            if r.stdout.strip():
                print(r.stdout.rstrip())
            ok = r.returncode == 0
            if not ok:
                print("%s exited %d" % (os.path.relpath(program, project), r.returncode))
        except BuildError as e:
            print(str(e))
            ok = False
        (passed if ok else failed).append(name)
        print("%s [%s] Took %.2f seconds" % (name, "PASSED" if ok else "FAILED", time.time() - started), flush=True)
    return passed, failed


def cmd_test(argv):
    p = argparse.ArgumentParser(prog="pio test", description="Run tests (test stand-in)")
    p.add_argument("-e", "--environment", action="append", default=[])
    p.add_argument("-d", "--project-dir", default=".")
    p.add_argument("-v", "--verbose", action="count", default=0)
    p.add_argument("--without-uploading", action="store_true")
    p.add_argument("--without-testing", action="store_true")
    args = p.parse_args(argv)
    config = read_config(args.project_dir)
    envs = select_envs(config, args.environment)
    if not test_suites(args.project_dir):
        fail("Nothing to test: no test_* folder in %s (test stand-in)" % os.path.join(args.project_dir, "test"))
    passed, failed = [], []
    for env in envs:
        started = time.time()
        if is_native(config, env):
            header(config, env)
            ok, bad = test_native(args.project_dir, config, env, args.verbose)
            passed += ["%s:%s" % (env, s) for s in ok]
            failed += ["%s:%s" % (env, s) for s in bad]
            continue
        # Embedded: the tests are built for the board, then uploaded to it and read from its
        # serial port. Without a board (any test machine, any container) that fails.
        ok = build(args.project_dir, config, env, args.verbose) is not None
        if ok and not (args.without_uploading and args.without_testing):
            print("Error: Please specify `upload_port` for environment or use global `--upload-port` option. "
                  "(test stand-in: `pio test -e %s` needs a connected %s board and its uploader)" % (env, option(config, env, "board")), file=sys.stderr, flush=True)
            ok = False
        (passed if ok else failed).append(env)
        if not ok:
            footer(env, False, started)
    print("=" * 20 + " %d test cases: %d failed, %d succeeded (test stand-in) " % (len(passed) + len(failed), len(failed), len(passed)) + "=" * 20)
    return 1 if failed else 0


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
        print("Usage: pio [--version] run|test|system prune ... (PlatformIO TEST STAND-IN, not PlatformIO)")
        return 0
    commands = {"run": cmd_run, "test": cmd_test, "system": cmd_system}
    if argv[0] not in commands:
        fail("the test stand-in does not implement `pio %s`" % argv[0], 2)
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main())
