"""`--scheduler local` does not flood the terminal with Dask's INFO messages."""

import subprocess
import sys


def test_local_dask_run_prints_no_info_logs(tmp_path):
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        "extends: nacka-forum.yaml\nname: short\n"
        "horizon_days: {value: 120, assumption: a short test run}\n"
        "warmup_days: {value: 10, assumption: a short test run}\n",
        encoding="utf-8",
    )
    # extends: resolves beside the file: give it the bundled base.
    from samflode.config.loader import BUNDLED_DIR

    (tmp_path / "nacka-forum.yaml").write_bytes((BUNDLED_DIR / "nacka-forum.yaml").read_bytes())
    command = [sys.executable, "-m", "samflode.cli", "run", str(scenario), "--replications", "2",
               "--workers", "2", "--scheduler", "local", "--out", str(tmp_path / "out")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "INFO" not in result.stderr, result.stderr[:2000]
    assert (tmp_path / "out" / "summary.json").exists()
