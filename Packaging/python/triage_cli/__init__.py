"""The triage command-line tool, shipped as a wheel, and its pytest plugin.

The wheel installs the `triage` binary as a script; `find_triage_bin()` finds it again from
Python (the pytest plugin calls it to store the session).
"""

import os
import shutil
import sys
import sysconfig

__all__ = ["find_triage_bin"]

_NAME = "triage.exe" if sys.platform == "win32" else "triage"


def find_triage_bin() -> str:
    """The path of the `triage` binary: $TRIAGE_BIN, else the one this package installed,
    else the first `triage` on PATH."""
    given = os.environ.get("TRIAGE_BIN")
    if given:
        return given
    folders = [sysconfig.get_path("scripts")]
    user_scheme = sysconfig.get_preferred_scheme("user") if hasattr(sysconfig, "get_preferred_scheme") else None
    if user_scheme:
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    for folder in folders:
        candidate = os.path.join(folder, _NAME)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(_NAME)
    if found:
        return found
    raise FileNotFoundError(
        "the triage binary is not installed beside this package and not on PATH; "
        "reinstall the wheel or set TRIAGE_BIN"
    )
