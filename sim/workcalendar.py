"""Working calendar: when staff can meet, and where office-hour arrivals fall in calendar time.

Simulation time is in days (float) from the scenario's start date at midnight. Staff meet only on
working days within office hours; a pool working part-time on the method is available in the first
``share_on_method`` of each working day (an assumption: it keeps joint meetings possible). With the
calendar disabled, every instant is open and time is continuous, as queueing theory assumes.
"""

from __future__ import annotations

import math

from sim.scenario import Calendar, Scenario

HOURS_PER_DAY = 24.0


class WorkCalendar:
    """Answers "when is the next open moment for this pool?" in simulation days."""

    def __init__(self, calendar: Calendar, horizon_days: float) -> None:
        self.enabled = calendar.enabled
        self.open = calendar.open_hour / HOURS_PER_DAY
        self.day_fraction = calendar.hours_per_day / HOURS_PER_DAY
        first_weekday = calendar.start_date.weekday()
        weekdays = set(calendar.weekdays)
        # Precomputed per day, with slack past the horizon for follow-ups and late starts.
        n_days = int(math.ceil(horizon_days)) + 400
        self.is_working = [((first_weekday + d) % 7) in weekdays for d in range(n_days)]
        self.working_days = [d for d, ok in enumerate(self.is_working) if ok]

    def next_open(self, t: float, share: float = 1.0, duration: float = 0.0) -> float:
        """Earliest time ≥ t at which a pool with ``share`` of the day on the method can hold a
        meeting of ``duration`` days that ends within its working hours.

        A meeting longer than the pool's whole working day starts at the opening and runs over.
        """
        if not self.enabled:
            return t
        day = int(t)
        frac = t - day
        start = self.open
        end = self.open + self.day_fraction * share
        last_start = end - duration if duration < end - start else start
        is_working = self.is_working
        if day < len(is_working) and is_working[day] and frac <= last_start:
            return day + (frac if frac > start else start)
        day += 1
        while day < len(is_working) and not is_working[day]:
            day += 1
        return day + start

    def open_days_to_time(self, open_days: float) -> float:
        """Map time counted in working days (office hours only) to simulation time.

        Used to place arrivals within office hours: a Poisson process in office time, mapped
        here, gives the inflow per week on working days only.
        """
        if not self.enabled:
            return open_days
        k = int(open_days)
        frac = open_days - k
        if k >= len(self.working_days):
            return math.inf
        return self.working_days[k] + self.open + frac * self.day_fraction

    def available_hours(self, start: float, end: float, share: float = 1.0) -> float:
        """Office hours per person between two times (for utilisation and paid staff time)."""
        if end <= start:
            return 0.0
        if not self.enabled:
            return (end - start) * HOURS_PER_DAY * share
        w0 = self.open
        w1 = self.open + self.day_fraction * share
        total = 0.0
        for day in range(int(start), int(math.ceil(end))):
            if day < len(self.is_working) and self.is_working[day]:
                lo = max(day + w0, start)
                hi = min(day + w1, end)
                if hi > lo:
                    total += hi - lo
        return total * HOURS_PER_DAY


def staff_hours(scenario: Scenario) -> dict[str, float]:
    """Working hours on the method per staff pool in the analysis window [warm-up, horizon):
    headcount × the pool's working hours × its share on the method. Utilisation divides by
    these; staff cost multiplies them by the hourly cost.
    """
    w, h = scenario.warmup_days, scenario.horizon_days
    out = {}
    for role, pool in scenario.staff.items():
        calendar = WorkCalendar(scenario.pool_calendar(role), h)
        out[role] = pool.headcount * calendar.available_hours(w, h, pool.share_on_method)
    return out
