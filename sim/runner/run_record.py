"""run.json's record of a batch: the fields written when it starts, when it finishes and when it
stops part-way, and the stopping rule it was given."""
from __future__ import annotations

from typing import Any

from sim.model.metrics import METRIC_NAMES
from sim.runner.batch import Batch
from sim.runner.provenance import now_utc, scenario_record, software
from sim.runner.stopping import StoppingRule


def stopping_rule(until_ci: StoppingRule | str | None) -> StoppingRule | None:
    """A stopping rule from "METRIC:HALF_WIDTH" (or as given)."""
    if until_ci is None or isinstance(until_ci, StoppingRule):
        return until_ci
    return StoppingRule.parse(until_ci, METRIC_NAMES)


def run_finished(batch: Batch, resume: bool) -> dict:
    """run.json fields of a batch that finished."""
    return {"status": "complete", "finished": now_utc(), "replications": batch.reps,
            "workers": batch.workers, "wall_seconds": round(batch.wall_seconds, 3),
            "events": batch.events,
            "resumed": {"replications_reused": batch.reused} if resume else None,
            "stopping": batch.stopping}


def run_stopped(error: BaseException, command: str | None) -> dict:
    """run.json fields of a batch that did not finish (its finished chunks are kept)."""
    interrupted = isinstance(error, KeyboardInterrupt)
    fields = {"status": "interrupted" if interrupted else "failed", "finished": now_utc(),
              "error": f"{type(error).__name__}: {error}"}
    if command:
        fields["resume_with"] = command if "--resume" in command.split() else f"{command} --resume"
    return fields


def run_started(scenarios: list, reps: int, seed: int, manifest: Any, executor: Any,
                scheduler: str | None, command: str | None, rule: StoppingRule | None,
                resume: bool) -> dict:
    """run.json as written when a batch starts (status "running")."""
    versions = software()
    seeds = [entry["seed"] for entry in manifest.scenarios]
    return {
        "status": "running",
        "command": command,
        "version": versions["caseload"],
        "started": now_utc(),
        "finished": None,
        "root_seed": seed,
        "replications": reps,
        "replications_requested": reps,
        "independent": manifest.independent,
        "scenarios": [scenario_record(scenario) | {"seed": one}
                      for scenario, one in zip(scenarios, seeds)],
        "executor": executor.name,
        "scheduler": scheduler,
        "workers": executor.workers,
        "chunk_size": manifest.chunk_size,
        "resume": resume,
        "resumed": None,
        "stopping": {"rule": str(rule)} if rule is not None else None,
        "wall_seconds": None,
        "events": None,
        "metric_names": list(METRIC_NAMES),
        "software": versions,
    }
