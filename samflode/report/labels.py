"""Display labels for KPI keys and follow-up states, in English and Swedish.

Keys are stable snake_case; labels are for people. The command line, the dashboard and the board
pack take their labels from here, so a KPI is called the same everywhere. Swedish spells the
domain words as GLOSSARY.md does; a missing Swedish label falls back to English.
"""

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
    "days_waiting_for_slot_mean": "Days waiting for a handläggare's caseload slot, mean",
    "days_in_flow_mean": "Days from arrival to exit, mean",
    "share_work_90d": "In work 90 days after exit",
    "share_studies_90d": "In studies 90 days after exit",
    "share_work_or_studies_90d": "In work or studies 90 days after exit",
    "share_work_or_studies_6m": "In work or studies 6 months after exit",
    "share_dropout": "Exits that were drop-outs",
    "share_exits_to_benefits": "Exits to benefits or permanent support",
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


KPI_LABELS_SV: dict[str, str] = {
    "arrivals": "Inflöde (kohort i fönstret)",
    "exits": "Avslut i kohorten",
    "in_system_end": "Kohort kvar vid horisonten",
    "days_to_first_meeting_mean": "Dagar till första Forum-mötet, medel",
    "days_to_first_meeting_p90": "Dagar till första Forum-mötet, 90:e percentil",
    "share_first_meeting_within_7d": "Första mötet inom regeln (normalt 7 dagar)",
    "days_to_kontrakt_mean": "Dagar från första möte till kontrakt i Forum, medel",
    "share_kontrakt_within_14d": "Kontrakt i Forum inom regeln (normalt 14 dagar)",
    "days_to_konsultation_mean": "Dagar från överlämning till Konsultation, medel",
    "share_konsultation_within_7d": "Konsultation inom regeln (normalt 7 dagar)",
    "days_waiting_for_insats_mean": "Dagar i kö till plats hos anordnare, medel",
    "days_waiting_for_slot_mean": "Dagar i kö till plats i handläggarens ärendelista, medel",
    "days_in_flow_mean": "Dagar från ankomst till avslut, medel",
    "share_work_90d": "I arbete 90 dagar efter avslut",
    "share_studies_90d": "I studier 90 dagar efter avslut",
    "share_work_or_studies_90d": "I arbete eller studier 90 dagar efter avslut",
    "share_work_or_studies_6m": "I arbete eller studier 6 månader efter avslut",
    "share_dropout": "Avslut som var avbrott",
    "share_exits_to_benefits": "Avslut till ersättning eller varaktig försörjning",
    "cost_total_sek": "Kostnad, totalt",
    "cost_staff_sek": "Kostnad, personaltid",
    "cost_providers_sek": "Kostnad, anordnare och bonusar",
    "cost_per_participant_sek": "Kostnad per deltagare",
    "cost_per_work_outcome_sek": "Kostnad per avslut till arbete",
    "cost_fk_sek": "Kostnad för Försäkringskassan",
    "cost_af_sek": "Kostnad för Arbetsförmedlingen",
    "cost_region_sek": "Kostnad för regionen",
    "cost_municipality_sek": "Kostnad för kommunen",
    "cost_coordination_sek": "Personalkostnad för samordning (del av personalkostnaden)",
    "saving_forsorjningsstod_sek": "Sparat försörjningsstöd genom avslut till arbete (kommunen)",
    "benefit_cost_sek": "Ersättningar under tiden i flödet",
    "benefit_cost_fk_sek": "Ersättningar från Försäkringskassan under tiden i flödet",
    "benefit_cost_af_sek": "Ersättningar från Arbetsförmedlingen under tiden i flödet",
    "benefit_cost_region_sek": "Ersättningar från regionen under tiden i flödet",
    "benefit_cost_municipality_sek": "Ersättningar från kommunen under tiden i flödet",
    "cost_incl_benefits_sek": "Kostnad inklusive ersättningar",
    "cost_incl_benefits_per_participant_sek": "Kostnad inklusive ersättningar per deltagare",
    "cost_incl_benefits_per_work_outcome_sek": "Kostnad inkl. ersättningar per avslut till arbete",
}

STATE_LABELS = {
    "en": {
        "cohort": "cohort",
        "work": "work",
        "studies": "studies",
        "af_programme": "AF programme",
        "benefits": "back to benefits",
        "permanent_support": "permanent support",
        "dropout": "drop-out",
        "restart": "restart",
        "not_in_work": "not in work",
        "in_system": "still in the system",
        "not_yet_followed_up": "not yet followed up",
    },
    "sv": {
        "cohort": "kohort",
        "work": "arbete",
        "studies": "studier",
        "af_programme": "AF-program",
        "benefits": "tillbaka till ersättning",
        "permanent_support": "varaktig försörjning",
        "dropout": "avbrott",
        "restart": "omstart",
        "not_in_work": "inte i arbete",
        "in_system": "kvar i systemet",
        "not_yet_followed_up": "ej uppföljd än",
    },
}

FOLLOWUP_LABELS = {
    "en": {"90d": "90 days after exit", "6m": "6 months after exit"},
    "sv": {"90d": "90 dagar efter avslut", "6m": "6 månader efter avslut"},
}


Texts = dict[str, dict[str, str]]


def translate(texts: Texts, key: str, lang: str, **values: object) -> str:
    """``texts[key]`` in ``lang`` (English when there is no text in it), filled with ``values``.

    Every view keeps its own table of texts (figures, the board paper, the dashboard); this is
    the one way they are looked up.
    """
    entry = texts[key]
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text


def state_label(state: str, lang: str = "en") -> str:
    """A follow-up or exit state for people (``benefits`` → "back to benefits")."""
    return STATE_LABELS.get(lang, STATE_LABELS["en"]).get(state, state)


def _followup_share(key: str, lang: str) -> str | None:
    """``share_<state>_90d`` / ``share_<state>_6m`` for a state not labelled one by one."""
    for when in ("90d", "6m"):
        state = key.removeprefix("share_").removesuffix(f"_{when}")
        if key.endswith(f"_{when}") and state in STATE_LABELS["en"]:
            label = state_label(state, lang)
            return f"{label[0].upper()}{label[1:]}, {FOLLOWUP_LABELS[lang][when]}"
    return None


def kpi_label(key: str, lang: str = "en") -> str:
    """Label for a KPI key in ``lang`` (``en`` or ``sv``); utilisation keys are labelled from
    their pool name, a follow-up share from its state, and a ``<name>_per_year`` key (a window
    cost scaled to a year) from its window KPI.
    """
    labels = KPI_LABELS_SV if lang == "sv" else KPI_LABELS
    if key in labels:
        return labels[key]
    if key.endswith("_per_year"):
        per_year = "per år" if lang == "sv" else "per year"
        return f"{kpi_label(key.removesuffix('_per_year'), lang)}, {per_year}"
    if key.startswith("utilisation_"):
        pool = key.removeprefix("utilisation_")
        return f"Beläggning, {pool}" if lang == "sv" else f"Utilisation of {pool}"
    followup = _followup_share(key, "sv" if lang == "sv" else "en")
    if followup is not None:
        return followup
    return KPI_LABELS.get(key, key)
