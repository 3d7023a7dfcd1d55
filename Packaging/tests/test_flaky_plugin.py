"""A test the `flaky` plugin retries (run with -p no:rerunfailures)."""
import os
import pathlib

from flaky import flaky


@flaky(max_runs=3)
def test_flaky_decorated():
    counter = pathlib.Path(os.environ["ATTEMPTS_DIR"]) / "flaky"
    count = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(count))
    assert count >= 2, "first run fails"
