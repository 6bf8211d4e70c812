"""deploy/ checked without a container engine: the image installs the wheel it builds, Kubernetes and compose schedule
the day-end batch and notification delivery, every API replica and job shares one attachments volume, and each
``surety ...`` command they run exists with the options given (docs/operations.md, "Deploying")."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import typer
import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def _attachments_dir() -> str:
    """SURETY_VAR_DIR of the image plus the local backend's ``attachments`` (docs/attachments.md)."""
    (var_dir,) = re.findall(r"\bSURETY_VAR_DIR=(\S+)", _dockerfile())
    return f"{var_dir}/attachments"


def _manifests() -> list[dict]:
    return [doc for path in sorted((DEPLOY / "k8s").glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())
            if doc]


def _pod_specs(kind: str) -> dict[str, dict]:
    specs = {}
    for doc in _manifests():
        if doc["kind"] == kind == "Deployment":
            specs[doc["metadata"]["name"]] = doc["spec"]["template"]["spec"]
        elif doc["kind"] == kind == "CronJob":
            specs[doc["metadata"]["name"]] = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return specs


def _command(container: dict) -> str:
    return shlex.join([*container.get("command", []), *container.get("args", [])])


def test_the_image_installs_the_wheel_it_builds_in_an_earlier_stage():
    lines = [ln.strip() for ln in _dockerfile().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    stages = [i for i, ln in enumerate(lines) if ln.startswith("FROM ")]
    assert len(stages) >= 2, "multi-stage: build the wheel, then install it"
    build, final = " ".join(lines[stages[0]:stages[-1]]), " ".join(lines[stages[-1]:])
    assert re.search(r"pip wheel .*--no-deps|-m build .*--wheel", build)
    assert "COPY --from=" in final and re.search(r"pip install [^&]*\.whl", final)
    assert not re.search(r"pip install[^&]* (\.|-e)( |$)", final), "the image must not install the source tree"
    assert not re.search(r"^COPY \. ", final, re.M), "no source tree in the final image"


def test_kubernetes_runs_the_batch_daily_and_delivery_every_minute():
    cronjobs = {d["metadata"]["name"]: d for d in _manifests() if d["kind"] == "CronJob"}
    by_command = {_command(c): job for job in cronjobs.values()
                  for c in job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]}
    (batch,) = [job for cmd, job in by_command.items() if "surety batch run --date" in cmd]
    (deliver,) = [job for cmd, job in by_command.items() if "surety notifications deliver" in cmd]
    minute, hour, *rest = batch["spec"]["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"], "once a day at a fixed time"
    assert batch["spec"]["timeZone"] == "Asia/Shanghai"  # business dates are Beijing dates
    assert deliver["spec"]["schedule"] == "* * * * *"
    assert batch["spec"]["concurrencyPolicy"] == deliver["spec"]["concurrencyPolicy"] == "Forbid"


def test_every_kubernetes_replica_and_job_mounts_one_read_write_many_volume_at_the_attachments_directory():
    (claim,) = [d for d in _manifests()
                if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] == "surety-attachments"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    pods = {**_pod_specs("Deployment"), **_pod_specs("CronJob")}
    assert {"surety-api", "surety-day-end", "surety-notifications"} <= set(pods)
    for name, pod in pods.items():
        (volume,) = [v["name"] for v in pod["volumes"]
                     if v.get("persistentVolumeClaim", {}).get("claimName") == claim["metadata"]["name"]]
        for container in pod["containers"]:
            mounts = {(m["name"], m["mountPath"]) for m in container["volumeMounts"]}
            assert (volume, _attachments_dir()) in mounts, name


def test_compose_shares_one_named_volume_between_the_api_and_the_jobs():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    commands = {name: shlex.join(s.get("command", [])) for name, s in services.items()}
    batch = next(n for n, c in commands.items() if "surety batch run --date" in c)
    deliver = next(n for n, c in commands.items() if "surety notifications deliver" in c)
    assert "while true" in commands[batch] and "while true" in commands[deliver]  # compose has no cron: a loop
    volume = f"attachments:{_attachments_dir()}"
    assert "attachments" in compose["volumes"]  # a named volume, not a folder of one host
    for name in ("api", batch, deliver):
        assert volume in services[name]["volumes"], name


def _checkpoint_dir() -> str:
    """The audit checkpoints' default directory under the image's SURETY_VAR_DIR (core/settings.py)."""
    return _attachments_dir().rsplit("/", 1)[0] + "/audit-checkpoints"


def test_the_day_end_batch_keeps_audit_checkpoints_on_a_persistent_volume():
    """The batch signs audit checkpoints into SURETY_VAR_DIR/audit-checkpoints: a pod's own disk would lose them."""
    claims = {d["metadata"]["name"] for d in _manifests() if d["kind"] == "PersistentVolumeClaim"}
    pod = _pod_specs("CronJob")["surety-day-end"]
    volumes = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in pod["volumes"]}
    (container,) = pod["containers"]
    mounted = {volumes[m["name"]] for m in container["volumeMounts"] if m["mountPath"] == _checkpoint_dir()}
    assert mounted and mounted <= claims and "surety-attachments" not in mounted
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    batch = next(s for s in compose["services"].values() if "surety batch run" in shlex.join(s.get("command", [])))
    named = [v.split(":")[0] for v in batch["volumes"] if v.split(":")[1] == _checkpoint_dir()]
    assert named and named[0] in compose["volumes"]


def _cli():
    from surety.core.cli.main import app  # noqa: PLC0415 - builds the plugin registry when imported

    return typer.main.get_command(app)


def _argvs() -> list[list[str]]:
    """The command (argument list) of the image, of every compose service and of every Kubernetes container."""
    argvs = [json.loads(ln[len("CMD "):]) for ln in _dockerfile().splitlines() if ln.startswith("CMD ")]
    argvs += [s["command"] for s in yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"].values()
              if "command" in s]
    for doc in _manifests():
        spec = doc.get("spec", {})
        pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec", {})
        argvs += [[*c.get("command", []), *c.get("args", [])] for c in pod.get("containers", [])]
    return argvs


def _invocations() -> list[list[str]]:
    """Every ``surety ...`` command line those run (shell scripts split at ``&&``, ``;``, ``|`` and lines), as the
    arguments after ``surety``."""
    found = []
    for argv in _argvs():
        lines = [argv]
        if argv[:2] == ["sh", "-c"]:  # compose writes $$ for a literal $
            lines = [shlex.split(p) for p in re.split(r"&&|\|\||;|\||\n", argv[2].replace("$$", "$")) if p.strip()]
        found += [words[1:] for words in lines if words and words[0] == "surety"]
    return found


def test_every_surety_command_deploy_runs_exists_with_its_options():
    paths = set()
    for words in _invocations():
        command, rest, path = _cli(), list(words), ()
        while hasattr(command, "commands"):  # a group (typer vendors its own click)
            assert rest and rest[0] in command.commands, words
            path += (rest[0],)
            command = command.commands[rest.pop(0)]
        paths.add(path)
        options = {opt for param in command.params for opt in param.opts}
        assert {w.split("=")[0] for w in rest if w.startswith("--")} <= options, words
    assert {("serve",), ("db", "upgrade"), ("db", "grant"), ("batch", "run"), ("notifications", "deliver")} <= paths
