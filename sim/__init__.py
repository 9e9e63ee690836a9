"""samflode: a discrete-event simulator of Swedish labour-market rehabilitation in samverkan.

Public API (DESIGN.md): ``load_scenario`` reads and validates a scenario file; ``simulate`` runs
replications and returns the event log, the KPIs and their summary; ``compare`` runs several
designs with common random numbers and ``write_comparison`` writes the tables and plots.
"""

from sim.comparison import Comparison, compare, write_comparison
from sim.loader import ScenarioError, load_scenario, parse_scenario
from sim.runner import Result, simulate, write_results
from sim.scenario import Scenario

__all__ = [
    "Comparison",
    "Result",
    "Scenario",
    "ScenarioError",
    "compare",
    "load_scenario",
    "parse_scenario",
    "simulate",
    "write_comparison",
    "write_results",
]
