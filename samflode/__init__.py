"""samflode: a discrete-event simulator of Swedish labour-market rehabilitation in samverkan.

Public API: ``load_scenario`` reads and validates a scenario file; ``simulate`` runs replications
and returns the event log, the KPIs and their summary; ``compare`` runs several designs with common
random numbers and ``write_comparison`` writes the tables and plots.

The names are resolved lazily (PEP 562): ``import samflode.config`` — as ``samflode validate``, the
dashboard's file checks and every worker process do — must not pay for simpy, pandas and pyarrow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers and editors
    from samflode.config.loader import ScenarioError as ScenarioError
    from samflode.config.loader import load_scenario as load_scenario
    from samflode.config.loader import parse_scenario as parse_scenario
    from samflode.config.scenario import Scenario as Scenario
    from samflode.execution.results import Result as Result
    from samflode.execution.results import write_results as write_results
    from samflode.execution.runner import simulate as simulate
    from samflode.experiments.comparison import Comparison as Comparison
    from samflode.experiments.comparison import compare as compare
    from samflode.report.files import write_comparison as write_comparison

_EXPORTS = {
    "Comparison": "samflode.experiments.comparison",
    "compare": "samflode.experiments.comparison",
    "write_comparison": "samflode.report.files",
    "Result": "samflode.execution.results",
    "simulate": "samflode.execution.runner",
    "write_results": "samflode.execution.results",
    "Scenario": "samflode.config.scenario",
    "ScenarioError": "samflode.config.loader",
    "load_scenario": "samflode.config.loader",
    "parse_scenario": "samflode.config.loader",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'samflode' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
