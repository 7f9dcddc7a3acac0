"""The sweep runner (landscape_lib.scale): same numbers on Ray and in-process, resumable after a kill,
failed tasks recorded and retried, result files that never unpickle, clear errors for bad configs.

Ray is optional: its tests skip without it (and fail under LANDSCAPE_REQUIRE_OPTIONAL=1, as in CI);
everything else runs always.  Problems are tiny (Freeman & Bruna's quadratic task on 200 points).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from landscape_lib.dss import DSSOptions
from landscape_lib.scale import (SweepConfig, load_config, load_level_sweep, load_tensors, ray_available, run_sweep,
                                 split_tasks, sweep_status)
from landscape_lib.scale.__main__ import main as cli
from landscape_lib.scale.results import read_task, task_tensors
from tests.helpers import require_optional

ROOT = Path(__file__).resolve().parents[1]

#: 4 tasks of about 0.1 s: quadratic regression, 2 pairs per task, 2 seeds x 2 thresholds.
TINY = SweepConfig(name="tiny", builder="quadratic", widths=(4,), seeds=(0, 2), pairs=2, thresholds=(0.1, 0.06),
                   train_max_steps=1000, train_lr=0.02, dss=DSSOptions(n_grid=20, lr=0.01, max_steps=1000, max_depth=3),
                   builder_options=dict(n_train=200, n_test=200))
#: 1e-4 is out of reach in 300 steps: that task raises (a genuine failure, not an injected one).
FAILING = TINY.replace(name="failing", seeds=(0,), thresholds=(0.1, 1e-4), train_max_steps=300)


def _tensors_by_task(out: Path, config: SweepConfig) -> dict[str, dict[str, torch.Tensor]]:
    return {t.id: task_tensors(out, t.id) for t in split_tasks(config)}


def _assert_same_results(out_a: Path, out_b: Path, config: SweepConfig) -> None:
    a, b = _tensors_by_task(out_a, config), _tensors_by_task(out_b, config)
    assert a.keys() == b.keys()
    for tid in a:
        assert a[tid].keys() == b[tid].keys(), tid
        for name in a[tid]:
            assert torch.equal(a[tid][name], b[tid][name]), f"{tid}: {name} differs"
        assert read_task(out_a, tid)["rows"] == read_task(out_b, tid)["rows"], tid


# -- configs --------------------------------------------------------------------------------------
def test_bundled_configs_load_and_round_trip(tmp_path: Path) -> None:
    small = load_config("lecture05_small")
    assert small.builder == "digits_mlp" and small.thresholds == (0.5, 0.3, 0.15, 0.08, 0.05, 0.035)
    assert small.dss == DSSOptions(alpha=0.98, slack=1.05, n_grid=20, insert="argmax", lr=1e-3, max_steps=2000,
                                   check_every=5, max_depth=6)  # the notebook's OPTIONS
    paper = ROOT / "landscape_lib" / "scale" / "configs" / "paper_scale.toml"
    quad, mnist = load_config(f"{paper}:quadratic_full"), load_config(f"{paper}:mnist_cnn")
    assert quad.dss.n_grid == 100 and quad.dss.alpha == 0.95 and quad.dss.slack == 1.1  # FB's polynomial scripts
    assert mnist.dss.n_grid == 20 and mnist.dss.insert == "argmax" and mnist.device == "cuda"
    with pytest.raises(ValueError, match="several sweeps"):
        load_config(paper)
    for config in (small, quad, mnist, TINY):
        assert SweepConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
        assert load_config(config.save(tmp_path / f"{config.name}.json")) == config


@pytest.mark.parametrize("change, arg, value", [
    (dict(pairs=0), "pairs", "0"),
    (dict(builder="resnet"), "builder", "'resnet'"),
    (dict(thresholds=(0.1, -0.2)), "thresholds", "-0.2"),
    (dict(thresholds=()), "thresholds", "()"),
    (dict(widths=(4, 4)), "widths", "[4, 4]"),
    (dict(kind="hessian"), "kind", "'hessian'"),
    (dict(dss=dict(alpha=2.0)), "alpha", "2.0"),
    (dict(dss=dict(colour="red")), "colour", "colour"),
    (dict(threads=0), "threads", "0"),
    (dict(device="tpu"), "device", "'tpu'"),
])
def test_bad_config_is_refused_naming_function_argument_and_value(change: dict, arg: str, value: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        TINY.replace(**change)
    message = str(info.value)
    assert "SweepConfig" in message and arg in message and value in message, message


def test_bad_files_and_arguments_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "typo.json"
    path.write_text(json.dumps({**TINY.to_dict(), "treshold": [0.1]}))
    with pytest.raises(ValueError, match=r"unknown key 'treshold'"):
        load_config(path)
    with pytest.raises(FileNotFoundError, match=r"load_config: argument `source`.*lecture05_small"):
        load_config("no_such_sweep")
    with pytest.raises(ValueError, match=r"run_sweep: argument `backend` must be one of .* got 'gpu'"):
        run_sweep(TINY, tmp_path / "x", backend="gpu")
    with pytest.raises(ValueError, match=r"run_sweep: argument `max_retries` must be an integer >= 0, got -1"):
        run_sweep(TINY, tmp_path / "x", max_retries=-1)
    run_sweep(TINY.replace(thresholds=(0.1,), seeds=(0,)), tmp_path / "one", backend="local")
    with pytest.raises(ValueError, match=r"run_sweep: argument `out_dir` .* holds a different sweep \(changed: thresholds\)"):
        run_sweep(TINY.replace(seeds=(0,)), tmp_path / "one", backend="local")


# -- the results folder ---------------------------------------------------------------------------
def test_local_run_writes_a_self_describing_folder_that_loads_into_the_lecture_plots(tmp_path: Path) -> None:
    report = run_sweep(TINY, tmp_path, backend="local")
    assert report.backend == "local" and not report.failed and sorted(report.executed) == sorted(t.id for t in split_tasks(TINY))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    run = manifest["runs"][-1]
    assert manifest["seeds"]["replicates"] == [0, 2] and run["code_version"].startswith(("git:", "landscape_lib"))
    assert {"torch", "numpy", "python"} <= set(run["packages"]) and run["machine"]["cpu_count"] == os.cpu_count()
    assert SweepConfig.from_dict(json.loads((tmp_path / "config.json").read_text())) == TINY
    import csv

    with open(tmp_path / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == TINY.n_tasks * TINY.pairs and {r["status"] for r in rows} == {"done"}
    sweep = load_level_sweep(tmp_path, seed=2)
    assert len(sweep) == len(TINY.thresholds) * TINY.pairs and sweep.levels == list(TINY.thresholds)
    for i, r in enumerate(sweep.results):
        # the table, the tensors and the rebuilt DSSResult agree, and the numbers are what they claim
        assert r.n_beads == int(sweep.n_beads[i]) and r.beads.shape[0] == r.n_beads
        steps = (r.beads[1:] - r.beads[:-1]).norm(dim=1).sum() / (r.beads[-1] - r.beads[0]).norm()
        assert float(sweep.normalized_length[i]) == pytest.approx(float(steps), rel=1e-9)
        if r.connected:
            assert float(r.segment_max.max()) <= sweep.slack * r.threshold
    from landscape_lib.plots.geometry import plot_barriers

    fig = plot_barriers(sweep, title="loaded from a results folder")
    assert fig.axes[0].get_xlabel().startswith("threshold")


def test_result_files_load_without_pickle_and_refuse_pickled_objects(tmp_path: Path) -> None:
    run_sweep(TINY.replace(thresholds=(0.1,), seeds=(0,)), tmp_path, backend="local")
    tid = split_tasks(TINY.replace(thresholds=(0.1,), seeds=(0,)))[0].id
    record = read_task(tmp_path, tid)
    file = tmp_path / "tasks" / record["tensors"]
    if file.suffix == ".pt":  # without safetensors: a plain dict of tensors, readable with weights_only=True
        data = torch.load(file, weights_only=True)
        assert all(isinstance(v, torch.Tensor) for v in data.values()) and "beads.0" in data
    evil = tmp_path / "evil.pt"
    torch.save({"beads.0": torch.zeros(3), "payload": Path("/etc/passwd")}, evil)  # an arbitrary pickled object
    with pytest.raises(Exception, match="Weights only load failed|Unsupported global"):
        load_tensors(evil)
    if file.suffix == ".pt":
        evil.replace(file)  # a tampered result file is refused too
        with pytest.raises(Exception, match="Weights only load failed|Unsupported global"):
            task_tensors(tmp_path, tid)


def test_failing_task_is_recorded_retried_once_and_rerun(tmp_path: Path) -> None:
    report = run_sweep(FAILING, tmp_path, backend="local", max_retries=1)
    bad, good = (t.id for t in reversed(split_tasks(FAILING)))
    assert report.attempts == {good: 1, bad: 2}, "a failing task is retried once, a good one runs once"
    assert set(report.failed) == {bad} and "did not reach the criterion" in report.failed[bad]
    record = read_task(tmp_path, bad)
    assert record["status"] == "failed" and record["attempts"] == 2 and "RuntimeError" in record["error"]
    status = sweep_status(tmp_path)
    assert status.done == (good,) and list(status.failed) == [bad] and not status.complete
    assert f"FAILED {bad}" in status.format()
    table = (tmp_path / "results.csv").read_text()
    assert f"{bad},4,0,0.0001,,failed,2" in table and "did not reach the criterion" in table
    again = run_sweep(FAILING, tmp_path, backend="local", max_retries=0)
    assert again.executed == (bad,) and again.skipped == (good,) and again.attempts == {bad: 1}
    assert len(json.loads((tmp_path / "manifest.json").read_text())["runs"]) == 2


def test_interrupted_run_resumes_with_only_the_missing_tasks(tmp_path: Path) -> None:
    tasks = [t.id for t in split_tasks(TINY)]
    seen: list[str] = []

    def interrupt_after_two(task_id: str) -> None:
        seen.append(task_id)
        if len(seen) == 2:
            raise KeyboardInterrupt  # what Ctrl-C does between two tasks

    with pytest.raises(KeyboardInterrupt):
        run_sweep(TINY, tmp_path / "cut", backend="local", after_task=interrupt_after_two)
    assert sweep_status(tmp_path / "cut").done == tuple(tasks[:2])
    # Debris of a run killed mid-write: a temporary file, and a tensor file whose JSON never came.
    (tmp_path / "cut" / "tasks" / f".{tasks[2]}.json.tmp-999").write_text('{"status": "do')
    (tmp_path / "cut" / "tasks" / f"{tasks[2]}.pt").write_bytes(b"half")
    rerun = run_sweep(TINY, tmp_path / "cut", backend="local")
    assert rerun.executed == tuple(tasks[2:]) and rerun.skipped == tuple(sorted(tasks[:2]))
    run_sweep(TINY, tmp_path / "whole", backend="local")
    _assert_same_results(tmp_path / "cut", tmp_path / "whole", TINY)


def test_killed_process_resumes_with_only_the_missing_tasks(tmp_path: Path) -> None:
    """An honest kill: the CLI in a subprocess, SIGKILLed once two tasks are on disk."""
    config = TINY.replace(name="killed", seeds=(0, 2, 4), thresholds=(0.1, 0.08, 0.06),
                          builder_options=dict(n_train=2000, n_test=2000))
    path = config.save(tmp_path / "killed.json")
    out = tmp_path / "out"
    env = {**os.environ, "TQDM_DISABLE": "1"}
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err, subprocess.Popen([sys.executable, "-m", "landscape_lib.scale", "run", str(path), "--out",
                                                  str(out), "--backend", "local"], cwd=ROOT, env=env,
                                                 stdout=subprocess.DEVNULL, stderr=err) as proc:
        deadline = time.monotonic() + 120
        while len(sweep_status(out).done if (out / "config.json").exists() else ()) < 2:
            assert proc.poll() is None, f"the run ended before it could be killed: {log.read_text()[-500:]}"
            assert time.monotonic() < deadline, "the run did not finish two tasks in 120 s"
            time.sleep(0.02)
        proc.kill()
    done = set(sweep_status(out).done)
    assert 2 <= len(done) < config.n_tasks, f"killed too late to test resuming: {len(done)} tasks done"
    rerun = run_sweep(config, out, backend="local")
    assert set(rerun.executed) == {t.id for t in split_tasks(config)} - done and set(rerun.skipped) == done
    assert sweep_status(out).complete


def test_energy_gap_sweep_and_cli_status(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = TINY.replace(name="gap", kind="energy_gap", seeds=(0,), thresholds=(0.1,), gap_max_rounds=3)
    run_sweep(config, tmp_path, backend="local")
    rows = read_task(tmp_path, split_tasks(config)[0].id)["rows"]
    assert len(rows) == config.pairs
    for r in rows:  # the bracket: floor <= search failed below <= certified gap <= the starting upper level
        assert r["floor"] <= r["lower_level"] <= r["gap"] <= config.gap_upper_factor * 0.1 * config.dss.slack
        assert r["resolution"] == pytest.approx(r["gap"] - r["lower_level"])
    with pytest.raises(ValueError, match="only 'dss' sweeps load"):
        load_level_sweep(tmp_path)
    assert cli(["status", str(tmp_path)]) == 0
    assert "1 of 1 tasks done, 0 failed" in capsys.readouterr().out
    assert cli(["run", "no_such_sweep", "--out", str(tmp_path / "x")]) == 2
    assert "load_config: argument `source`" in capsys.readouterr().err


def test_without_ray_auto_runs_in_process_and_ray_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import landscape_lib.scale.runner as runner

    monkeypatch.setattr(runner, "ray_available", lambda: False)
    config = TINY.replace(seeds=(0,), thresholds=(0.1,))
    assert run_sweep(config, tmp_path, backend="auto").backend == "local"
    with pytest.raises(ImportError, match=r"run_sweep: backend='ray' needs Ray; install it with .*\[scale\]"):
        run_sweep(config, tmp_path / "r", backend="ray")


def test_importing_the_library_or_the_runner_does_not_import_ray() -> None:
    code = "import sys, landscape_lib, landscape_lib.scale; sys.exit(1 if 'ray' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# -- Ray ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def local_ray():
    """Ray on 2 CPUs, started once for the module's Ray tests and shut down afterwards."""
    require_optional(ray_available(), "Ray", 'install it with python -m pip install -e ".[scale]"')
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_and_in_process_runs_give_identical_results(local_ray, tmp_path: Path) -> None:
    small = load_config("lecture05_small").replace(pairs=2, thresholds=(0.5, 0.08))
    config = TINY
    for cfg, name in ((config, "tiny"), (small, "lecture05")):
        ray_run = run_sweep(cfg, tmp_path / f"{name}-ray", backend="ray", workers=2)
        local = run_sweep(cfg, tmp_path / f"{name}-local", backend="local")
        assert ray_run.backend == "ray" and not ray_run.failed and not local.failed
        assert sorted(ray_run.executed) == sorted(local.executed)
        _assert_same_results(tmp_path / f"{name}-ray", tmp_path / f"{name}-local", cfg)
    assert load_level_sweep(tmp_path / "lecture05-ray").format() == load_level_sweep(tmp_path / "lecture05-local").format()


def test_ray_records_and_retries_a_failing_task(local_ray, tmp_path: Path) -> None:
    report = run_sweep(FAILING, tmp_path, backend="ray", workers=2, max_retries=1)
    bad, good = (t.id for t in reversed(split_tasks(FAILING)))
    assert report.attempts == {good: 1, bad: 2} and set(report.failed) == {bad}
    assert "did not reach the criterion" in report.failed[bad] and "did not reach" in read_task(tmp_path, bad)["error"]
    assert list(sweep_status(tmp_path).failed) == [bad]
