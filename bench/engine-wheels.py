#!/usr/bin/env python3
"""Benchmark wheels (bench/engine-impl.ts): the PlatformIO TEST STAND-IN in the given versions,
each given one dependency, plus that dependency, so that a version bump has an unchanged pip
package that must not be downloaded again (real PlatformIO has about twenty).

Usage: engine-wheels.py OUTDIR VERSION...   Prints the paths of the wheels it wrote.
"""
import importlib.util
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEP = "cpdbench_dep"
DEP_VERSION = "1.0"

spec = importlib.util.spec_from_file_location("build_wheel", os.path.join(HERE, "..", "test", "standin", "build-wheel.py"))
build_wheel = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_wheel)


def main(outdir, versions):
    out = []
    for version in versions:
        wheel = build_wheel.build(outdir, version)
        with zipfile.ZipFile(wheel) as z:
            files = {n: z.read(n) for n in z.namelist()}
        meta = "platformio-%s.dist-info/METADATA" % version
        files[meta] = files[meta].rstrip(b"\n") + ("\nRequires-Dist: %s==%s\n" % (DEP.replace("_", "-"), DEP_VERSION)).encode()
        build_wheel.write_wheel(wheel, files)
        out.append(wheel)
    dist_info = "%s-%s.dist-info" % (DEP, DEP_VERSION)
    dep = {
        DEP + "/__init__.py": b"# create-pio-docker benchmark: a dependency of the stand-in, nothing else\n",
        dist_info + "/METADATA": ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (DEP.replace("_", "-"), DEP_VERSION)).encode(),
        dist_info + "/WHEEL": b"Wheel-Version: 1.0\nGenerator: create-pio-docker bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    path = os.path.join(outdir, "%s-%s-py3-none-any.whl" % (DEP, DEP_VERSION))
    build_wheel.write_wheel(path, dep)
    out.append(path)
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
