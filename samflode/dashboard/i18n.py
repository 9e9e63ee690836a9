"""Display labels in English and Swedish. Keys stay stable snake_case; labels change.

English KPI labels come from :mod:`samflode.report.labels` (the CLI's); Swedish ones are here, with
the proper spelling of the domain words from GLOSSARY.md. A missing Swedish label falls back to
English.
"""

from __future__ import annotations

from samflode.report.labels import STATE_LABELS, kpi_label, translate

LANGUAGES = {"en": "English", "sv": "Svenska"}


TEXT: dict[str, dict[str, str]] = {
    "title": {
        "en": "samflode: compare organisational designs",
        "sv": "samflode: jämför organisationsmodeller",
    },
    "language": {"en": "Language / Språk", "sv": "Språk / Language"},
    "tab_compare": {"en": "Compare", "sv": "Jämför"},
    "tab_method": {"en": "Method", "sv": "Metod"},
    "tab_calibrate": {"en": "Calibrate", "sv": "Kalibrering"},
    "cal_folder": {
        "en": "A calibration's output folder (written by samflode calibrate)",
        "sv": "En kalibrerings utdatamapp (skriven av samflode calibrate)",
    },
    "cal_intro": {
        "en": "This page reads a calibration that has been run; it does not run one. "
        "Run `samflode calibrate …` (README, 'Calibration') and give its folder here.",
        "sv": "Sidan läser en kalibrering som redan körts; den kör ingen själv. "
        "Kör `samflode calibrate …` (README, 'Calibration') och ange mappen här.",
    },
    "cal_bad": {
        "en": "{folder}: not a calibration folder ({reason})",
        "sv": "{folder}: ingen kalibreringsmapp ({reason})",
    },
    "cal_facts": {
        "en": "{runs} simulations, {seconds} s; not ruled out: {nroy} of the parameter box",
        "sv": "{runs} simuleringar, {seconds} s; inte uteslutet: {nroy} av parameterrummet",
    },
    "cal_posterior": {"en": "Parameters: posterior", "sv": "Parametrar: aposteriori"},
    "cal_fit": {"en": "Fit per target", "sv": "Anpassning per mål"},
    "cal_orders": {
        "en": "Documented rankings (held out)",
        "sv": "Dokumenterade rangordningar (hålls utanför)",
    },
    "cal_loo": {
        "en": "Leave one out: fit on the others, predict this one",
        "sv": "Lämna en utanför: anpassa på de andra, förutsäg denna",
    },
    "cal_counterfactual": {"en": "Counterfactual: {name}", "sv": "Kontrafaktiskt: {name}"},
    "cal_no_counterfactual": {
        "en": "No counterfactual in this folder "
        "(samflode counterfactual FOLDER --site … --design …).",
        "sv": "Inget kontrafaktiskt scenario i mappen "
        "(samflode counterfactual MAPP --site … --design …).",
    },
    "glossary": {"en": "Glossary (Swedish terms)", "sv": "Ordlista"},
    "choose": {"en": "Bundled designs (1–4)", "sv": "Inbyggda modeller (1–4)"},
    "reference": {"en": "Reference design", "sv": "Referensmodell"},
    "reference_help": {
        "en": "The other designs are compared with this one: each difference is paired, "
        "replication by replication.",
        "sv": "De andra modellerna jämförs med denna: varje skillnad är parad, replikering för "
        "replikering.",
    },
    "upload": {"en": "…or upload a scenario YAML", "sv": "…eller ladda upp ett scenario (YAML)"},
    "uploaded_ok": {"en": "Uploaded design", "sv": "Uppladdad modell"},
    "too_many": {
        "en": "Choose at most 4 designs; only the first 4 are used.",
        "sv": "Välj högst 4 modeller; bara de 4 första används.",
    },
    "none_chosen": {
        "en": "Choose at least one design in the sidebar.",
        "sv": "Välj minst en modell i sidopanelen.",
    },
    "replications": {"en": "Replications", "sv": "Replikeringar"},
    "seed": {"en": "Seed (same for every design)", "sv": "Frö (samma för alla modeller)"},
    "quick": {
        "en": "Quick run (horizon 200 days, warm-up at most 50)",
        "sv": "Snabbkörning (horisont 200 dagar, insvängning högst 50)",
    },
    "quick_banner": {
        "en": "Quick run: a 200-day horizon for a first look. These are not final figures — "
        "untick the quick run and press Run for the full horizon.",
        "sv": "Snabbkörning: 200 dagars horisont för en första titt. Detta är inte slutliga "
        "siffror — avmarkera snabbkörningen och tryck på Kör för hela horisonten.",
    },
    "quick_tag": {"en": "quick run, not final", "sv": "snabbkörning, ej slutligt"},
    "run": {"en": "Run", "sv": "Kör"},
    "running": {"en": "Simulating…", "sv": "Simulerar…"},
    "edit": {"en": "Edit parameters", "sv": "Ändra parametrar"},
    "name": {"en": "Name of this variant", "sv": "Namn på varianten"},
    "inflow": {"en": "Inflow per week", "sv": "Inflöde per vecka"},
    "headcount": {"en": "Headcount", "sv": "Antal personer"},
    "caseload_cap": {
        "en": "Caseload cap per person (empty = none)",
        "sv": "Max antal ärenden per person (tomt = inget tak)",
    },
    "places": {"en": "Places (empty = unlimited)", "sv": "Platser (tomt = obegränsat)"},
    "fee": {"en": "Base fee per hour, SEK", "sv": "Grundersättning per timme, kr"},
    "bonus": {"en": "SEK", "sv": "kr"},
    "groups": {"en": "Inflow per target group", "sv": "Inflöde per målgrupp"},
    "staff": {"en": "Staff pools", "sv": "Personalgrupper"},
    "providers": {"en": "Providers (Insatsmarknad)", "sv": "Anordnare (Insatsmarknad)"},
    "costs": {"en": "Bonuses and startbidrag", "sv": "Bonusar och startbidrag"},
    "invalid": {
        "en": "Not a valid design; fix the field named below:",
        "sv": "Inte en giltig modell; rätta fältet nedan:",
    },
    "results": {"en": "Results", "sv": "Resultat"},
    "press_run": {
        "en": "Press Run to simulate the chosen designs.",
        "sv": "Tryck på Kör för att simulera de valda modellerna.",
    },
    "stale": {
        "en": "The settings changed since this run; press Run to update.",
        "sv": "Inställningarna har ändrats sedan körningen; tryck på Kör för att uppdatera.",
    },
    "kpi_table": {
        "en": "Key figures: mean [95 % CI]; Δ = paired difference to the reference design, "
        "{ref} [95 % CI]; * = the CI excludes 0",
        "sv": "Nyckeltal: medel [95 % KI]; Δ = parad skillnad mot referensmodellen, {ref} "
        "[95 % KI]; * = KI utesluter 0",
    },
    "kpi_table_note": {
        "en": "Costs and the income support saved are per year, in millions of kronor (Mkr); "
        "per participant and per exit to work in kronor.",
        "sv": "Kostnader och sparat försörjningsstöd är per år, i miljoner kronor (mnkr); per "
        "deltagare och per avslut till arbete i kronor.",
    },
    "designs_compared": {"en": "Designs compared", "sv": "Jämförda modeller"},
    "reference_tag": {"en": "reference", "sv": "referens"},
    "summary": {"en": "Summary", "sv": "Sammanfattning"},
    "summary_note": {
        "en": "Δ = paired difference to the reference design {ref}; clear = its 95 % CI "
        "excludes 0 (green better, red worse), not clear = it could be chance. Costs and income "
        "support saved per year.",
        "sv": "Δ = parad skillnad mot referensmodellen {ref}; tydlig = dess 95 % KI utesluter 0 "
        "(grönt bättre, rött sämre), inte tydlig = den kan bero på slumpen. Kostnader och sparat "
        "försörjningsstöd per år.",
    },
    "summary_reference": {"en": "{name} (reference)", "sv": "{name} (referens)"},
    "summary_versus": {"en": "{name} against {ref}", "sv": "{name} jämfört med {ref}"},
    # Short labels of the summary cards (the KPI's full label is the card's tooltip).
    "card_days_to_first_meeting_mean": {
        "en": "Days to first meeting",
        "sv": "Dagar till första mötet",
    },
    "card_share_first_meeting_within_7d": {
        "en": "First meeting within rule",
        "sv": "Första mötet inom regeln",
    },
    "card_share_work_90d": {"en": "In work at 90 days", "sv": "I arbete efter 90 dagar"},
    "card_cost_total_sek_per_year": {"en": "Cost a year", "sv": "Kostnad per år"},
    "card_saving_forsorjningsstod_sek_per_year": {
        "en": "Income support saved a year",
        "sv": "Sparat försörjningsstöd per år",
    },
    "clear": {"en": "clear", "sv": "tydlig"},
    "not_clear": {"en": "not clear", "sv": "inte tydlig"},
    "utilisation_title": {
        "en": "Staff utilisation (mean, 95 % CI)",
        "sv": "Personalens beläggning (medel, 95 % KI)",
    },
    "flows_caption": {
        "en": "Participants per replication (the mean over the {r} replications) of the cohort "
        "that arrived after the warm-up. Still in the system: no exit before the horizon; not yet "
        "followed up: the follow-up falls after the horizon.",
        "sv": "Deltagare per replikering (medelvärdet över de {r} replikeringarna) i kohorten "
        "som kom efter insvängningen. Kvar i systemet: inget avslut före horisonten; ej uppföljd "
        "än: uppföljningen infaller efter horisonten.",
    },
    "board_pack": {"en": "Download board pack", "sv": "Ladda ner styrelseunderlag"},
    "board_pack_pdf": {"en": "Board pack (PDF)", "sv": "Styrelseunderlag (PDF)"},
    "board_pack_xlsx": {
        "en": "Board pack tables (xlsx)",
        "sv": "Styrelseunderlagets tabeller (xlsx)",
    },
    "board_pack_note": {
        "en": "The board pack is one self-contained HTML file of this comparison, in English; "
        "open it in any browser or print it to PDF.",
        "sv": "Styrelseunderlaget är en fristående HTML-fil med den här jämförelsen, på svenska; "
        "öppna den i valfri webbläsare eller skriv ut den som PDF.",
    },
    "pdf_unavailable": {
        "en": "No PDF here: it needs Chromium on the server ({reason}). Download the HTML board "
        "pack and print it to PDF from the browser.",
        "sv": "Ingen PDF här: den kräver Chromium på servern ({reason}). Ladda ner "
        "styrelseunderlaget som HTML och skriv ut det som PDF från webbläsaren.",
    },
    "board_pack_failed": {
        "en": "The board pack could not be built:",
        "sv": "Styrelseunderlaget kunde inte skapas:",
    },
    "run_failed": {"en": "The run failed:", "sv": "Körningen misslyckades:"},
    "bundled_bad": {
        "en": "A bundled design could not be loaded:",
        "sv": "En inbyggd modell kunde inte läsas in:",
    },
    "too_large": {
        "en": "{name}: the file is larger than {n} bytes",
        "sv": "{name}: filen är större än {n} byte",
    },
    "readme": {"en": "README.md (in English)", "sv": "README.md (på engelska)"},
    "readme_missing": {"en": "(README not installed)", "sv": "(README är inte installerad)"},
    "bonus_subgoal_sek": {"en": "Bonus per subgoal (delmål), SEK", "sv": "Bonus per delmål, kr"},
    "bonus_job_sek": {"en": "Bonus per exit to a job, SEK", "sv": "Bonus per avslut till jobb, kr"},
    "startbidrag_sek": {"en": "Startbidrag, SEK", "sv": "Startbidrag, kr"},
    "bonus_6m_sek": {
        "en": "6-month bonus, difficulty {level}, SEK",
        "sv": "6-månadersbonus, svårighetsgrad {level}, kr",
    },
    "kpi": {"en": "KPI", "sv": "Nyckeltal"},
    "lead_times": {"en": "Lead times against the rules", "sv": "Ledtider mot reglerna"},
    "outcomes": {
        "en": "Outcomes at 90 days and 6 months",
        "sv": "Utfall efter 90 dagar och 6 månader",
    },
    "costs_fig": {"en": "Cost per financing party", "sv": "Kostnad per finansiär"},
    "queues": {"en": "Queue length per stage", "sv": "Kölängd per steg"},
    "utilisation": {"en": "Staff utilisation", "sv": "Personalens beläggning"},
    "flows": {
        "en": "Flow of the cohort: arrival → exit → 90 days → 6 months",
        "sv": "Kohortens väg: ankomst → avslut → 90 dagar → 6 månader",
    },
    "downloads": {"en": "Downloads", "sv": "Nedladdningar"},
    "download_csv": {"en": "comparison.csv", "sv": "comparison.csv"},
    "download_events": {"en": "events.parquet", "sv": "events.parquet"},
    "summary_line": {
        "en": "{n} design(s), {r} replications, seed {s}, common random numbers",
        "sv": "{n} modell(er), {r} replikeringar, frö {s}, gemensamma slumptal",
    },
    "duplicate": {
        "en": "Two designs have the name {name!r}; give the variant another name.",
        "sv": "Två modeller heter {name!r}; ge varianten ett annat namn.",
    },
    # The Plan tab (samflode.dashboard.plan). English labels avoid the word "Replications":
    # the browser test finds the sidebar's number of replications by that label.
    "tab_plan": {"en": "Plan", "sv": "Planera"},
    "plan_intro": {
        "en": "The least costly staffing that meets your targets, found by simulation: the "
        "planner of `samflode plan`, run here on this machine. It assumes that more of a "
        "resource never makes a lead time worse.",
        "sv": "Den billigaste bemanningen som når målen, framtagen genom simulering: planeraren "
        "i `samflode plan`, körd här på den här datorn. Den antar att mer av en resurs aldrig "
        "gör en ledtid sämre.",
    },
    "plan_design": {"en": "Design", "sv": "Modell"},
    "plan_quick": {
        "en": "Quick look (200 days)",
        "sv": "Snabbtitt (200 dagar)",
    },
    "plan_targets": {"en": "Targets", "sv": "Mål"},
    "plan_n_targets": {"en": "Number of targets (1–3)", "sv": "Antal mål (1–3)"},
    "plan_sense": {"en": "At least / at most", "sv": "Minst / högst"},
    "plan_value": {"en": "Value", "sv": "Värde"},
    "plan_value_help": {
        "en": "Shares as a fraction (0.9 = 90 %), lead times in days, costs in kronor.",
        "sv": "Andelar som bråkdel (0,9 = 90 %), ledtider i dagar, kostnader i kronor.",
    },
    "plan_levers": {
        "en": "Levers: what the plan may change",
        "sv": "Resurser som planen får ändra",
    },
    "plan_lever_option": {"en": "{lever} (today {today})", "sv": "{lever} (i dag {today})"},
    "plan_min": {"en": "{lever}: least", "sv": "{lever}: minst"},
    "plan_max": {"en": "{lever}: most", "sv": "{lever}: högst"},
    "plan_no_levers": {
        "en": "Choose at least one lever.",
        "sv": "Välj minst en resurs.",
    },
    "plan_mode": {"en": "Decide on", "sv": "Avgör efter"},
    "plan_mode_mean": {
        "en": "the mean (the long run)",
        "sv": "medelvärdet (på lång sikt)",
    },
    "plan_mode_probability": {
        "en": "the probability (a single year)",
        "sv": "sannolikheten (ett enskilt år)",
    },
    "plan_confidence": {"en": "Confidence", "sv": "Konfidensnivå"},
    "plan_scales": {
        "en": "Inflow (× today's)",
        "sv": "Inflöde (× dagens)",
    },
    "plan_no_scales": {
        "en": "Choose at least one inflow.",
        "sv": "Välj minst ett inflöde.",
    },
    "plan_cap": {
        "en": "Most runs per candidate (5–40)",
        "sv": "Högst antal körningar per kandidat (5–40)",
    },
    "plan_cap_help": {
        "en": "Each candidate staffing starts with 5 runs and doubles them while a target's "
        "decision is unclear, up to this many.",
        "sv": "Varje kandidat börjar med 5 körningar och dubblar dem så länge ett mål är oklart, "
        "upp till så här många.",
    },
    "plan_seed": {"en": "Seed", "sv": "Frö"},
    "plan_run": {"en": "Run plan", "sv": "Kör planeringen"},
    "plan_running": {
        "en": "Planning… {n} simulations so far",
        "sv": "Planerar… {n} simuleringar hittills",
    },
    "plan_press_run": {
        "en": "Press Run plan to search for the least costly staffing.",
        "sv": "Tryck på Kör planeringen för att söka den billigaste bemanningen.",
    },
    "plan_stale": {
        "en": "The settings changed since this plan; press Run plan to update.",
        "sv": "Inställningarna har ändrats sedan planeringen; tryck på Kör planeringen för att "
        "uppdatera.",
    },
    "plan_bad": {
        "en": "Cannot plan with these settings:",
        "sv": "Det går inte att planera med de här inställningarna:",
    },
    "plan_answer": {"en": "Plan for {name}", "sv": "Plan för {name}"},
    "plan_quick_tag": {"en": "quick look, not final", "sv": "snabbtitt, ej slutligt"},
    "plan_quick_banner": {
        "en": "Quick look: a 200-day horizon. The staffing found is a first guess, not a final "
        "answer — untick the quick look and run the plan again for the full horizon.",
        "sv": "Snabbtitt: 200 dagars horisont. Bemanningen är en första gissning, inte ett "
        "slutligt svar — avmarkera snabbtitten och kör planeringen igen för hela horisonten.",
    },
    "plan_rule_mean": {
        "en": "A target holds if the one-sided {c} confidence bound of its mean meets it.",
        "sv": "Ett mål nås om den ensidiga {c}-konfidensgränsen för medelvärdet når det.",
    },
    "plan_rule_probability": {
        "en": "A target holds if at least {c} of the runs (each a plausible year) meet it.",
        "sv": "Ett mål nås om minst {c} av körningarna (vart och ett ett tänkbart år) når det.",
    },
    "plan_facts": {
        "en": "{n} simulations in all, seed {seed}.",
        "sv": "{n} simuleringar totalt, frö {seed}.",
    },
    "plan_scale": {"en": "Inflow × {s}", "sv": "Inflöde × {s}"},
    "plan_met": {
        "en": "Met: {levers} meets every target (confirmed on fresh runs).",
        "sv": "Uppfyllt: {levers} når alla mål (bekräftat på nya körningar).",
    },
    "plan_no_solution": {
        "en": "No solution inside the lever bounds: even with every lever at its maximum "
        "({levers}) a target is missed. Best reachable: {best}.",
        "sv": "Ingen lösning inom resursernas gränser: även med alla resurser på max ({levers}) "
        "nås inte alla mål. Bästa möjliga: {best}.",
    },
    "plan_not_confirmed": {
        "en": "Not confirmed: {levers} met every target in the search but missed one on fresh "
        "runs, even after more units. Best tried: {best}.",
        "sv": "Inte bekräftat: {levers} nådde alla mål i sökningen men missade ett på nya "
        "körningar, även med fler enheter. Bästa prövade: {best}.",
    },
    "plan_not_met": {"en": "Not met: {reason}", "sv": "Inte uppfyllt: {reason}"},
    "plan_table": {"en": "Today versus planned", "sv": "I dag jämfört med planen"},
    "plan_col_today": {"en": "Today", "sv": "I dag"},
    "plan_col_planned": {"en": "Planned", "sv": "Planerat"},
    "plan_col_top": {
        "en": "Best reachable (every lever at its maximum)",
        "sv": "Bästa möjliga (alla resurser på max)",
    },
    "plan_row_p_met": {
        "en": "{target}: share of runs that meet it",
        "sv": "{target}: andel körningar som når målet",
    },
    "plan_row_cost": {"en": "Staff cost a year", "sv": "Personalkostnad per år"},
    "plan_row_met": {"en": "Meets every target", "sv": "Når alla mål"},
    "plan_row_runs": {"en": "Runs", "sv": "Körningar"},
    "plan_yes": {"en": "yes", "sv": "ja"},
    "plan_no": {"en": "no", "sv": "nej"},
    "plan_table_note": {
        "en": "Estimates: mean [one-sided {c} bounds]; ✓ the target holds by the rule above. "
        "Staff cost: paid hours × cost per hour of every pool, without vacancies.",
        "sv": "Skattningar: medel [ensidiga {c}-gränser]; ✓ målet nås enligt regeln ovan. "
        "Personalkostnad: betalda timmar × timkostnad för alla grupper, utan vakanser.",
    },
    "plan_binds": {"en": "What binds", "sv": "Vad som begränsar"},
    "plan_fig_targets": {"en": "Targets against levers", "sv": "Mål mot resurser"},
    "plan_fig_frontier": {"en": "Cost against service", "sv": "Kostnad mot service"},
    "plan_fig_inflow": {
        "en": "Least staffing against inflow",
        "sv": "Minsta bemanning mot inflöde",
    },
    "plan_candidates": {
        "en": "Every candidate evaluated",
        "sv": "Alla prövade kandidater",
    },
    "bind_busiest": {
        "en": "busiest pool {pool} ({what} {today} today → {planned} planned)",
        "sv": "mest belastade grupp {pool} ({what} {today} i dag → {planned} planerat)",
    },
    "bind_utilisation": {"en": "utilisation", "sv": "beläggning"},
    "bind_slots": {"en": "caseload slots", "sv": "ärendeplatser"},
    "bind_wait": {
        "en": "mean wait {today} → {planned} days",
        "sv": "medelväntan {today} → {planned} dagar",
    },
    "bind_hangs_on": {
        "en": "one unit less of {levers} misses it",
        "sv": "en enhet mindre av {levers} missar målet",
    },
    "bind_or": {"en": " or ", "sv": " eller "},
    "bind_no_single": {
        "en": "no single lever: one unit less of any still meets it",
        "sv": "ingen enskild resurs: en enhet mindre av vilken som helst når fortfarande målet",
    },
    "stage_first_meeting": {"en": "first meeting", "sv": "första mötet"},
    "stage_kontrakt": {"en": "kontrakt", "sv": "kontrakt"},
    "stage_konsultation": {"en": "Konsultation", "sv": "Konsultation"},
    "stage_insats": {"en": "Insatsmarknad place", "sv": "plats på Insatsmarknaden"},
    "stage_slot": {"en": "caseload slot", "sv": "plats i ärendelistan"},
    "stage_whole": {"en": "the whole flow", "sv": "hela flödet"},
}

STEP_LABELS = {
    "en": {"arrived": "Arrived", "exit": "Exit", "90d": "90 days", "6m": "6 months"},
    "sv": {"arrived": "Ankomst", "exit": "Avslut", "90d": "90 dagar", "6m": "6 månader"},
}


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` (English if missing), formatted with ``values``."""
    return translate(TEXT, key, lang, **values)


def kpi_name(key: str, lang: str) -> str:
    """Label for a KPI key in ``lang`` (:func:`samflode.report.labels.kpi_label`)."""
    return kpi_label(key, lang)


def node_label(node: str, lang: str) -> str:
    """Label for a flow node ``step:state`` (see :func:`samflode.analysis.flows.outcome_flows`)."""
    step, _, state = node.partition(":")
    steps, states = STEP_LABELS.get(lang, STEP_LABELS["en"]), STATE_LABELS.get(lang, {})
    return f"{steps.get(step, step)}: {states.get(state, state)}"
