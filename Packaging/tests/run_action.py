#!/usr/bin/env python3
"""Runs the composite action in action.yml the way a GitHub runner would, on this machine, for
Tests/Scripts/action_test.sh: its `run` steps in bash with the GITHUB_* files, `${{ }}`
expressions, `if:` conditions (success() unless always()), and actions/cache restore and save
against a folder standing in for the Actions cache.

Usage: run_action.py ACTION_YML WORKSPACE CACHE_DIR WITH_JSON
Environment: GITHUB_JOB, GITHUB_REF_NAME, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, DEFAULT_BRANCH.
Prints the steps' output, then one line `outputs: {json}`; exits 1 when a step failed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml


def lookup(path, context):
    value = context
    for part in path.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part, "")
    return value


def evaluate(expression, context):
    """The expressions action.yml uses: paths, 'literals', ==, &&, always()."""
    expression = expression.strip()
    if "&&" in expression:
        return all(evaluate(part, context) for part in expression.split("&&"))
    if expression == "always()":
        return True
    if "==" in expression:
        left, right = (evaluate(part, context) for part in expression.split("==", 1))
        return left == right
    if expression.startswith("'") and expression.endswith("'"):
        return expression[1:-1]
    return lookup(expression, context)


def substitute(text, context):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), context)), str(text))


def read_outputs(path):
    outputs, lines = {}, open(path).read().split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1:end])
            index = end
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        index += 1
    return outputs


def cache_step(uses, inputs, workspace, cache):
    path = os.path.join(workspace, inputs["path"])
    key = inputs["key"]
    if uses.startswith("actions/cache/restore"):
        candidates = [key] if os.path.isdir(os.path.join(cache, key)) else []
        for prefix in (inputs.get("restore-keys") or "").split("\n"):
            if prefix and not candidates:
                found = [name for name in os.listdir(cache) if name.startswith(prefix)]
                candidates = sorted(found, key=lambda name: os.path.getmtime(os.path.join(cache, name)))[-1:]
        if candidates:
            shutil.copytree(os.path.join(cache, candidates[0]), path, dirs_exist_ok=True)
            print(f"cache: restored {candidates[0]}")
        else:
            print("cache: no cache found")
        return {"cache-matched-key": candidates[0] if candidates else ""}
    if uses.startswith("actions/cache/save"):
        if os.path.isdir(os.path.join(cache, key)):
            print(f"cache: {key} exists; not saved")
        elif os.path.isdir(path):
            shutil.copytree(path, os.path.join(cache, key))
            print(f"cache: saved {key}")
        else:
            print(f"cache: {path} does not exist; not saved")
        return {}
    raise SystemExit(f"run_action: no stand-in for {uses}")


def main():
    action_file, workspace, cache, given = sys.argv[1:5]
    action = yaml.safe_load(open(action_file))
    root = os.path.dirname(os.path.abspath(action_file))
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    for name, value in json.loads(given).items():
        if name not in inputs:
            raise SystemExit(f"run_action: the action has no input {name}")
        inputs[name] = value
    temp = tempfile.mkdtemp(prefix="runner-temp-")
    env = dict(os.environ)
    env.update(GITHUB_WORKSPACE=workspace, GITHUB_ACTION_PATH=root, RUNNER_TEMP=temp, GITHUB_ACTIONS="true")
    context = {
        "inputs": inputs, "steps": {}, "runner": {"temp": temp},
        "github": {"job": env.get("GITHUB_JOB", ""), "ref_name": env.get("GITHUB_REF_NAME", ""),
                   "run_id": env.get("GITHUB_RUN_ID", ""),
                   "event": {"repository": {"default_branch": env.get("DEFAULT_BRANCH", "main")}}},
    }
    failed = False
    for number, step in enumerate(action["runs"]["steps"]):
        condition = step.get("if", "success()")
        runs = evaluate(condition.replace("success()", "'ok'"), context) if "always()" in condition else (
            not failed and (condition == "success()" or evaluate(condition, context)))
        if not runs:
            print(f"--- skipped: {step.get('name')}")
            continue
        print(f"--- {step.get('name')}")
        sys.stdout.flush()
        outputs = {}
        if "uses" in step:
            outputs = cache_step(step["uses"], {k: substitute(v, context) for k, v in step["with"].items()},
                                 workspace, cache)
            outcome = "success"
        else:
            files = {name: os.path.join(temp, f"{name}-{number}") for name in ("GITHUB_OUTPUT", "GITHUB_PATH")}
            for path in files.values():
                open(path, "w").close()
            step_env = dict(env, **files, GITHUB_STEP_SUMMARY=os.path.join(temp, f"summary-{number}.md"))
            step_env.update({k: substitute(v, context) for k, v in (step.get("env") or {}).items()})
            script = os.path.join(temp, f"step-{number}.sh")
            with open(script, "w") as file:
                file.write(substitute(step["run"], context))
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=workspace,
                                  env=step_env)
            outcome = "success" if done.returncode == 0 else "failure"
            outputs = read_outputs(files["GITHUB_OUTPUT"])
            for folder in open(files["GITHUB_PATH"]).read().split():
                env["PATH"] = folder + os.pathsep + env["PATH"]
            if os.path.exists(step_env["GITHUB_STEP_SUMMARY"]):
                shutil.copy(step_env["GITHUB_STEP_SUMMARY"], os.path.join(workspace, "step-summary.md"))
        failed = failed or outcome == "failure"
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": outputs, "outcome": outcome}
    results = {name: substitute(spec["value"], context) for name, spec in action.get("outputs", {}).items()}
    print("outputs: " + json.dumps(results, sort_keys=True))
    shutil.rmtree(temp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
