"""`python -m triage_cli ARGS` runs the installed `triage` binary with ARGS."""

import os
import sys

from triage_cli import find_triage_bin

if __name__ == "__main__":
    binary = find_triage_bin()
    os.execv(binary, [binary, *sys.argv[1:]])
