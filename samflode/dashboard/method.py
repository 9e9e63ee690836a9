"""The "Method" page: the model described in the STRESS-DES structure (Monks et al. 2019).

Text only, in English and Swedish, kept in step with README.md (whose sections it links) and
GLOSSARY.md. A change to one language is a change to both.
"""

from __future__ import annotations

README = "README.md"

METHOD_MD = f"""
### Method (STRESS-DES)

This page describes the model behind the dashboard in the structure of the STRESS-DES reporting
guideline for discrete-event simulation. Details are in {README} (sections named below; the file
is shown in full at the end of this page) and Swedish terms in GLOSSARY.md (the glossary above).

#### 1. Objectives
- Let planners check whether a staffing meets the lead-time rules (first Forum meeting within 7
  days, kontrakt within 14 days, Konsultation within 7 days of the hand-over).
- Let samordningsförbund boards compare organisational designs on lead times, outcomes at 90 days
  and 6 months, and cost per financing party (FK, AF, region, municipality).
- KPIs are measured on the cohort that arrives after the warm-up and before the horizon
  (README: *What it is for*, *KPIs*).

#### 2. Logic
- Flow: **Forum → Konsultation (complex cases) → Insatsmarknad → exit → follow-up at 90 days and
  6 months**; the Nacka work model (seed 000) is the template (README: *The model in brief*).
- Each participant is a SimPy process; staff are pools of interchangeable people with working
  calendars, caseload caps and optional turnover; providers have places; customer choice or
  assigned places.
- Designs differ by scenario file only: silo intake with hand-offs, co-location, a rehab guide,
  procured programmes, AMiA sites (README: *Scenario files*).
- Assumptions visible in the code (part-time staff, meetings fitting the day, FIFO queues, paid
  time as the cost basis) are listed in README: *Modelling assumptions visible in the code*.

#### 3. Data and sources
- Every number in a scenario file carries a `source:` (a document and its section, listed in
  `docs/sources.md`: Nacka 2008, AMiA 2013, Järfälla 2013, Gränsgångare 2022) or an
  `assumption:` with a reason; the documents give designs, rules and payment structures, most
  volumes and durations are samflode's own assumptions (README: *Scenario files*).
- The AMiA site outcomes measured in AMiA 2013 are written down as calibration targets with their
  sources; the model is **not yet calibrated** against them (a later version fits it).

#### 4. Experimentation
- Replications with a fixed seed; one named random stream per source of variability, so every
  design run with the same seed shares common random numbers, and differences are paired per
  replication with Student-t 95 % confidence intervals (README: *Reproducibility and randomness*,
  *Comparing designs*).
- A fixed warm-up per scenario, checked by MSER-5; a check of the replications needed for a
  target CI half-width.
- On this page: the seed and the number of replications are set in the sidebar; "quick run"
  shortens the horizon to 200 days for a first look (its figures are not the full design's).

#### 5. Implementation
- Python, SimPy 4, numpy, pandas, pydantic (validated, frozen scenarios); the event log is
  append-only and every KPI is a pure function of it (README: *The event log*, *Python API*).
- The page calls the same experiment runner as `samflode compare`, so the same seed and
  replications give the same figures as the command line.

#### 6. Verification and validation
- Queueing theory: stages configured as M/M/c, M/G/1 and M/M/c+M queues are checked against
  Erlang C, Pollaczek–Khinchine and Erlang A, and numbers in system against Little's law;
  conservation (arrivals = exits + in system) on every run; same seed → identical event log
  whatever the number of workers; deterministic pathways, extreme cases, property-based tests
  (README: *Verification*).
- There is no validation against observed data yet: the designs rest on stated assumptions and
  are for comparison, not forecasting.
"""

METHOD_MD_SV = f"""
### Metod (STRESS-DES)

Sidan beskriver modellen bakom instrumentpanelen enligt STRESS-DES, riktlinjen för att redovisa
händelsestyrd simulering. Detaljerna finns i {README} (avsnitten som nämns nedan, på engelska;
filen visas i sin helhet längst ner på sidan) och de svenska termerna i GLOSSARY.md (ordlistan
ovan).

#### 1. Syfte
- Låta planerare pröva om en bemanning klarar ledtidsreglerna (första mötet i Forum inom 7
  dagar, kontrakt inom 14 dagar, Konsultation inom 7 dagar efter överlämningen).
- Låta samordningsförbundens styrelser jämföra organisationsmodeller efter ledtider, utfall efter
  90 dagar och 6 månader och kostnad per finansiär (FK, AF, region, kommun).
- Nyckeltalen mäts på kohorten som kommer efter insvängningen och före horisonten
  (README: *What it is for*, *KPIs*).

#### 2. Logik
- Flödet: **Forum → Konsultation (komplexa ärenden) → Insatsmarknad → avslut → uppföljning efter
  90 dagar och 6 månader**; Nackamodellen (seed 000) är förlagan (README: *The model in brief*).
- Varje deltagare är en SimPy-process; personalen är grupper av utbytbara personer med
  arbetstider, tak för antal ärenden och eventuell personalomsättning; anordnarna har platser;
  kundval eller anvisade platser.
- Modellerna skiljer sig bara i scenariofilen: separata intag med överlämningar, samlokalisering,
  rehabguide, upphandlade program, AMiA-orterna (README: *Scenario files*).
- Antaganden som syns i koden (deltidsarbete, möten som ryms inom dagen, kö i turordning, betald
  tid som kostnadsgrund) listas i README: *Modelling assumptions visible in the code*.

#### 3. Data och källor
- Varje tal i en scenariofil har en `source:` (ett dokument och dess avsnitt, förtecknade i
  `docs/sources.md`: Nacka 2008, AMiA 2013, Järfälla 2013, Gränsgångare 2022) eller ett
  `assumption:` med motivering; dokumenten ger modeller, regler och ersättningsformer, medan de
  flesta volymer och tider är samflodes egna antaganden (README: *Scenario files*).
- AMiA-orternas uppmätta utfall i AMiA 2013 finns nedskrivna som kalibreringsmål med källor;
  modellen är **ännu inte kalibrerad** mot dem (en senare version anpassar den).

#### 4. Experiment
- Replikeringar med fast frö; en namngiven slumpström per källa till variation, så att alla
  modeller som körs med samma frö delar gemensamma slumptal, och skillnaderna paras per
  replikering med 95 % konfidensintervall enligt Student-t (README: *Reproducibility and
  randomness*, *Comparing designs*).
- En fast insvängningsperiod per scenario, kontrollerad med MSER-5; en kontroll av hur många
  replikeringar som behövs för en given halv bredd på konfidensintervallet.
- På den här sidan: frö och antal replikeringar väljs i sidopanelen; "snabbkörning" kortar
  horisonten till 200 dagar för en första titt (dess siffror är inte hela modellens).

#### 5. Genomförande
- Python, SimPy 4, numpy, pandas, pydantic (validerade, oföränderliga scenarier); händelseloggen
  skrivs bara till och varje nyckeltal är en ren funktion av den (README: *The event log*,
  *Python API*).
- Sidan anropar samma experimentkörning som `samflode compare`, så samma frö och antal
  replikeringar ger samma siffror som på kommandoraden.

#### 6. Verifiering och validering
- Köteori: steg som är uppsatta som M/M/c-, M/G/1- och M/M/c+M-köer kontrolleras mot Erlang C,
  Pollaczek–Khinchine och Erlang A, och antalet i systemet mot Littles lag; bevarande (ankomster =
  avslut + kvar i systemet) vid varje körning; samma frö → identisk händelselogg oavsett antal
  processer; deterministiska förlopp, extremfall, egenskapsbaserade tester
  (README: *Verification*).
- Modellen är ännu inte validerad mot observerade data: modellerna vilar på redovisade antaganden
  och är till för jämförelse, inte prognos.
"""

METHOD = {"en": METHOD_MD, "sv": METHOD_MD_SV}


def method_md(lang: str) -> str:
    """The method page in ``lang`` (English when there is no text in that language)."""
    return METHOD.get(lang, METHOD_MD)
