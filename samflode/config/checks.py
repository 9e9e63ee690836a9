"""Checks of a valid scenario that are worth a warning but not a refusal.

A scenario that passes :class:`~samflode.config.scenario.Scenario` validation can still describe
something its author did not mean. These checks are pure functions of the scenario: they return
what they found and print nothing, so the command line and the dashboard can show it their way.
"""

from __future__ import annotations

from samflode.config.scenario import Scenario


def used_pools(scenario: Scenario) -> set[str]:
    """The staff pools that some stage names: Forum's staff and who joins its first meeting, the
    Konsultation roles (also the optional ones), each target group's intake and handläggare
    pools, the hand-off pools, and the pools of a joint monthly follow-up.
    """
    used = {scenario.forum.staff, *scenario.forum.triage_with}
    if scenario.konsultation is not None:
        used.update(scenario.konsultation.roles)
        used.update(scenario.konsultation.optional_roles)
    market = scenario.insatsmarknad
    if market is not None and market.followup_roles is not None:
        used.update(market.followup_roles)
    for group in scenario.groups.values():
        used.update(name for name in (group.intake, group.handlaggare) if name is not None)
    if scenario.handoffs is not None:
        used.update(scenario.handoffs.pools)
    return used


def unused_pools(scenario: Scenario) -> list[str]:
    """The pools in ``scenario.staff`` that no stage names, in the order the file defines them.

    Such a pool is paid for every working hour in the window (staff cost counts headcount ×
    hours, busy or not) and reported at 0 % utilisation, but nobody ever meets it: usually a pool
    left over when a derived design gave its work to another pool (set it to ``null`` there).
    The check is by name, as validation checks names: a pool that is named but which no
    participant reaches (e.g. the intake pool of a group with no inflow) is not listed.
    """
    used = used_pools(scenario)
    return [role for role in scenario.staff if role not in used]


def unused_pool_warnings(scenario: Scenario) -> list[str]:
    """One message per :func:`unused_pools` entry, saying what the pool costs and how to fix it."""
    messages = []
    for role in unused_pools(scenario):
        pool = scenario.staff[role]
        fte = pool.headcount * pool.share_on_method
        if pool.cost_per_hour_sek > 0:
            what = "paid but unused"
            cost = (
                f"its {fte:g} FTE at {pool.cost_per_hour_sek:g} SEK/h are in the staff cost "
                "at 0 % utilisation"
            )
        else:
            what, cost = "unused", "it shows at 0 % utilisation"
        messages.append(
            f"staff.{role} is {what}: no stage names it (forum.staff, konsultation.roles, a "
            f"group's intake or handlaggare, handoffs.pools); {cost}. Give it to a stage or "
            f"drop it ({role}: null under staff: in a file that extends another)"
        )
    return messages
