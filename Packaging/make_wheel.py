#!/usr/bin/env python3
"""Writes the triage wheel: the release binary as the `triage` script, the `triage_cli` package
with its pytest plugin (a `pytest11` entry point), and the metadata pip needs.

Usage: make_wheel.py BINARY OUT_DIR

The platform tag is manylinux_2_N_<arch>, where 2.N is the newest glibc symbol version the binary
needs, so pip installs the wheel only where that glibc is present. Standard library only: a wheel
is a zip file with a fixed layout (PEP 427), nothing to install to build one.
"""

import base64
import hashlib
import os
import re
import subprocess
import sys
import zipfile

NAME = "triage-cli"
PACKAGE = "triage_cli"
HERE = os.path.dirname(os.path.abspath(__file__))
# Fixed times keep the wheel byte-for-byte the same for the same inputs.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
ARCHES = {62: "x86_64", 183: "aarch64"}


def version_of(binary):
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    version = done.stdout.strip()
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        sys.exit(f"{binary}: --version printed {version!r}, not a version number")
    return version


def platform_tag(binary):
    """manylinux_2_N_ARCH from the ELF header's machine and the newest GLIBC_2.N the binary names."""
    with open(binary, "rb") as file:
        data = file.read()
    if data[:4] != b"\x7fELF":
        sys.exit(f"{binary}: not an ELF executable; the wheel is built on Linux")
    machine = int.from_bytes(data[18:20], "little")
    arch = ARCHES.get(machine)
    if arch is None:
        sys.exit(f"{binary}: ELF machine {machine} is not one the wheel knows (x86_64, aarch64)")
    minors = [int(found) for found in re.findall(rb"GLIBC_2\.(\d+)", data)]
    if not minors:
        sys.exit(f"{binary}: names no GLIBC_2.N symbol version; is it a static or non-glibc build?")
    return f"manylinux_2_{max(minors)}_{arch}"


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def add(wheel, records, path, data, executable=False):
    info = zipfile.ZipInfo(path, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    wheel.writestr(info, data, compresslevel=9)
    records.append(record_line(path, data))


def metadata(version):
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as file:
        description = file.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {version}\n"
        "Summary: Test results into a history of flaky tests, failure causes and CI gates; with a pytest plugin\n"
        "Requires-Python: >=3.9\n"
        "Classifier: Framework :: Pytest\n"
        "Classifier: Operating System :: POSIX :: Linux\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + description
    )


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_wheel.py BINARY OUT_DIR")
    binary, out = sys.argv[1], sys.argv[2]
    version = version_of(binary)
    tag = f"py3-none-{platform_tag(binary)}"
    distribution = NAME.replace("-", "_")
    info_dir = f"{distribution}-{version}.dist-info"
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{distribution}-{version}-{tag}.whl")
    records = []
    with zipfile.ZipFile(path + ".tmp", "w") as wheel:
        source = os.path.join(HERE, "python", PACKAGE)
        for name in sorted(os.listdir(source)):
            if name.endswith(".py"):
                with open(os.path.join(source, name), "rb") as file:
                    add(wheel, records, f"{PACKAGE}/{name}", file.read())
        with open(binary, "rb") as file:
            add(wheel, records, f"{distribution}-{version}.data/scripts/triage", file.read(), executable=True)
        add(wheel, records, f"{info_dir}/METADATA", metadata(version).encode())
        wheel_file = (
            "Wheel-Version: 1.0\nGenerator: triage Packaging/make_wheel.py\nRoot-Is-Purelib: false\n"
            f"Tag: {tag}\n"
        )
        add(wheel, records, f"{info_dir}/WHEEL", wheel_file.encode())
        add(wheel, records, f"{info_dir}/entry_points.txt", f"[pytest11]\ntriage = {PACKAGE}.pytest_plugin\n".encode())
        records.append(f"{info_dir}/RECORD,,")
        info = zipfile.ZipInfo(f"{info_dir}/RECORD", ZIP_TIME)
        info.external_attr = 0o100644 << 16
        wheel.writestr(info, "\n".join(records) + "\n")
    os.replace(path + ".tmp", path)
    print(path)


if __name__ == "__main__":
    main()
