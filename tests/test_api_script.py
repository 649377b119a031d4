"""The README's Python API example pasted into a plain script (issue 20, Build 5): no
`if __name__ == "__main__":`, worker processes on, and it must run. Spawned workers used to
re-run the script, each calling `sim.run` again: RuntimeErrors, then "worker processes died
again"."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SMALLER = [  # (README text, its stand-in): few replications of a short run, results in tmp
    ('{"years": 3}', '{"years": 0.2, "warmup_days": 0}'),
    ("reps=2000", "reps=4"),
    ("reps=200", "reps=2"),
    ('out="results/plan"', "out=OUT"),
]


def readme_api_example() -> str:
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = readme[readme.index("## Python API"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_api_example_runs_from_a_plain_script_with_worker_processes(tmp_path):
    code = readme_api_example()
    assert "__main__" not in code and "workers=None" in code
    for old, new in SMALLER:
        assert old in code, old
        code = code.replace(old, new)
    script = tmp_path / "example.py"
    script.write_text(f"OUT = {str(tmp_path / 'plan')!r}\n{code}\n"
                      "print('done', res.values('manchester-2016-plan', 'caseload_mean').shape)\n",
                      encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "RuntimeError" not in done.stderr
    assert done.stdout.splitlines()[-1].startswith("done (2, ")
    assert (tmp_path / "plan" / "results.xlsx").exists()


def test_the_api_shows_progress_in_a_notebook_by_default(monkeypatch, capsys):
    """A Jupyter kernel's stderr is no terminal but is shown: the API's bar goes there (tqdm.auto
    draws a widget where ipywidgets is installed, else text)."""
    from builders import scenario

    import sim

    tiny = scenario({"years": 0.1})
    sim.run(tiny, reps=2, workers=1)
    assert capsys.readouterr().err == ""   # neither a terminal nor a notebook: no bar
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    sim.run(tiny, reps=2, workers=1)
    assert "2/2" in capsys.readouterr().err
    sim.run(tiny, reps=2, workers=1, progress=False)
    assert capsys.readouterr().err == ""
