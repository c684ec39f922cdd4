#!/usr/bin/env python3
"""Builds the wheel of the PlatformIO TEST STAND-IN (test/standin/platformio) without network.

Usage: build-wheel.py OUTDIR [VERSION]   (VERSION defaults to 6.1.18, VERSIONS.platformio)
Prints the wheel's path. The zip is written directly (no pip, no setuptools download), with fixed
timestamps so the same sources give the same bytes.
"""
import base64
import hashlib
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VERSION = "6.1.18"


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build(outdir, version):
    dist_info = "platformio-%s.dist-info" % version
    files = {}
    package = os.path.join(HERE, "platformio")
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            with open(os.path.join(package, name), "rb") as f:
                files["platformio/" + name] = f.read()
    files[dist_info + "/METADATA"] = (
        "Metadata-Version: 2.1\n"
        "Name: platformio\n"
        "Version: %s\n"
        "Summary: TEST STAND-IN for PlatformIO Core (create-pio-docker tests only); not PlatformIO\n"
        "Requires-Python: >=3.8\n" % version
    ).encode()
    files[dist_info + "/WHEEL"] = (
        "Wheel-Version: 1.0\n"
        "Generator: create-pio-docker test/standin/build-wheel.py\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    ).encode()
    files[dist_info + "/entry_points.txt"] = (
        "[console_scripts]\n"
        "pio = platformio.__main__:main\n"
        "platformio = platformio.__main__:main\n"
    ).encode()
    os.makedirs(outdir, exist_ok=True)
    wheel = os.path.join(outdir, "platformio-%s-py3-none-any.whl" % version)
    write_wheel(wheel, files)
    return wheel


def write_wheel(path, files):
    """Writes files (name -> bytes) as a wheel: a RECORD computed here (any RECORD given is
    replaced) and fixed timestamps, so the same files give the same bytes."""
    dist_info = next(n.split("/")[0] for n in files if n.endswith(".dist-info/METADATA"))
    files = {n: d for n, d in files.items() if not n.endswith(".dist-info/RECORD")}
    record = "".join("%s,%s,%d\n" % (n, record_hash(d), len(d)) for n, d in files.items())
    files[dist_info + "/RECORD"] = (record + dist_info + "/RECORD,,\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    print(build(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else DEFAULT_VERSION))
