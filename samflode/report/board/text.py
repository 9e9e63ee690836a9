"""The board paper's words in Swedish and English; one entry per sentence, filled with numbers.

Swedish follows the usual structure of a tjänsteskrivelse to a samordningsförbund's board
(ärendet, förslag till beslut, bakgrund, ekonomi, bilagor) and the spelling of GLOSSARY.md.
"""

from __future__ import annotations

from samflode.report.labels import translate

TEXT: dict[str, dict[str, str]] = {
    "title": {
        "en": "Board paper: choice of organisational design",
        "sv": "Styrelseunderlag: val av organisationsmodell",
    },
    "subtitle": {
        "en": "samflode simulation of {k} designs, {n} replications each, finished {date}",
        "sv": "samflode-simulering av {k} modeller, {n} replikeringar var, klar {date}",
    },
    # 1 The question
    "s_question": {"en": "1. The question", "sv": "1. Ärendet"},
    "question": {
        "en": "The board is asked which of {k} organisational designs gives more participants "
        "work or studies, how quickly people get help, and what each financing party pays for "
        "it a year. Designs compared: {designs}. Reference design: {ref} (every difference is "
        "measured against it).",
        "sv": "Styrelsen ska ta ställning till vilken av {k} organisationsmodeller som ger fler "
        "deltagare arbete eller studier, hur snabbt deltagarna får stöd och vad det kostar "
        "respektive finansiär per år. Jämförda modeller: {designs}. Referensmodell: {ref} (alla "
        "skillnader mäts mot den).",
    },
    "how_run": {
        "en": "The paper rests on a simulation: {n} runs of each design with the same "
        "participants, {window} days each after a warm-up of {warmup} days; differences are "
        "paired against the reference, with 95 % confidence intervals (section 11).",
        "sv": "Underlaget bygger på en simulering: {n} körningar av varje modell med samma "
        "deltagare, {window} dagar var efter {warmup} dagars insvängning; skillnaderna är parade "
        "mot referensmodellen, med 95 % konfidensintervall (avsnitt 11).",
    },
    "above": {"en": "above", "sv": "över"},
    "below": {"en": "below", "sv": "under"},
    # 2 The answer
    "s_answer": {"en": "2. The answer", "sv": "2. Svar och förslag till beslut"},
    "headline_better": {"en": "Proposal: {name}", "sv": "Förslag: {name}"},
    "headline_keep": {
        "en": "Proposal: keep {name} — no design is clearly better",
        "sv": "Förslag: behåll {name} — ingen modell är tydligt bättre",
    },
    "answer_gain": {
        "en": "The share in work or studies 90 days after exit is {gain} in {name} against "
        "{ref} (95 % CI {low} to {high}); the probability that the difference is positive is "
        "{p}.",
        "sv": "Andelen i arbete eller studier 90 dagar efter avslut är {gain} i {name} jämfört "
        "med {ref} (95 % KI {low} till {high}); sannolikheten att skillnaden är positiv är {p}.",
    },
    "answer_cost": {
        "en": "It costs {dcost} a year more than {ref} (95 % CI {low} to {high}): about {cpp} "
        "per additional person in work or studies (approximately {extra} more people a year).",
        "sv": "Den kostar {dcost} mer per år än {ref} (95 % KI {low} till {high}): omkring {cpp} "
        "per ytterligare person i arbete eller studier (ungefär {extra} fler personer per år).",
    },
    "answer_cheaper": {
        "en": "It costs {dcost} a year less than {ref} (95 % CI {low} to {high}).",
        "sv": "Den kostar {dcost} mindre per år än {ref} (95 % KI {low} till {high}).",
    },
    "answer_saving": {
        "en": "The municipality saves {saving} a year in income support (försörjningsstöd), "
        "{dsaving} against {ref}.",
        "sv": "Kommunen sparar {saving} försörjningsstöd per år, {dsaving} jämfört med {ref}.",
    },
    "answer_keep": {
        "en": "No design's paired 95 % interval for the share in work or studies 90 days after "
        "exit lies wholly above {ref}'s; the simulation gives no reason to change design on "
        "outcomes alone.",
        "sv": "Ingen modells parade 95 % konfidensintervall för andelen i arbete eller studier 90 "
        "dagar efter avslut ligger helt över {ref}; simuleringen ger inget skäl att byta modell "
        "för utfallens skull.",
    },
    "clear": {"en": "clear", "sv": "tydlig skillnad"},
    "not_clear": {"en": "not clear", "sv": "ingen tydlig skillnad"},
    "how_sure": {
        "en": "How sure: the differences are those of the model under its assumptions (section "
        "10); their size is only as good as the assumed parameters. {calibration}",
        "sv": "Hur säkert: skillnaderna gäller modellen med dess antaganden (avsnitt 10); "
        "effekternas storlek är inte bättre än de antagna parametrarna. {calibration}",
    },
    "calibrated": {
        "en": "The model was calibrated: {within} of {targets} targets fall within the model's "
        "90 % range, {held_within} of {held} held-out targets (section 9).",
        "sv": "Modellen är kalibrerad: {within} av {targets} mål ligger inom modellens 90 % "
        "intervall, {held_within} av {held} mål som hölls utanför anpassningen (avsnitt 9).",
    },
    "not_calibrated": {
        "en": "No calibration was given with this comparison (section 9).",
        "sv": "Ingen kalibrering följde med jämförelsen (avsnitt 9).",
    },
    "key_figures": {"en": "Key figures", "sv": "Nyckeltal"},
    "kpi": {"en": "Measure", "sv": "Mått"},
    "reference_tag": {"en": "{name} (reference)", "sv": "{name} (referens)"},
    "cell_note": {
        "en": "Each cell: the mean over {n} replications; below it, the paired difference to "
        "the reference with its 95 % CI (green: clearly better, red: clearly worse).",
        "sv": "Varje cell: medelvärdet över {n} replikeringar; under det den parade skillnaden "
        "mot referensen med 95 % KI (grönt: tydligt bättre, rött: tydligt sämre).",
    },
    "cell_note_short": {
        "en": "Each cell: the mean over {n} replications; below it, the paired difference to "
        "the reference (green: clearly better, red: clearly worse; intervals in sections 4–7).",
        "sv": "Varje cell: medelvärdet över {n} replikeringar; under det den parade skillnaden "
        "mot referensen (grönt: tydligt bättre, rött: tydligt sämre; intervall i avsnitt 4–7).",
    },
    "tied": {
        "en": "{names} gives as much within the uncertainty; {name} is proposed because it "
        "costs less.",
        "sv": "{names} ger lika mycket inom osäkerheten; {name} föreslås eftersom den kostar "
        "mindre.",
    },
    # 3 Designs
    "s_designs": {"en": "3. The designs compared", "sv": "3. Jämförda modeller"},
    "file": {"en": "File", "sv": "Fil"},
    "differs": {
        "en": "Differs from the reference in {n} settings:",
        "sv": "Skiljer sig från referensen i {n} inställningar:",
    },
    "same_as_reference": {"en": "The reference design.", "sv": "Referensmodellen."},
    "more": {"en": "… and {n} more", "sv": "… och {n} till"},
    "sources_cited": {
        "en": "Sources cited in the design file: {sources}",
        "sv": "Källor som designfilen hänvisar till: {sources}",
    },
    "removed": {"en": "none", "sv": "ingen"},
    "added": {"en": "added (not in the reference)", "sv": "tillagd (finns inte i referensen)"},
    "removed_part": {
        "en": "removed (only in the reference)",
        "sv": "borttagen (bara i referensen)",
    },
    "n_settings": {"en": "{n} settings differ", "sv": "{n} inställningar skiljer sig"},
    # 4 Lead times
    "s_lead": {"en": "4. Lead times against the rules", "sv": "4. Ledtider mot reglerna"},
    "lead_text": {
        "en": "The rules are each design's promises in calendar days. A share within the rule "
        "counts everyone who had the whole rule period before the end of the run; a wait that "
        "never ended, or ended in drop-out, counts as outside.",
        "sv": "Reglerna är varje modells löften i kalenderdagar. Andelen inom regeln räknar alla "
        "som hade hela regelperioden före körningens slut; en väntan som aldrig tog slut, eller "
        "slutade i avbrott, räknas som utanför.",
    },
    "rules_caption": {
        "en": "Rules: first meeting {first} days, kontrakt {kontrakt} days, Konsultation {kons} "
        "days (reference design).",
        "sv": "Regler: första mötet {first} dagar, kontrakt {kontrakt} dagar, Konsultation {kons} "
        "dagar (referensmodellen).",
    },
    # 5 Outcomes
    "s_outcomes": {
        "en": "5. Outcomes at 90 days and 6 months",
        "sv": "5. Utfall efter 90 dagar och 6 månader",
    },
    "outcomes_text": {
        "en": "Where those followed up stood, every state: work, studies, an AF programme, not "
        "in work, back to benefits, permanent support, drop-out. The shares at each follow-up "
        "add up to 100 %.",
        "sv": "Var de uppföljda befann sig, alla utfall: arbete, studier, AF-program, inte i "
        "arbete, tillbaka till ersättning, varaktig försörjning, avbrott. Andelarna vid varje "
        "uppföljning summerar till 100 %.",
    },
    # 6 Costs
    "s_costs": {
        "en": "6. Cost per financing party and year",
        "sv": "6. Kostnad per finansiär och år",
    },
    "costs_text": {
        "en": "Running costs a year (staff time, provider fees and bonuses; provider costs split "
        "by the samordningsförbund's member shares), per participant and per outcome. Benefits "
        "paid while people are in the flow are shown apart: they are transfers the design only "
        "shortens or lengthens.",
        "sv": "Driftkostnad per år (personaltid, anordnarnas avgifter och bonusar; anordnar"
        "kostnaderna fördelade efter samordningsförbundets medlemsandelar), per deltagare och "
        "per utfall. Ersättningar under tiden i flödet visas för sig: de är transfereringar som "
        "modellen bara förkortar eller förlänger.",
    },
    # 7 Saving
    "s_saving": {"en": "7. Income support saved", "sv": "7. Sparat försörjningsstöd"},
    "saving_text": {
        "en": "For each follow-up (90 days, 6 months) at which a participant who came from "
        "försörjningsstöd and left for work is still in work, the municipality saves three "
        "months of income support at the scenario's monthly rate.",
        "sv": "För varje uppföljning (90 dagar, 6 månader) där en deltagare som kom från "
        "försörjningsstöd och gick till arbete fortfarande arbetar sparar kommunen tre månaders "
        "försörjningsstöd enligt scenariots månadsbelopp.",
    },
    # 8 What binds
    "s_binds": {"en": "8. What binds capacity", "sv": "8. Vad begränsar kapaciteten"},
    "binds_text": {
        "en": "Utilisation is meeting and case hours ÷ paid hours. A pool near 100 % is what "
        "lengthens the queues; one far below it has time to spare. Busiest pools per design:",
        "sv": "Beläggning är mötes- och ärendetid ÷ betald tid. En personalgrupp nära 100 % är "
        "det som förlänger köerna; en långt under har tid över. Mest belagda grupper per modell:",
    },
    "busiest": {
        "en": "{name}: {pools}",
        "sv": "{name}: {pools}",
    },
    "plan_text": {
        "en": "Capacity plan for {design} ({mode} mode, confidence {confidence}): targets "
        "{targets}.",
        "sv": "Kapacitetsplan för {design} ({mode}, konfidens {confidence}): mål {targets}.",
    },
    "plan_line": {
        "en": "Inflow × {scale}: {answer}; staff cost {cost} a year.",
        "sv": "Inflöde × {scale}: {answer}; personalkostnad {cost} per år.",
    },
    "plan_met": {"en": "met with {chosen}", "sv": "nås med {chosen}"},
    "plan_not_met": {"en": "no solution within the bounds", "sv": "ingen lösning inom gränserna"},
    # 9 Calibration
    "s_calibration": {
        "en": "9. How credible is the calibration",
        "sv": "9. Kalibreringens trovärdighet",
    },
    "calibration_text": {
        "en": "Observed values against the model's 90 % predictive range at the calibrated "
        "parameters. Held-out targets were not used in the fit: they test the model on what "
        "it was not shown.",
        "sv": "Observerade värden mot modellens 90 % prognosintervall vid de kalibrerade "
        "parametrarna. Mål som hölls utanför användes inte i anpassningen: de prövar modellen "
        "på det den inte fick se.",
    },
    "no_calibration": {
        "en": "No calibration folder was given. The outcome shares rest on the outcome model's "
        "assumed parameters and the sources cited in the design files (section 10); run "
        "samflode calibrate and pass its folder with --calibration to report the fit here.",
        "sv": "Ingen kalibrering följde med. Utfallsandelarna vilar på utfallsmodellens antagna "
        "parametrar och de källor designfilerna hänvisar till (avsnitt 10); kör samflode "
        "calibrate och ange mappen med --calibration för att redovisa anpassningen här.",
    },
    "target": {"en": "Target", "sv": "Mål"},
    "observed": {"en": "Observed", "sv": "Observerat"},
    "predicted": {"en": "Model, mean [90 % range]", "sv": "Modellen, medel [90 % intervall]"},
    "held_out": {"en": "held out", "sv": "utanför anpassningen"},
    "within": {"en": "Within the range", "sv": "Inom intervallet"},
    "yes": {"en": "yes", "sv": "ja"},
    "no": {"en": "no", "sv": "nej"},
    # 10 Assumptions
    "s_assumptions": {
        "en": "10. Assumptions and their sources",
        "sv": "10. Antaganden och källor",
    },
    "assumptions_text": {
        "en": "Every number in a design file carries a source or says it is an assumption. "
        "Below, each distinct text once, with the settings it covers ({n} in all).",
        "sv": "Varje tal i en designfil har en källa eller anges som antagande. Nedan varje "
        "text en gång, med de inställningar den gäller ({n} totalt).",
    },
    "kind": {"en": "Kind", "sv": "Typ"},
    "kind_source": {"en": "source", "sv": "källa"},
    "kind_assumption": {"en": "assumption", "sv": "antagande"},
    "settings": {"en": "Settings", "sv": "Inställningar"},
    "text": {"en": "Text", "sv": "Text"},
    # 11 Method
    "s_method": {
        "en": "11. Method appendix (STRESS-DES)",
        "sv": "11. Metodbilaga (STRESS-DES)",
    },
    "m_objectives": {"en": "Objectives", "sv": "Syfte"},
    "m_objectives_text": {
        "en": "Compare organisational designs for coordinated rehabilitation (samverkan FK, AF, "
        "municipality, region): lead times against the rules, outcomes at 90 days and 6 months "
        "and cost per financing party a year.",
        "sv": "Jämföra organisationsmodeller för samordnad rehabilitering (samverkan FK, AF, "
        "kommun, region): ledtider mot reglerna, utfall efter 90 dagar och 6 månader och kostnad "
        "per finansiär och år.",
    },
    "m_logic": {"en": "Model logic", "sv": "Modellens logik"},
    "m_logic_text": {
        "en": "A discrete-event simulation (SimPy) of each participant: arrival by target "
        "group, a first Forum meeting, triage to a simple track (kontrakt in Forum) or to the "
        "multi-professional Konsultation, a kontrakt held by a handläggare with a caseload, "
        "interventions bought on an Insatsmarknad with a check or procured, exit and "
        "follow-ups. The exit state comes from an outcome model driven by what the design "
        "changes: waits, continuity, support hours, joint meetings.",
        "sv": "En händelsestyrd simulering (SimPy) av varje deltagare: ankomst per målgrupp, ett "
        "första möte i Forum, bedömning till ett enkelt spår (kontrakt i Forum) eller till den "
        "multiprofessionella Konsultationen, ett kontrakt hos en handläggare med ärendelista, "
        "insatser köpta på en Insatsmarknad med check eller upphandlade, avslut och "
        "uppföljningar. Utfallet kommer från en utfallsmodell som drivs av det modellen ändrar: "
        "väntan, kontinuitet, stödtimmar, gemensamma möten.",
    },
    "m_data": {"en": "Data and sources", "sv": "Data och källor"},
    "m_data_text": {
        "en": "Every number of the design files carries its source (project reports of Nacka, "
        "Järfälla and AMiA, Försäkringskassan and Arbetsförmedlingen statistics) or says it "
        "is an assumption: section 10 lists them.",
        "sv": "Varje tal i designfilerna har sin källa (projektrapporter från Nacka, Järfälla och "
        "AMiA, statistik från Försäkringskassan och Arbetsförmedlingen) eller anges som "
        "antagande: avsnitt 10 listar dem.",
    },
    "m_experiment": {"en": "Experimentation", "sv": "Experiment"},
    "m_experiment_text": {
        "en": "{n} replications per design, seed {seed}, {window} days analysed after a "
        "warm-up of {warmup} days (checked with MSER-5: {mser}). Common random numbers: "
        "replication r of every design sees the same participants; differences are paired "
        "per replication with Student-t 95 % intervals.",
        "sv": "{n} replikeringar per modell, frö {seed}, {window} dagar analyserade efter en "
        "insvängning på {warmup} dagar (kontrollerad med MSER-5: {mser}). Gemensamma slumptal: "
        "replikering r av varje modell ser samma deltagare; skillnaderna paras per replikering "
        "med Student-t 95 % intervall.",
    },
    "mser_ok": {"en": "long enough for every design", "sv": "tillräcklig för alla modeller"},
    "mser_short": {
        "en": "MSER-5 would cut more for {names}",
        "sv": "MSER-5 skulle kapa mer för {names}",
    },
    "mser_unknown": {"en": "not available", "sv": "inte tillgänglig"},
    "m_implementation": {"en": "Implementation", "sv": "Genomförande"},
    "m_implementation_text": {
        "en": "samflode {version} (Python, SimPy, NumPy, pandas); the command that made the "
        "results: {command}",
        "sv": "samflode {version} (Python, SimPy, NumPy, pandas); kommandot som gav "
        "resultaten: {command}",
    },
    "m_verification": {"en": "Verification", "sv": "Verifiering"},
    "m_verification_text": {
        "en": "The engine is checked against queueing theory (M/M/c, M/G/1, Erlang A, Jackson "
        "networks, Little's law), a golden back test, a cost oracle, and a paired test that "
        "each mechanism moves its KPI; the test suite runs on every change.",
        "sv": "Motorn kontrolleras mot köteori (M/M/c, M/G/1, Erlang A, Jacksonnätverk, Littles "
        "lag), ett gyllene regressionstest, ett kostnadsorakel och ett parat test av att varje "
        "mekanism påverkar sitt mått; testsviten körs vid varje ändring.",
    },
    # 12 Manifest
    "s_manifest": {"en": "12. Run manifest", "sv": "12. Körningsmanifest"},
    "manifest_text": {
        "en": "Everything needed to reproduce these numbers: run the command below with the same "
        "samflode version; the scenario hashes say the designs are the same.",
        "sv": "Allt som behövs för att återskapa siffrorna: kör kommandot nedan med samma "
        "samflode-version; scenariernas kontrollsummor visar att modellerna är desamma.",
    },
    "field": {"en": "Field", "sv": "Fält"},
    "value": {"en": "Value", "sv": "Värde"},
    "m_version": {"en": "samflode version", "sv": "samflode-version"},
    "m_command": {"en": "Command", "sv": "Kommando"},
    "m_finished": {"en": "Finished", "sv": "Klar"},
    "m_seed": {"en": "Seed", "sv": "Frö"},
    "m_replications": {"en": "Replications per design", "sv": "Replikeringar per modell"},
    "m_overrides": {"en": "Overrides", "sv": "Ändrade värden"},
    "m_scenario": {"en": "Scenario {name} (SHA-256)", "sv": "Scenario {name} (SHA-256)"},
    "m_report": {"en": "Board pack made with", "sv": "Underlaget gjort med"},
    "footer": {
        "en": "samflode board pack · {ref} is the reference · {n} replications · seed {seed}",
        "sv": "samflode styrelseunderlag · {ref} är referens · {n} replikeringar · frö {seed}",
    },
}


def say(key: str, lang: str, **values: object) -> str:
    """The paper's text for ``key`` in ``lang`` (English when missing), filled with ``values``."""
    return translate(TEXT, key, lang, **values)
