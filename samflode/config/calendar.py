"""Working calendar: when staff can meet, and where office-hour arrivals fall in calendar time.

Simulation time is in days (float) from the scenario's start date at midnight. Staff meet only on
working days within office hours; a pool working part-time on the method is available in the first
``share_on_method`` of each working day (an assumption: it keeps joint meetings possible). With the
calendar disabled, every instant is open and time is continuous, as queueing theory assumes.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math

import holidays as holiday_calendars

from samflode.config.scenario import Calendar, Scenario

HOURS_PER_DAY = 24.0
EPSILON_DAYS = 1e-9  # about 0.1 ms


class WorkCalendar:
    """Answers "when is the next open moment for this pool?" in simulation days.

    Per day it knows whether it is a working day (weekday, not a Swedish public holiday) and
    which share of the usual working time staff have (less in the summer weeks). Arrivals run on
    a clock of weighted working days: a summer day counts ``inflow_share`` of a day, so the
    inflow per week holds outside summer and dips in it, with no extra random draws.
    """

    def __init__(self, calendar: Calendar, horizon_days: float) -> None:
        self.enabled = calendar.enabled
        self.open = calendar.open_hour / HOURS_PER_DAY
        self.day_fraction = calendar.hours_per_day / HOURS_PER_DAY
        weekdays = set(calendar.weekdays)
        # Precomputed per day, with slack past the horizon for follow-ups and late starts.
        n_days = int(math.ceil(horizon_days)) + 400
        dates = [calendar.start_date + dt.timedelta(days=d) for d in range(n_days)]
        closed = _closed_dates(calendar, dates[0].year, dates[-1].year)
        summer = calendar.summer
        self.staff_share = [1.0] * n_days
        weights = [1.0] * n_days
        if summer is not None:
            for d, date in enumerate(dates):
                if summer.start_week <= date.isocalendar()[1] <= summer.end_week:
                    self.staff_share[d] = summer.staff_share
                    weights[d] = summer.inflow_share
        self.is_working = [date.weekday() in weekdays and date not in closed for date in dates]
        self.working_days = [d for d, ok in enumerate(self.is_working) if ok]
        # Cumulative arrival weight at the start of each working day (for open_days_to_time).
        self._arrival_days = [d for d in self.working_days if weights[d] > 0]
        self._arrival_weights = [weights[d] for d in self._arrival_days]
        self._arrival_cum = list(itertools.accumulate(self._arrival_weights, initial=0.0))

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
        is_working = self.is_working
        n = len(is_working)
        while day < n:
            if is_working[day]:
                end = start + self.day_fraction * share * self.staff_share[day]
                last_start = end - duration if duration < end - start else start
                # Tolerance: t = day + start read back as day + frac can differ in the last bit,
                # and a strict test would then skip to the next day again and again.
                if frac <= last_start + EPSILON_DAYS:
                    return day + (frac if frac > start else start)
            day += 1
            frac = 0.0
        return day + start

    def open_days_to_time(self, open_days: float) -> float:
        """Map time on the arrival clock (weighted working days, office hours only) to
        simulation time.

        A Poisson process on this clock, mapped here, gives the inflow per week on working days
        within office hours, thinned in summer by the inflow share.
        """
        if not self.enabled:
            return open_days
        cum = self._arrival_cum
        k = bisect.bisect_right(cum, open_days) - 1
        if k >= len(self._arrival_days):
            return math.inf
        frac = (open_days - cum[k]) / self._arrival_weights[k]
        return self._arrival_days[k] + self.open + frac * self.day_fraction

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
                hi = min(day + w0 + (w1 - w0) * self.staff_share[day], end)
                if hi > lo:
                    total += hi - lo
        return total * HOURS_PER_DAY


@functools.lru_cache(maxsize=64)
def _calendar(calendar_json: str, horizon_days: float) -> WorkCalendar:
    return WorkCalendar(Calendar.model_validate_json(calendar_json), horizon_days)


def shared_calendar(calendar: Calendar, horizon_days: float) -> WorkCalendar:
    """The working calendar of ``calendar`` over ``horizon_days``, built once per process.

    A WorkCalendar is never changed after it is built, so the KPIs of every replication (and
    the model's pools with equal calendars) can share one: building it walks every day of the
    horizon and asks the holidays package, about 10 ms for a 15-year horizon.
    """
    return _calendar(calendar.model_dump_json(), float(horizon_days))


def staff_hours(scenario: Scenario) -> dict[str, float]:
    """Working hours on the method per staff pool in the analysis window [warm-up, horizon):
    headcount × the pool's working hours × its share on the method. Utilisation divides by
    these; staff cost multiplies them by the hourly cost.
    """
    w, h = scenario.warmup_days, scenario.horizon_days
    out = {}
    for role, pool in scenario.staff.items():
        calendar = shared_calendar(scenario.pool_calendar(role), h)
        out[role] = pool.headcount * calendar.available_hours(w, h, pool.share_on_method)
    return out


def _closed_dates(calendar: Calendar, first_year: int, last_year: int) -> set[dt.date]:
    """Swedish holidays from the maintained ``holidays`` package, as the scenario asks."""
    if calendar.holidays == "none":
        return set()
    categories = ("public",) if calendar.holidays == "public" else ("public", "de_facto")
    years = range(first_year, last_year + 1)
    return set(holiday_calendars.country_holidays("SE", years=years, categories=categories))
