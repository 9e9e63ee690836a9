"""Pure functions of the event log and the scenario: KPIs, costs, series, statistics, theory."""
