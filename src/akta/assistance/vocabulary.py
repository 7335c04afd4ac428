"""The documented lists of cost keys and income kinds of a monthly calculation (contract-v2 §3).

Each cost key is a reasonable cost outside the riksnorm (4 kap. 3 § första stycket 2 SoL
(2001:453)); the list is the statute's, the keys the contract's. Each income kind is an income of
the household that month; every income is counted (4 kap. 1 § SoL: the right to bistånd when the
need cannot be met in another way), except the part of income from employment (`lon`) that
jobbstimulans leaves uncounted (data/jobbstimulans.toml in akta.law). The keys are stable: they
appear in files, the API and the result's ``lines``; the labels are Swedish UI text.

The reference keys point into akta/law/data/references.toml, rendered for the month.
"""

from __future__ import annotations

# key -> Swedish label. Reference key of every cost: COSTS_REFERENCE.
COST_KINDS: dict[str, str] = {
    "boende": "Boende (hyra eller avgift)",
    "hushallsel": "Hushållsel",
    "arbetsresor": "Arbetsresor",
    "hemforsakring": "Hemförsäkring",
    "fackavgift": "Medlemsavgift till fackförening",
    "a_kassa": "Medlemsavgift till arbetslöshetskassa",
}
COSTS_REFERENCE = "sol.4.3"

# kind -> Swedish label. `lon` is income from employment (anställning).
INCOME_KINDS: dict[str, str] = {
    "lon": "Lön (inkomst av anställning)",
    "naringsinkomst": "Inkomst av näringsverksamhet",
    "arbetsloshetsersattning": "Arbetslöshetsersättning",
    "aktivitetsstod": "Aktivitetsstöd eller utvecklingsersättning",
    "etableringsersattning": "Etableringsersättning",
    "sjukpenning": "Sjukpenning",
    "sjukersattning": "Sjukersättning eller aktivitetsersättning",
    "foraldrapenning": "Föräldrapenning",
    "barnbidrag": "Barnbidrag och flerbarnstillägg",
    "bostadsbidrag": "Bostadsbidrag",
    "underhallsstod": "Underhållsstöd",
    "underhallsbidrag": "Underhållsbidrag",
    "studiemedel": "Studiemedel eller studiebidrag",
    "pension": "Pension",
    "bostadstillagg": "Bostadstillägg",
    "skatteaterbaring": "Skatteåterbäring",
    "ovrig": "Övrig inkomst",
}
INCOME_REFERENCE = "sol.4.1"
# The amount line: försörjningsstöd = norm + costs − income, the right to bistånd.
AMOUNT_REFERENCE = "sol.4.1"
