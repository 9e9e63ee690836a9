"""The numerics of a calibration on problems whose answer is known in closed form: the unit cube
round trip, the implausibility, the importance-sampled posterior of a Gaussian likelihood, the
budget plan, and the emulator's recovery of a smooth function with known noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from samflode.config.calibration import ParametersFile, Target
from samflode.experiments.calibration.calibrate import CalibrationError, make_plan
from samflode.experiments.calibration.emulator import fit_emulator
from samflode.experiments.calibration.posterior import Matched, importance_posterior
from samflode.experiments.calibration.space import Space, maximin_subset
from samflode.rng.streams import stream


def _space(*priors: dict) -> Space:
    return Space.of(
        ParametersFile.model_validate(
            {
                "parameters": [
                    {"name": f"p{i}", "paths": ["x"], "prior": p} for i, p in enumerate(priors)
                ]
            }  # fmt: skip
        )
    )


@dataclass
class Exact:
    """A stand-in emulator that knows the simulator: the KPI is a*θ + b, without uncertainty."""

    name: str
    space: Space
    a: float
    b: float
    run_variance: float = 0.0

    def predict(self, unit):
        theta = self.space.from_unit(unit)[:, 0]
        return self.a * theta + self.b, np.zeros(len(theta))


def _target(observed: float, se: float) -> Target:
    return Target(name="t", scenario="s", kpi="k", observed=observed, se=se, source="test")


def test_the_unit_cube_round_trip_is_exact_and_log_scaled():
    space = _space(
        {"dist": "uniform", "low": -2, "high": 6},
        {"dist": "log_uniform", "low": 0.01, "high": 100},
    )
    values = np.array([[-2, 0.01], [2, 1.0], [6, 100]])
    unit = space.to_unit(values)
    assert unit == pytest.approx(np.array([[0, 0], [0.5, 0.5], [1, 1]]))
    assert space.from_unit(unit) == pytest.approx(values)
    design = space.design(50, stream(1, 0, "test"))
    assert design.shape == (50, 2)
    # A Latin hypercube: one point in each of the 50 slices of every axis.
    for column in space.to_unit(design).T:
        assert sorted((column * 50).astype(int)) == list(range(50))


def test_importance_sampling_recovers_a_gaussian_posterior():
    # A flat prior far wider than the likelihood: the posterior is N(z, se²) to within the box.
    space = _space({"dist": "uniform", "low": -10, "high": 10})
    matched = Matched((_target(1.0, 0.5),), (Exact("t", space, 1.0, 0.0),))
    post = importance_posterior(space, matched, stream(1, 0, "test"), draws=20_000)
    x = post.draws[:, 0]
    assert x.mean() == pytest.approx(1.0, abs=0.02)
    assert x.std() == pytest.approx(0.5, rel=0.03)
    assert np.quantile(x, 0.95) == pytest.approx(1.0 + 1.645 * 0.5, abs=0.04)
    assert post.ess > 5_000  # the second round proposes where the posterior is


def test_the_prior_weighs_in_where_the_data_are_weak():
    # Normal prior N(0, 1) × likelihood N(z=2, 1): the posterior is N(1, 1/2) (conjugate).
    space = _space({"dist": "normal", "mean": 0, "sd": 1, "low": -8, "high": 8})
    matched = Matched((_target(2.0, 1.0),), (Exact("t", space, 1.0, 0.0),))
    x = importance_posterior(space, matched, stream(2, 0, "test"), draws=20_000).draws[:, 0]
    assert x.mean() == pytest.approx(1.0, abs=0.03)
    assert x.var() == pytest.approx(0.5, rel=0.05)


def test_implausibility_counts_the_run_noise_not_only_the_observation():
    space = _space({"dist": "uniform", "low": 0, "high": 10})
    exact = Exact("t", space, 1.0, 0.0, run_variance=1.0)
    matched = Matched((_target(5.0, 0.1),), (exact,))
    unit = space.to_unit(np.array([[8.0], [5.0]]))
    # max(0.1², 1.0) = 1: three run sd away is the cut-off.
    assert matched.implausibility(unit)[:, 0] == pytest.approx([3.0, 0.0])


def test_the_emulator_learns_a_smooth_response_and_knows_the_noise():
    rng = stream(3, 0, "test")
    unit = rng.random((40, 2))
    truth = np.sin(3 * unit[:, 0]) + 0.5 * unit[:, 1]
    runs = truth[:, None] + rng.normal(0, 0.05, (40, 4))
    emulator = fit_emulator("t", unit, runs, random_state=1)
    assert emulator.run_variance == pytest.approx(0.05**2, rel=0.3)
    new = rng.random((200, 2))
    mean, sd = emulator.predict(new)
    error = mean - (np.sin(3 * new[:, 0]) + 0.5 * new[:, 1])
    assert np.abs(error).max() < 0.1
    assert np.mean(np.abs(error) <= 3 * sd) > 0.9  # its uncertainty is honest


def test_a_response_with_too_few_values_has_no_emulator():
    runs = np.full((10, 2), np.nan)
    runs[:2] = 1.0
    assert fit_emulator("t", np.zeros((10, 1)), runs, random_state=1) is None


def test_the_plan_keeps_to_the_budget_and_refuses_one_too_small():
    full = make_plan(5, 4, 4, None)
    assert (full.wave_1, full.wave_2, full.check) == (50, 100, 20)
    assert full.simulations == 170 * 16
    cut = make_plan(5, 4, 4, 1000)
    assert cut.simulations <= 1000
    assert cut.wave_1 >= 12 and cut.wave_2 >= 12 and cut.check >= 5
    with pytest.raises(CalibrationError, match="--budget: 100 simulations is too few"):
        make_plan(5, 4, 4, 100)


def test_maximin_spreads_the_points():
    rng = stream(4, 0, "test")
    cloud = rng.random((2000, 2))
    picked = cloud[maximin_subset(cloud, 16, rng)]
    gaps = [np.sort(np.linalg.norm(picked - p, axis=1))[1] for p in picked]
    assert min(gaps) > 0.12  # a random 16 of the cloud has a pair far closer


def test_pooled_targets_weigh_by_arrivals_and_orders_count_runs():
    from samflode.config.calibration import TargetsFile
    from samflode.experiments.calibration.calibrate import _target_runs, order_table

    targets = TargetsFile.model_validate(
        {
            "targets": [
                {"name": "a", "scenario": "x", "kpi": "k", "observed": 0.5, "se": 0.1,
                 "source": "s"},
                {"name": "p", "pooled": ["x", "y"], "kpi": "k", "observed": 0.5, "se": 0.1,
                 "source": "s", "holdout": True},
            ],
            "orders": [{"name": "o", "kpi": "k", "higher": ["x"], "lower": ["y"], "source": "s"}],
        }
    )  # fmt: skip
    values = {
        (0, "x", "k"): np.array([0.9, 0.6]), (0, "x", "arrivals"): np.array([100.0, 300.0]),
        (0, "y", "k"): np.array([0.1, 0.7]), (0, "y", "arrivals"): np.array([300.0, 100.0]),
    }  # fmt: skip
    pooled = _target_runs(values, targets.targets[1], range(1))
    np.testing.assert_allclose(pooled, [[(90 + 30) / 400, (180 + 70) / 400]])
    orders = order_table(targets, values, range(1)).iloc[0]
    assert orders.holds_in_mean  # 0.75 > 0.4
    assert orders.share_runs_holding == 0.5  # 0.9 > 0.1 holds, 0.6 > 0.7 does not
