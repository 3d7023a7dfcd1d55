"""Tests with known attempt histories, for Tests/Scripts/wheel_test.sh. ATTEMPTS_DIR counts runs."""
import os
import pathlib

import pytest


def _attempt(name):
    """1 on the first run of `name`, 2 on the second, …"""
    counter = pathlib.Path(os.environ["ATTEMPTS_DIR"]) / name
    count = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(count))
    return count


def test_passes():
    pass


def test_passes_on_third_attempt():
    assert _attempt("third") >= 3, "not yet"


def test_always_fails():
    assert _attempt("always") < 0, "still broken"


@pytest.fixture
def flaky_service():
    if _attempt("setup") == 1:
        raise ConnectionRefusedError("[Errno 111] Connection refused: redis on 6381")
    return "up"


def test_setup_error_then_pass(flaky_service):
    assert flaky_service == "up"


@pytest.mark.skip(reason="not on this platform")
def test_skipped():
    pass


@pytest.mark.xfail(reason="known bug", strict=False)
def test_expected_failure():
    assert False


@pytest.mark.parametrize("n", [1, 2, 3])
def test_parametrized(n):
    assert n > 0
