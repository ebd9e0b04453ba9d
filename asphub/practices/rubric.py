"""The default review rubric (DOMAIN.md). Each country starts with it and edits its own copy."""

from __future__ import annotations

DEFAULT_RUBRIC: tuple[tuple[str, str, str, str], ...] = (
    (
        "Atbilstība UNESCO vērtībām un tēmām",
        "Alignment with UNESCO values and themes",
        "Vai darbs kalpo miera kultūrai, ilgtspējīgai attīstībai, cilvēktiesībām, "
        "starpkultūru dialogam vai kultūras mantojumam?",
        "Does the work serve a culture of peace, sustainable development, human rights, "
        "intercultural dialogue or cultural heritage?",
    ),
    (
        "Pedagoģiskā kvalitāte un skaidri mērķi",
        "Pedagogical quality and clear objectives",
        "Vai mērķi ir skaidri un metodes tiem atbilst?",
        "Are the objectives clear, and do the methods fit them?",
    ),
    (
        "Rezultātu pierādījumi",
        "Evidence of results",
        "Vai ir parādīts, ko skolēni iemācījās vai kas mainījās?",
        "Does it show what pupils learnt or what changed?",
    ),
    (
        "Izmantojamība citā skolā",
        "Reusability by another school",
        "Vai cita skola to var atkārtot: norādījumi, materiāli, licence?",
        "Could another school repeat it: instructions, materials, licence?",
    ),
    (
        "Iekļaujošā pieeja un piekļūstamība",
        "Inclusiveness and accessibility",
        "Vai tas ir pieejams visiem skolēniem, arī ar īpašām vajadzībām?",
        "Is it open to every pupil, including those with special needs?",
    ),
    (
        "Inovācija",
        "Innovation",
        "Vai tas piedāvā ko jaunu tīklam?",
        "Does it bring something new to the network?",
    ),
)
