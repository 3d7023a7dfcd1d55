"""pytest plugin: store the session in the triage history, every attempt of every test.

Off unless asked:

* ``pytest --triage`` writes a JUnit result file with every attempt of every test (the failed
  attempts that pytest-rerunfailures and flaky retry as Surefire's ``flakyFailure`` and
  ``rerunFailure`` elements) and stores it with ``triage ingest`` when the session ends
  (``--triage-db``, ``--triage-variant k=v``, ``--triage-run-id`` as for ``triage ingest``);
* ``--triage-quarantine`` marks the tests quarantined in the database as ``xfail(strict=False)``
  with the reason and owner.

Under pytest-xdist only the controller writes and stores the file: the workers' reports reach it
through ``pytest_runtest_logreport``. Attempts that a plugin runs without reporting them (flaky
hides the failures it retries) are attached to the next report the worker sends, so they cross
to the controller too.
"""

from __future__ import annotations

import datetime
import os
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET

import pytest

from triage_cli import find_triage_bin

try:  # pytest 9 shortens the message attribute this way; match it where it exists
    from _pytest.junitxml import shorten_message as _shorten_message
except ImportError:  # pragma: no cover - older pytest

    def _shorten_message(message):
        return message


_HIDDEN = "triage_hidden"
_ILLEGAL_XML = re.compile("[^\u0009\u000a\u000d\u0020-\u007e\u0080-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def pytest_addoption(parser):
    group = parser.getgroup("triage", "store the session in the triage history")
    group.addoption(
        "--triage", action="store_true", default=False,
        help="store every attempt of every test in the triage history when the session ends",
    )
    group.addoption(
        "--triage-db", metavar="PATH", default=None,
        help="the triage database (default: $TRIAGE_DB, else .triage/triage.sqlite)",
    )
    group.addoption(
        "--triage-variant", metavar="KEY=VALUE", action="append", default=[],
        help="a condition the tests ran under, added to every test (repeatable), as triage ingest --variant",
    )
    group.addoption(
        "--triage-run-id", metavar="KEY", default=None,
        help="the run to store into (shards and re-runs of one job share it), as triage ingest --run-id",
    )
    group.addoption(
        "--triage-results", metavar="FILE", default=None,
        help="where to write the result file that is stored (default: pytest-results.xml beside the database)",
    )
    group.addoption(
        "--triage-quarantine", action="store_true", default=False,
        help="mark the tests quarantined in the triage database as xfail(strict=False)",
    )


def pytest_configure(config):
    options = config.option
    if not (options.triage or options.triage_quarantine):
        return
    # pytest picks its root folder before it knows plugin options, reading an existing PATH after
    # `--triage-db` as a test path: the root folder, and with it every test id, would change
    # once the database exists. `--triage-db=PATH` is one word and is not read so.
    given = [*config.invocation_params.args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]
    for name in ("--triage-db", "--triage-results"):
        if name in given:
            raise pytest.UsageError(f"{name} PATH: write {name}=PATH (pytest would read a separate PATH as a test path)")
    for variant in options.triage_variant:
        key, equals, _ = variant.partition("=")
        if not equals or not key:
            raise pytest.UsageError(f"--triage-variant {variant}: write a variant as key=value, e.g. python=3.12")
    config.pluginmanager.register(TriagePlugin(config), "triage-session")


class TriagePlugin:
    def __init__(self, config):
        self.config = config
        options = config.option
        self.database = options.triage_db
        self.store = options.triage
        # Under xdist the workers run the tests and the controller stores the session.
        self.is_worker = hasattr(config, "workerinput")
        self.records = self.store and not self.is_worker
        self.pending = {}
        self.cases = {}
        self.collect_errors = {}
        self.started = datetime.datetime.now(datetime.timezone.utc)
        self.outcome_line = None
        self.quarantine = None
        if options.triage_quarantine:
            self.quarantine = self._load_quarantine()

    # MARK: - Quarantine

    def _database_arguments(self):
        return ["--db", self.database] if self.database else []

    def _database_path(self):
        return self.database or os.environ.get("TRIAGE_DB") or os.path.join(".triage", "triage.sqlite")

    def _load_quarantine(self):
        """The active quarantine as `triage quarantine export --format pytest` writes it: the same
        id mapping and glob matching as the CI gate, so pytest and `triage ci` agree."""
        if not os.path.exists(self._database_path()):
            return None
        try:
            command = [find_triage_bin(), "quarantine", "export", "--format", "pytest", *self._database_arguments()]
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError as error:
            raise pytest.UsageError(f"--triage-quarantine: {error}") from error
        if done.returncode != 0:
            raise pytest.UsageError(f"--triage-quarantine: {done.stderr.strip() or 'triage quarantine export failed'}")
        namespace = {"__name__": "triage_quarantine"}
        exec(compile(done.stdout, "<triage quarantine export>", "exec"), namespace)
        return namespace

    def pytest_collection_modifyitems(self, config, items):
        if not self.quarantine:
            return
        # The export's own matching (ids as `--junitxml` writes them, globs as the gate reads
        # them), tried on the id alone and, with --triage-variant, on the id the test is stored
        # under: a test quarantined on one variant only is quarantined in that session only.
        exact, patterns = self.quarantine["EXACT"], self.quarantine["PATTERNS"]
        glob_matches, triage_id = self.quarantine["_glob_matches"], self.quarantine["_triage_id"]
        suffix = _variant_suffix(config.option.triage_variant)
        for item in items:
            test = triage_id(item.nodeid, getattr(config.option, "junitprefix", None))
            for form in (test, test + suffix) if suffix else (test,):
                reason = exact.get(form)
                if reason is None:
                    reason = next((why for pattern, why in patterns if glob_matches(pattern, form)), None)
                if reason is not None:
                    item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
                    break

    # MARK: - Attempts

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        made = yield
        # Every report made, logged or not: flaky retries a failure without logging it.
        if self.store:
            report = made.get_result()
            self.pending.setdefault(report.nodeid, []).append(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        # On the process that ran the test (before xdist sends the report on): the reports made
        # but never logged before this one are attempts too.
        made = self.pending.get(report.nodeid)
        if made is not None:
            position = next((index for index, each in enumerate(made) if each is report), None)
            if position is not None:
                if position:
                    setattr(report, _HIDDEN, [_phase(each) for each in made[:position]])
                del made[: position + 1]
                if not made:
                    del self.pending[report.nodeid]
        if not self.records:
            return
        case = self.cases.setdefault(report.nodeid, _Case(report.nodeid, report.location))
        for phase in getattr(report, _HIDDEN, None) or []:
            case.add(phase)
        case.add(_phase(report))

    def pytest_collectreport(self, report):
        if self.records and report.failed:
            self.collect_errors[report.nodeid] = _text(report.longrepr)

    # MARK: - Storing the session

    def pytest_sessionfinish(self, session, exitstatus):
        if not self.records:
            return
        if not self.cases and not self.collect_errors:
            self.outcome_line = "triage: no test ran; nothing stored"
            return
        results = self.config.option.triage_results or os.path.join(
            os.path.dirname(self._database_path()) or ".", "pytest-results.xml")
        try:
            os.makedirs(os.path.dirname(results) or ".", exist_ok=True)
            self._write(results)
        except OSError as error:
            return self._failed(session, f"cannot write {results}: {error.strerror or error}")
        try:
            command = [find_triage_bin(), "ingest", results, *self._database_arguments()]
        except FileNotFoundError as error:
            return self._failed(session, str(error))
        for variant in self.config.option.triage_variant:
            command += ["--variant", variant]
        if self.config.option.triage_run_id:
            command += ["--run-id", self.config.option.triage_run_id]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError as error:
            return self._failed(session, f"cannot run {command[0]}: {error.strerror or error}")
        if done.returncode != 0:
            return self._failed(session, done.stderr.strip() or f"triage ingest exited {done.returncode}")
        attempts = sum(len(case.attempts) for case in self.cases.values())
        self.outcome_line = (
            f"triage: stored {len(self.cases)} tests, {attempts} attempts ({results}): "
            + " ".join(done.stdout.split())
        )

    def _failed(self, session, reason):
        self.outcome_line = f"triage: the session was NOT stored: {reason}"
        # The tests' own result stands; a session that passed but was not stored says so.
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR

    def pytest_terminal_summary(self, terminalreporter):
        if self.outcome_line:
            terminalreporter.write_line(self.outcome_line)

    def _write(self, path):
        prefix = getattr(self.config.option, "junitprefix", None)
        suite = ET.Element("testsuite", name="pytest", timestamp=self.started.isoformat(timespec="seconds"))
        outcomes = []
        for nodeid, text in self.collect_errors.items():
            element = ET.SubElement(suite, "testcase", _names(nodeid, prefix))
            _result(element, "error", "collection failure", text)
            outcomes.append("error")
        for case in self.cases.values():
            outcomes += [outcome for _, outcome in case.elements(suite, prefix)]
        suite.set("tests", str(len(outcomes)))
        for key, outcome in (("failures", "failed"), ("errors", "error"), ("skipped", "skipped")):
            suite.set(key, str(outcomes.count(outcome)))
        root = ET.Element("testsuites", name="pytest tests")
        root.append(suite)
        temporary = path + ".tmp"
        ET.ElementTree(root).write(temporary, encoding="utf-8", xml_declaration=True)
        os.replace(temporary, path)


# MARK: - From reports to attempts


def _escape(text):
    """pytest's junitxml escaping of characters XML cannot hold, so ids match `--junitxml`'s."""
    return _ILLEGAL_XML.sub(lambda found: f"#x{ord(found.group()):02X}" if ord(found.group()) <= 0xFF
                            else f"#x{ord(found.group()):04X}", str(text))


def _variant_suffix(variants):
    """` [key=value, …]` as triage shows a test's variant (keys sorted, `,` and `\\` escaped)."""
    pairs = dict(variant.split("=", 1) for variant in variants)
    if not pairs:
        return ""
    shown = (f"{key}={value.replace(chr(92), chr(92) * 2).replace(',', chr(92) + ',')}"
             for key, value in sorted(pairs.items()))
    return " [" + ", ".join(shown) + "]"


def _text(longrepr):
    return "" if longrepr is None else str(longrepr)


def _crash_message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    return crash.message if crash is not None else _text(report.longrepr)


def _phase(report):
    """What one report says, as plain values (they cross from xdist workers as JSON)."""
    phase = {"when": report.when, "outcome": report.outcome, "duration": getattr(report, "duration", 0.0) or 0.0,
             "stdout": getattr(report, "capstdout", ""), "stderr": getattr(report, "capstderr", "")}
    if hasattr(report, "wasxfail"):
        phase["wasxfail"] = report.wasxfail
    if report.outcome in ("failed", "rerun"):
        phase["message"] = _crash_message(report)
        phase["text"] = _text(report.longrepr)
    elif report.outcome == "skipped" and "wasxfail" not in phase:
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            phase["message"] = str(longrepr[2]).removeprefix("Skipped: ")
            phase["text"] = f"{longrepr[0]}:{longrepr[1]}: {phase['message']}"
        else:
            phase["message"] = _text(longrepr)
    return phase


class _Attempt:
    """One execution of a test, setup to teardown."""

    def __init__(self):
        self.phases = []

    def outcome(self):
        """(outcome, element, message, text) of this execution, teardown left out."""
        for phase in self.phases:
            when, outcome = phase["when"], phase["outcome"]
            if when == "teardown":
                continue
            if outcome in ("failed", "rerun"):
                if when == "setup":
                    return "error", "error", f'failed on setup with "{phase["message"]}"', phase["text"]
                return "failed", "failure", phase["message"], phase["text"]
            if outcome == "skipped":
                if "wasxfail" in phase:
                    return "skipped", "skipped", phase["wasxfail"].removeprefix("reason: "), None
                return "skipped", "skipped", phase.get("message"), phase.get("text")
        return "passed", None, None, None

    def teardown_failure(self):
        failed = [p for p in self.phases if p["when"] == "teardown" and p["outcome"] in ("failed", "rerun")]
        return failed[0] if failed else None

    def duration(self):
        return sum(phase["duration"] for phase in self.phases)

    def output(self, stream):
        return "".join(phase.get(stream) or "" for phase in self.phases)


class _Case:
    """Every attempt of one test, from its reports in the order they came."""

    def __init__(self, nodeid, location):
        self.nodeid = nodeid
        self.location = location
        self.attempts = []

    def add(self, phase):
        # A setup starts an execution; pytest-rerunfailures and flaky both begin each retry there.
        if not self.attempts or (phase["when"] == "setup" and self.attempts[-1].phases):
            self.attempts.append(_Attempt())
        self.attempts[-1].phases.append(phase)

    def elements(self, suite, prefix):
        """Writes the test as Surefire writes a rerun test: the decisive attempt is the case's own
        result, failed attempts before a final pass are flakyFailure/flakyError, failed attempts
        after the first failure are rerunFailure/rerunError. An error in the last teardown is a
        second element, as pytest writes it. Yields (element, outcome) per element."""
        attributes = _names(self.nodeid, prefix)
        if self.location and self.location[0]:
            attributes["file"] = self.location[0]
            if self.location[1] is not None:
                attributes["line"] = str(self.location[1] + 1)
        executions = [attempt.outcome() for attempt in self.attempts]
        # An execution retried because its teardown failed is a failed execution.
        for index, attempt in enumerate(self.attempts[:-1]):
            teardown = attempt.teardown_failure()
            if teardown and executions[index][0] in ("passed", "skipped"):
                executions[index] = ("error", "error", f'failed on teardown with "{teardown["message"]}"',
                                     teardown["text"])
        final = executions[-1]
        last = self.attempts[-1]
        element = ET.SubElement(suite, "testcase", attributes, time=f"{last.duration():.3f}")
        failing = [index for index, execution in enumerate(executions) if execution[0] in ("failed", "error")]
        if final[0] in ("failed", "error"):
            decisive = failing[0]
            retries = [index for index in failing if index > decisive]
            _result(element, *executions[decisive][1:])
            for index in retries:
                _result(element, "rerun" + executions[index][1].capitalize(), *executions[index][2:],
                        stdout=self.attempts[index].output("stdout"), stderr=self.attempts[index].output("stderr"))
            _output(element, self.attempts[decisive].output("stdout"), self.attempts[decisive].output("stderr"))
        else:
            for index in failing:
                _result(element, "flaky" + executions[index][1].capitalize(), *executions[index][2:],
                        stdout=self.attempts[index].output("stdout"), stderr=self.attempts[index].output("stderr"))
            if final[1]:
                _result(element, *final[1:])
            _output(element, last.output("stdout"), last.output("stderr"))
        yield element, final[0]
        teardown = last.teardown_failure()
        if teardown:
            extra = ET.SubElement(suite, "testcase", attributes, time="0.000")
            _result(extra, "error", f'failed on teardown with "{teardown["message"]}"', teardown["text"])
            yield extra, "error"


def _names(nodeid, prefix):
    """classname and name as pytest's junitxml writes them for a node id."""
    path, bracket, params = nodeid.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    classnames = names[:-1]
    if prefix:
        classnames.insert(0, prefix)
    return {"classname": ".".join(classnames), "name": _escape(names[-1])}


def _result(element, tag, message, text, stdout="", stderr=""):
    """A result child; Surefire's flaky and rerun elements hold their trace in <stackTrace>."""
    child = ET.SubElement(element, tag)
    if message is not None:
        child.set("message", _escape(_shorten_message(message) if tag != "skipped" else message))
    if tag.startswith(("flaky", "rerun")):
        if text:
            ET.SubElement(child, "stackTrace").text = _escape(text)
        _output(child, stdout, stderr)
    elif text:
        child.text = _escape(text)


def _output(element, stdout, stderr):
    if stdout:
        ET.SubElement(element, "system-out").text = _escape(stdout)
    if stderr:
        ET.SubElement(element, "system-err").text = _escape(stderr)
