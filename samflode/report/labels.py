"""Display labels for KPI keys. Keys are stable snake_case; labels are for people."""

from __future__ import annotations

# The KPIs of the side-by-side tables (CLI compare and dashboard); comparison.csv has them all.
MAIN_KPIS = (
    "arrivals",
    "days_to_first_meeting_mean",
    "share_first_meeting_within_7d",
    "days_to_kontrakt_mean",
    "share_kontrakt_within_14d",
    "days_to_konsultation_mean",
    "share_konsultation_within_7d",
    "days_waiting_for_insats_mean",
    "share_work_90d",
    "share_work_or_studies_90d",
    "share_work_or_studies_6m",
    "share_dropout",
    "cost_total_sek",
    "cost_per_participant_sek",
    "cost_per_work_outcome_sek",
    "cost_fk_sek",
    "cost_af_sek",
    "cost_region_sek",
    "cost_municipality_sek",
)

KPI_LABELS: dict[str, str] = {
    "arrivals": "Arrivals (cohort in window)",
    "exits": "Exits of the cohort",
    "in_system_end": "Cohort still in the system at the horizon",
    "days_to_first_meeting_mean": "Days to first Forum meeting, mean",
    "days_to_first_meeting_p90": "Days to first Forum meeting, 90th percentile",
    "share_first_meeting_within_7d": "First meeting within the rule (default 7 days)",
    "days_to_kontrakt_mean": "Days from first meeting to Forum kontrakt, mean",
    "share_kontrakt_within_14d": "Forum kontrakt within the rule (default 14 days)",
    "days_to_konsultation_mean": "Days from hand-over to Konsultation, mean",
    "share_konsultation_within_7d": "Konsultation within the rule (default 7 days)",
    "days_waiting_for_insats_mean": "Days waiting for a provider place, mean",
    "share_work_90d": "In work 90 days after exit",
    "share_studies_90d": "In studies 90 days after exit",
    "share_work_or_studies_90d": "In work or studies 90 days after exit",
    "share_work_or_studies_6m": "In work or studies 6 months after exit",
    "share_dropout": "Exits that were drop-outs",
    "cost_total_sek": "Cost, total",
    "cost_staff_sek": "Cost, staff time",
    "cost_providers_sek": "Cost, providers and bonuses",
    "cost_per_participant_sek": "Cost per participant",
    "cost_per_work_outcome_sek": "Cost per exit to work",
    "cost_fk_sek": "Cost borne by Försäkringskassan",
    "cost_af_sek": "Cost borne by Arbetsförmedlingen",
    "cost_region_sek": "Cost borne by the region",
    "cost_municipality_sek": "Cost borne by the municipality",
    "cost_coordination_sek": "Staff cost spent on coordination (part of staff cost)",
    "saving_forsorjningsstod_sek": "Income support saved by exits to work (municipality)",
    "benefit_cost_sek": "Benefits paid while in the flow",
    "benefit_cost_fk_sek": "Benefits paid by Försäkringskassan while in the flow",
    "benefit_cost_af_sek": "Benefits paid by Arbetsförmedlingen while in the flow",
    "benefit_cost_region_sek": "Benefits paid by the region while in the flow",
    "benefit_cost_municipality_sek": "Benefits paid by the municipality while in the flow",
    "cost_incl_benefits_sek": "Cost including benefits",
    "cost_incl_benefits_per_participant_sek": "Cost including benefits per participant",
    "cost_incl_benefits_per_work_outcome_sek": "Cost including benefits per exit to work",
}


def kpi_label(key: str) -> str:
    """Label for a KPI key; utilisation keys are labelled from their pool name, and a
    ``<name>_per_year`` key (a window cost scaled to a year) from its window KPI.
    """
    if key in KPI_LABELS:
        return KPI_LABELS[key]
    if key.endswith("_per_year"):
        return f"{kpi_label(key.removesuffix('_per_year'))}, per year"
    if key.startswith("utilisation_"):
        return f"Utilisation of {key.removeprefix('utilisation_')}"
    return key
