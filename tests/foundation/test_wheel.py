"""A built wheel, installed non-editable, carries every data file `oppeval` needs.

The wheel is built with ``pip wheel --no-deps`` and installed without dependencies into a fresh
virtual environment; the dependencies come from the test environment's own site-packages,
added by a ``.pth`` path line (which does not run that environment's editable-install hook,
so ``evaluator`` can only come from the wheel). Commands run from an empty folder, away from
the checkout, so a data file missing from the wheel fails loudly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--set", "max_participants=300", "--set", "runs=1", "--set", "horizon_months=12"]


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a venv holding the wheel built from this checkout."""
    base = tmp_path_factory.mktemp("wheel")
    dist, venv = base / "dist", base / "venv"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
                  str(ROOT)], cwd=base)
    assert built.returncode == 0, built.stderr
    wheels = list(dist.glob("oppeval-*.whl"))
    assert len(wheels) == 1, wheels
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                cwd=base).stdout.strip()
    (Path(site) / "test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = _run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheels[0])], cwd=base)
    assert install.returncode == 0, install.stderr
    return venv / "bin"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elsewhere")


@pytest.mark.slow
def test_package_comes_from_the_wheel(installed: Path, workdir: Path) -> None:
    result = _run([str(installed / "python"), "-c",
                   "import evaluator; print(evaluator.__file__)"], cwd=workdir)
    assert result.returncode == 0, result.stderr
    origin = Path(result.stdout.strip())
    assert installed.parent in origin.parents
    assert ROOT not in origin.parents


@pytest.mark.slow
def test_samples_and_validate_from_the_wheel(installed: Path, workdir: Path) -> None:
    samples = _run([str(installed / "oppeval"), "samples"], cwd=workdir)
    assert samples.returncode == 0, samples.stderr
    last = samples.stdout.splitlines()[-1]
    assert last.startswith(f"{len(list((ROOT / 'plan_samples').glob('*.json')))} plans in ")
    folder = Path(last.split(" plans in ", 1)[1])
    assert folder.parts[-3:] == ("evaluator", "_data", "plan_samples")
    assert installed.parent in folder.parents
    plan = folder / "retail_first_single_level.json"
    valid = _run([str(installed / "oppeval"), "validate", str(plan)], cwd=workdir)
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout == f"{plan}: valid plan (schema v1) for Corrow Kitchen Direct\n"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "html", "pdf"])
def test_evaluate_from_the_wheel(installed: Path, workdir: Path, fmt: str) -> None:
    plan = ROOT / "plan_samples" / "party_plan.json"
    out = workdir / f"report.{fmt}"
    result = _run([str(installed / "oppeval"), "evaluate", str(plan), *SMALL,
                   "--format", fmt, "-o", str(out)], cwd=workdir)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    if fmt == "json":
        assert json.loads(data)["rubric"]["id"] == "pyramid-risk"
    elif fmt == "html":
        assert b"Tillhaven Party Crafts" in data
    else:
        assert data.startswith(b"%PDF-")


WEB_CHECK = """
from evaluator.web import create_app
client = create_app({"TESTING": True}).test_client()
for path in ("/", "/healthz", "/static/app.css", "/static/app.js", "/static/favicon.svg"):
    response = client.get(path)
    print(path, response.status_code, len(response.data))
"""


@pytest.mark.slow
def test_web_app_from_the_wheel(installed: Path, workdir: Path) -> None:
    result = _run([str(installed / "python"), "-c", WEB_CHECK], cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5
    for line in result.stdout.splitlines():
        path, status, size = line.split()
        assert (status, int(size) > 0) == ("200", True), path
