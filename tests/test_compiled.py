"""The compiled case kernel (docs/compiled.md) against the pure-Python modules, its reference.

The tests import `sim` from the checkout. Built in place (`python setup.py build_ext --inplace`),
the compiled modules sit beside their sources and every test runs them; else every test runs the
pure-Python ones. So that both paths are checked whichever the checkout has:
- the C heaps (`sim.model._heaps`) and the pure ones (`sim.model.heaps`) go through the same
  random operations and must give the same answers (on the installed copy's C heaps, in a process
  of their own, where the checkout is not built);
- an installed copy of this very checkout (`pip install .`, as CI does before pytest) runs the
  pinned short runs of `test_results_pinned` in a process of its own, from outside the checkout, and
  must give the pinned hashes, compiled or not;
- compiled modules in the checkout must not be older than their sources (a stale build would be
  run in their place).
"""
from __future__ import annotations

import importlib.util
import random
import subprocess
import sys
from importlib import metadata
from itertools import count
from pathlib import Path

import pytest
from test_results_pinned import PINNED, QUICK, SCENARIOS, sha256

from sim.model.people import PERMANENT, Worker

CHECKOUT = Path(__file__).resolve().parents[1]
MODEL = CHECKOUT / "sim" / "model"
EXTENSIONS = (".so", ".pyd")


def pure_heaps():
    """`sim.model.heaps` as pure Python: loaded afresh with its compiled twin blocked."""
    spec = importlib.util.spec_from_file_location("pure_heaps", MODEL / "heaps.py")
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("sim.model._heaps")
    sys.modules["sim.model._heaps"] = None  # importing it raises ImportError
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["sim.model._heaps"]
        else:
            sys.modules["sim.model._heaps"] = saved
    return module


def compiled_heaps():
    return pytest.importorskip("sim.model._heaps", reason="the C heaps are not built here")


def test_the_pure_heaps_are_the_pure_ones():
    heaps = pure_heaps()
    assert heaps.CaseEvents.__module__ == heaps.WorkerHeap.__module__ == "pure_heaps"


@pytest.mark.parametrize("seed", range(20))
def test_case_events_come_out_in_the_same_order_compiled_or_not(seed):
    rng = random.Random(seed)
    pure, compiled = pure_heaps().CaseEvents(count(1)), compiled_heaps().CaseEvents(count(1))
    days = [rng.uniform(0, 50) for _ in range(8)]  # few distinct days: many ties
    for step in range(3000):
        if rng.random() < 0.55:
            day = rng.choice(days) if rng.random() < 0.5 else rng.uniform(0, 50)
            for events in (pure, compiled):
                events.push(day, print, step)
        elif pure.first_day() < float("inf"):
            assert compiled.first_sequence() == pure.first_sequence()
            assert compiled.pop() == pure.pop()
        assert compiled.first_day() == pure.first_day()
        if rng.random() < 0.001:
            pure.clear()
            compiled.clear()


@pytest.mark.parametrize("seed", range(20))
def test_workers_come_out_on_top_in_the_same_order_compiled_or_not(seed):
    """Caseloads, caps and days from small sets, so that keys tie on one part or two."""
    rng = random.Random(seed)
    pure, compiled = pure_heaps().WorkerHeap(), compiled_heaps().WorkerHeap()
    workers = [Worker(PERMANENT, "sw", 20.0, 0.0) for _ in range(12)]

    def rekey(worker, replace_top=False):
        worker.n = rng.randrange(0, 6)
        worker.cap = rng.choice((4.0, 5.0, 2.5))
        worker.last_allocation_day = rng.choice((0.0, 1.5, 3.0, rng.uniform(0, 9)))
        worker.version += 1
        for heap in (pure, compiled):
            (heap.replace_top if replace_top else heap.push)(worker)

    for step in range(3000):
        action = rng.random()
        if action < 0.45:
            rekey(rng.choice(workers))
        elif action < 0.75:
            top = pure.top()
            assert compiled.top() is top
            if top is not None:
                rekey(top, replace_top=True)
        elif action < 0.85:
            rng.choice(workers).version += 1  # its entries go stale
        elif action < 0.95:
            for heap in (pure, compiled):
                heap.rebuild()
        elif action < 0.951:
            for heap in (pure, compiled):
                heap.clear()
        assert len(compiled) == len(pure)
        assert compiled.top() is pure.top()


def test_compiled_modules_in_the_checkout_are_not_older_than_their_sources():
    stale = []
    for built in MODEL.iterdir():
        if built.suffix not in EXTENSIONS:
            continue
        name = built.name.split(".")[0]
        sources = [MODEL / f"{name}{suffix}" for suffix in (".py", ".pxd", ".pyx")]
        newest = max(path.stat().st_mtime for path in sources if path.exists())
        if built.stat().st_mtime < newest:
            stale.append(built.name)
    assert not stale, (f"built before their sources changed: {stale}; rebuild them "
                       f"(python setup.py build_ext --inplace) or delete them")


def installed_sim() -> Path:
    """sim/ of an installed caseload-sim that is this checkout (the same model sources) but not
    this checkout's folder, else skip."""
    checkout_sim = (CHECKOUT / "sim").resolve()
    copies = [Path(distribution.locate_file("sim")).resolve()
              for distribution in metadata.distributions(name="caseload-sim")]
    copies = [copy for copy in copies if copy != checkout_sim and copy.is_dir()]
    if not copies:
        pytest.skip("caseload-sim is not installed (outside this checkout)")
    installed = copies[0]
    for source in MODEL.glob("*.py"):
        copy = installed / "model" / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            pytest.skip("the installed caseload-sim is not this checkout")
    return installed


def test_the_installed_packages_c_heaps_match_the_pure_ones(tmp_path):
    """Where the checkout is not built (CI: `pip install .` compiles into site-packages, the
    tests import the checkout), the heap comparisons above run in a process of their own from
    outside the checkout, on the installed copy's C heaps: they must all run and pass."""
    if importlib.util.find_spec("sim.model._heaps") is not None:
        pytest.skip("the checkout's C heaps are built: the comparisons above ran on them")
    installed = installed_sim()
    if not any(p.name.startswith("_heaps.") and p.suffix in EXTENSIONS
               for p in (installed / "model").iterdir()):
        pytest.skip(f"the installed copy at {installed} is not compiled")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(Path(__file__)), "-k", "compiled_or_not", "-q",
         "-p", "no:cacheprovider", "-o", "addopts="], cwd=tmp_path, capture_output=True,
        text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert "40 passed" in completed.stdout and "skipped" not in completed.stdout, (
        completed.stdout[-2000:])


@pytest.mark.parametrize("name", PINNED)
def test_the_installed_package_gives_the_pinned_results(tmp_path, name):
    installed = installed_sim()
    extra, expected = PINNED[name]
    out = tmp_path / "out"
    code = ("import sys; from sim.cli.main import main; "
            "sys.exit(main(sys.argv[1:]))")
    completed = subprocess.run(
        [sys.executable, "-I", "-c", code, "run", str(SCENARIOS / name), *QUICK, *extra,
         "--out", str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    assert {table: sha256(out / table) for table in expected} == expected, (
        f"installed at {installed}, compiled: "
        f"{sorted(p.name for p in (installed / 'model').iterdir() if p.suffix in EXTENSIONS)}")
