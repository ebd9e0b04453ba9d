"""Generated library text for the library benchmark (benchmarks.library): real Latvian words
in their inflected forms and real English words, drawn with a Zipf-like frequency, put
together into titles, summaries and Markdown bodies of realistic lengths.

The text is nonsense but its statistics are not: a few words are in nearly every item
("skola", "and"), most in some, a long tail in few (the rare tier: "dzintars", "lighthouse").
The same seed always gives the same text.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from dataclasses import dataclass

# -- Latvian ------------------------------------------------------------------------------------
# Nouns and adjectives are given as lemmas of a regular paradigm and their forms are made from
# the endings below (only the regular cases: forms with consonant alternation are not made);
# irregular words and verbs list their forms.

# 1st declension, masculine -s/-š: nom, gen, dat, acc, loc; plural nom, dat, acc, loc.
_DECL_1 = ("s", "a", "am", "u", "ā", "i", "iem", "us", "os")
# 4th declension, feminine -a.
_DECL_4 = ("a", "as", "ai", "u", "ā", "ām", "ās")
# 5th declension, feminine -e (the genitive plural alternates, so it is left out).
_DECL_5 = ("e", "es", "ei", "i", "ē", "ēm", "ēs")
# Adjectives, masculine lemma -s/-š: indefinite and definite, both genders.
_ADJ = ("s", "a", "am", "u", "ā", "i", "iem", "us", "os", "as", "ai", "ām", "ās",
        "ais", "ajam", "o", "ajā", "ie", "ajiem", "ajos", "ajai", "ajām", "ajās")  # fmt: skip

LV_NOUNS_1 = """
skolēns skolotājs projekts darbs uzdevums jautājums piemērs process rezultāts materiāls
priekšmets stāsts teksts vārds raksts mantojums pasākums konkurss festivāls dalībnieks vecāks
students pētījums eksperiments novērojums secinājums risinājums plāns laiks gads dators
internets kods algoritms mežs kalns ezers ceļš tilts nams dārzs lauks koks zieds augs putns
dzīvnieks klimats resurss atkritums piesārņojums avots stils žanrs romāns koris muzejs
arhīvs dokuments likums līgums miers cilvēks bērns draugs kaimiņš partners tīkls uzņēmums
budžets finansējums atbalsts ieguldījums paraugs standarts kritērijs vērtējums pārbaudījums
tests eksāmens sertifikāts diploms kurss posms periods gadsimts notikums karš uzvarētājs
novads pagasts ciems reģions kontinents ģeogrāfs vēsturnieks zinātnieks mākslinieks
rakstnieks dzejnieks komponists sportists direktors vadītājs koordinators mentors palīgs
arguments jēdziens princips aprēķins grafiks attēls zīmējums portāls rīks instruments spēks
ātrums svars apjoms laukums tilpums saimnieks ražojums produkts pakalpojums patēriņš
dialogs seminārs forums pārgājiens maršruts ūdensceļš krasts
stāstnieks albums katalogs kalendārs apraksts ieteikums pielikums pārskats
"""
LV_NOUNS_4 = """
skola izglītība attīstība valoda kultūra daba stunda nodarbība grāmata lapa
programma pieeja spēja tēma problēma diskusija sadarbība sabiedrība tradīcija
dziesma deja māksla mūzika literatūra matemātika fizika ķīmija bioloģija ģeogrāfija
informātika ekonomika ētika filozofija psiholoģija pedagoģija tehnoloģija inovācija
ilgtspēja enerģija planēta jūra pilsēta tauta kopiena komanda grupa ekskursija
darbnīca vasara ziema diena nedēļa pārmaiņa daudzveidība līdztiesība brīvība
drošība veselība atbildība demokrātija pilsonība iecietība cieņa vienlīdzība integrācija
migrācija globalizācija nabadzība vardarbība aizsardzība atjaunošana pētniecība refleksija
prezentācija iniciatīva kampaņa akcija mācībstunda viktorīna rotaļa pasaka dzeja ainava
tabula diagramma formula mīkla ziņa informācija teorija vērtība
uzvedība sajūta emocija draudzība mīlestība cerība atmiņa vieta telpa siltumnīca
dārzkopība lauksaimniecība mežsaimniecība saimniecība pārtika biedrība
apvienība organizācija stratēģija politika ekonomija statistika
sistēma sēkla aptauja anketa intervija fotogrāfija filma spēlfilma lasītava bibliotēka
"""
LV_NOUNS_5 = """
klase vide kompetence zeme upe ģimene solidaritāte identitāte tolerance analīze spēle
aktivitāte pieredze vēstule zinātne prakse attieksme nākotne pagātne tagadne dabaszinātne
kvalitāte egle bite puķe saule
prasme konference izstāde karte padome ābele maize sapulce izrāde avīze sarakste metode vēsture
"""
LV_ADJECTIVES = """
ilgtspējīgs globāls vietējs starptautisks nacionāls vēsturisks dabisks radošs aktīvs drošs
vesels zaļš tīrs jauns vecs liels mazs labs svarīgs interesants praktisks digitāls sociāls
ekoloģisks ekonomisks politisks demokrātisks kritisks pilsonisks iekļaujošs daudzveidīgs
atbildīgs brīvs līdztiesīgs mūsdienīgs tradicionāls latvisks eiropeisks baltisks bioloģisks
ģeogrāfisks matemātisks zinātnisks tehnisks muzikāls literārs ētisks emocionāls fizisks
garīgs kopīgs mierīgs taisnīgs draudzīgs ziņkārīgs patstāvīgs vērtīgs noderīgs
"""
# Irregular nouns, plural-only nouns, 2nd and 3rd declension: their forms.
LV_FORMS = """
ūdens ūdenim ūdeni ūdenī ūdeņi ūdeņu ūdeņiem ūdeņus ūdeņos
akmens akmenim akmeni akmenī akmeņi akmeņu akmeņiem
rudens rudenim rudeni rudenī
valsts valstij valsti valstī valstis valstu valstīm valstīs
cilvēktiesības cilvēktiesību cilvēktiesībām cilvēktiesībās
zināšanas zināšanu zināšanām zināšanās
mācības mācību mācībām mācībās
mērķis mērķa mērķim mērķi mērķī mērķu mērķiem mērķus mērķos
dzejolis dzejoļa dzejolim dzejoli dzejolī dzejoļi dzejoļu dzejoļiem
teātris teātra teātrim teātri teātrī teātru teātriem
pavasaris pavasara pavasarim pavasari pavasarī
viedoklis viedokļa viedoklim viedokli viedokļi viedokļu viedokļiem
jaunietis jaunieša jaunietim jaunieti jaunieši jauniešu jauniešiem jauniešus
mūziķis mūziķa mūziķim mūziķi mūziķu mūziķiem
pilsonis pilsoņa pilsonim pilsoni pilsoņi pilsoņu pilsoņiem
tirgus tirgum tirgu tirgū tirgi tirgiem
mēness mēnesim mēnesi mēnesī mēneši mēnešu mēnešiem
sirds sirdij sirdi sirdī sirdis sirdīm
"""
LV_VERBS = """
mācīties mācos mācās mācāmies mācījās mācīsies mācoties
mācīt māca mācām mācīja mācīs mācot
strādāt strādā strādājam strādāja strādās strādājot
veidot veido veidojam veidoja veidos veidojot
izzināt izzina izzinām izzināja
pētīt pēta pētām pētīja pētīs pētot
apgūt apgūst apgūstam apguva apgūs
iepazīt iepazīst iepazīstam iepazina iepazīs
izprast izprot izprotam izprata izpratīs
attīstīt attīsta attīstām attīstīja attīstīs
sadarboties sadarbojas sadarbojamies sadarbojās sadarbosies
piedalīties piedalās piedalāmies piedalījās piedalīsies
organizēt organizē organizējam organizēja organizēs
rīkot rīko rīkojam rīkoja rīkos
apmeklēt apmeklē apmeklējam apmeklēja apmeklēs
izveidot izveido izveidojam izveidoja izveidos
sagatavot sagatavo sagatavojam sagatavoja sagatavos
prezentēt prezentē prezentējam prezentēja
diskutēt diskutē diskutējam diskutēja
analizēt analizē analizējam analizēja
salīdzināt salīdzina salīdzinām salīdzināja
novērtēt novērtē novērtējam novērtēja
aizsargāt aizsargā aizsargājam aizsargāja
saglabāt saglabā saglabājam saglabāja saglabās
stādīt stāda stādām stādīja
vākt vāc vācam vāca vāks
šķirot šķiro šķirojam šķiroja
lasīt lasa lasām lasīja lasīs
rakstīt raksta rakstām rakstīja rakstīs
zīmēt zīmē zīmējam zīmēja
dziedāt dzied dziedam dziedāja
dejot dejo dejojam dejoja
spēlēt spēlē spēlējam spēlēja
runāt runā runājam runāja runās
klausīties klausās klausāmies klausījās
domāt domā domājam domāja
saprast saprot saprotam saprata
zināt zina zinām zināja zinās
redzēt redz redzam redzēja
dzīvot dzīvo dzīvojam dzīvoja
palīdzēt palīdz palīdzam palīdzēja palīdzēs
atbalstīt atbalsta atbalstām atbalstīja
iedvesmot iedvesmo iedvesmojam iedvesmoja
veicināt veicina veicinām veicināja veicinās
stiprināt stiprina stiprinām stiprināja
mainīt maina mainām mainīja
uzlabot uzlabo uzlabojam uzlaboja
izmantot izmanto izmantojam izmantoja izmantos
radīt rada radām radīja radīs
atklāt atklāj atklājam atklāja
"""
LV_FUNCTION = """
un ir ar par kā lai no uz arī ka bet vai tas tā šis šī kas mēs viņi viņš viņa savu savas
kopā pēc pie līdz starp caur bez ļoti vairāk mazāk katrs katra visi visas daudz tikai jau
vēl tad tur šeit kur kad ne nav bija būs var jo gan kopš tomēr tāpēc ikviens dažādi
"""
# A long tail: real words that only a few items use.
LV_RARE = """
dzintars dzintara dzintaru kokle kokles koklē daina dainas dainu strops stropa ozolzīle
vilkābele dzērvene dzērvenes stārķis stārķa rudzupuķe rudzupuķes pūpolzars jāņuzāles
klēts klētī rija rijā dūmistaba vērpšana aušana aušanas keramika keramikas podnieks podnieka
kalējs kalēja zvejnieks zvejnieki laiva laivā bāka bākas kāpas kāpās piekraste piekrastē
purvs purvā sūnas ķērpji ķērpju sēnes sēņu kamenes kameņu pūcei pūce edelveiss
lībieši lībiešu latgaliešu sēļi zemgaļi kuršu zvejniecība zvejniecības mazpulks mazpulki
gaismeklis spīdeklis putnubiedēklis bišudravas dravnieks dravnieki medus medū
"""
# Words that occur together (phrases a visitor types in quotes).
LV_PHRASES = [
    "ilgtspējīga attīstība", "ilgtspējīgas attīstības", "ilgtspējīgai attīstībai",
    "kultūras mantojums", "kultūras mantojuma", "kultūras mantojumu", "kultūras mantojumā",
    "globālā pilsonība", "globālās pilsonības", "cilvēktiesību izglītība",
    "cilvēktiesību izglītības", "miera kultūra", "miera kultūras", "bioloģiskā daudzveidība",
    "bioloģiskās daudzveidības", "klimata pārmaiņas", "klimata pārmaiņām",
    "UNESCO Asociēto skolu tīkls", "UNESCO Asociēto skolu tīklā", "pasaules mantojums",
    "pasaules mantojuma", "starpkultūru mācīšanās", "mācību gada", "vides izglītība",
]  # fmt: skip

# Only unpublished items use this word: a search for it must find nothing (drafts are never
# indexed).
DRAFT_WORD = "slepenība"

# -- English ------------------------------------------------------------------------------------

EN_NOUNS = """
school pupil teacher student class lesson project activity learning education development
heritage culture history language nature environment climate water river sea forest city
village community country world network partner peace right citizen citizenship value
sustainability energy resource waste pollution biodiversity species plant tree garden field
food farm market economy science experiment research question answer result method approach
skill competence knowledge topic problem discussion cooperation society tradition song dance
art music literature mathematics physics chemistry biology geography computer technology
innovation planet family group team trip exhibition conference workshop summer winter day
week change diversity equality freedom safety health responsibility democracy tolerance
respect inclusion migration poverty violence protection museum archive document map table
chart story poem book page worksheet game quiz role play presentation campaign festival
competition award parent volunteer coordinator principal guide plan goal aim outcome
assessment rubric criterion feedback reflection evidence example material resource unit
module course curriculum subject grade age level region island coast mountain lake
"""
EN_VERBS = """
learn learns learned learning teach teaches taught teaching work works worked working
explore explores explored exploring study studies studied studying create creates created
creating discuss discusses discussed discussing share shares shared sharing build builds
built building plant plants planted planting collect collects collected collecting protect
protects protected protecting visit visits visited visiting present presents presented
presenting compare compares compared comparing measure measures measured measuring write
writes wrote writing read reads read reading draw draws drew drawing sing sings sang singing
play plays played playing help helps helped helping support supports supported supporting
organise organises organised organising understand understands understood understanding
develop develops developed developing improve improves improved improving use uses used using
"""
EN_ADJECTIVES = """
sustainable global local international national historical natural creative active safe
healthy green clean new old large small good important interesting practical digital social
ecological economic political democratic critical civic inclusive diverse responsible free
equal modern traditional european baltic biological scientific technical musical ethical
emotional physical cultural common peaceful fair friendly curious independent useful open
"""
EN_FUNCTION = """
the of and to in a is for with on that as are by this be from it at we they their our an or
which can will more not was were has have had each all also about into how what when where
who why these those through between during after before than then there here
"""
EN_RARE = """
amber lighthouse lighthouses beekeeping beekeeper dune dunes lichen lichens pottery potter
archipelago glacier glaciers mangrove mangroves coral reef reefs kelp estuary estuaries
weaving loom blacksmith fisherman fishermen wetland wetlands moss mosses stork storks
cranberry cranberries cornflower heathland orchard orchards hedgehog hedgehogs owl owls
"""
EN_PHRASES = [
    "sustainable development", "cultural heritage", "global citizenship", "climate change",
    "human rights", "world heritage", "intercultural learning", "peace education",
    "UNESCO Associated Schools Network", "environmental education", "school year",
]  # fmt: skip
EN_DRAFT_WORD = "confidential"

SUBJECTS = {
    "lv": ["matemātika", "vēsture", "ģeogrāfija", "bioloģija", "latviešu valoda", "angļu valoda",
           "sociālās zinības", "vizuālā māksla", "mūzika", "dabaszinības", "ķīmija", "fizika",
           "informātika", "sports un veselība", "literatūra", "ētika"],
    "en": ["mathematics", "history", "geography", "biology", "English", "social studies",
           "visual arts", "music", "science", "chemistry", "physics", "computing",
           "physical education", "literature", "ethics", "citizenship"],
}  # fmt: skip
DURATIONS = {
    "lv": ["viena mācību stunda", "divas mācību stundas", "viena nedēļa", "viens mēnesis",
           "mācību gads", "viena diena", "trīs nedēļas", "semestris"],
    "en": ["one lesson", "two lessons", "one week", "one month", "a school year", "one day",
           "three weeks", "a term"],
}  # fmt: skip
FIRST_NAMES = {
    "lv": ["Anna", "Jānis", "Līga", "Andris", "Ilze", "Pēteris", "Inese", "Māris", "Dace",
           "Juris", "Kristīne", "Edgars", "Sandra", "Ģirts", "Zane", "Raimonds", "Aija", "Oskars"],
    "en": ["Maria", "John", "Amina", "Carlos", "Mei", "Olga", "Kwame", "Sofia", "David",
           "Fatima", "Lucas", "Hana", "Ivan", "Grace", "Ahmed", "Elena", "Tomás", "Priya"],
}  # fmt: skip
SURNAMES = {
    "lv": ["Bērziņa", "Kalniņš", "Ozola", "Liepiņš", "Krūmiņa", "Jansons", "Vītola", "Zariņš",
           "Kļaviņa", "Pētersons", "Siliņa", "Eglītis", "Ābola", "Lapiņš", "Grīnberga", "Āboliņš"],
    "en": ["Smith", "Garcia", "Okafor", "Chen", "Ivanova", "Mensah", "Rossi", "Cohen", "Silva",
           "Haddad", "Müller", "Tanaka", "Novak", "Kowalska", "Nguyen", "Dubois"],
}  # fmt: skip


def _regular(lemmas: str, endings: tuple[str, ...], cut: int) -> list[list[str]]:
    lexemes = []
    for lemma in lemmas.split():
        stem = lemma[:-cut]
        if lemma.endswith("š"):  # zaļš, ceļš, karš, kaimiņš: the ending is "š", not "s"
            lexemes.append([lemma] + [stem + e for e in endings[1:]])
        else:
            lexemes.append([stem + e for e in endings])
    return lexemes


def _listed(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()]


_EN_PLURALS = {
    "species": "species",
    "criterion": "criteria",
    "knowledge": "knowledge",
    "health": "health",
    "safety": "safety",
    "peace": "peace",
    "waste": "waste",
}


def _english_nouns(words: str) -> list[list[str]]:
    lexemes = []
    for word in words.split():
        if word in _EN_PLURALS:
            plural = _EN_PLURALS[word]
        elif word.endswith(("s", "x", "ch", "sh")):
            plural = word + "es"
        elif word.endswith("y") and word[-2] not in "aeiou":
            plural = word[:-1] + "ies"
        else:
            plural = word + "s"
        lexemes.append([word, plural])
    return lexemes


def _chunks(words: str, size: int) -> list[list[str]]:
    items = words.split()
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass(frozen=True)
class Language:
    """One language's vocabulary, ready to draw from."""

    code: str
    forms: tuple[str, ...]
    cumulative: tuple[float, ...]
    title_forms: tuple[str, ...]
    title_cumulative: tuple[float, ...]
    phrases: tuple[str, ...]
    draft_word: str

    @property
    def lemma_count(self) -> int:
        return len(self.forms)


def _weights(lexemes: list[list[str]], *, first: str, rng: random.Random, exponent: float,
             mass: float) -> list[tuple[str, float]]:  # fmt: skip
    """Zipf-like weights over lexemes (in a seeded order, `first` the most frequent), spread
    over each lexeme's forms (its first forms more frequent), summing to `mass`."""
    order = sorted(lexemes, key=lambda forms: (forms[0] != first, rng.random()))
    raw: list[tuple[str, float]] = []
    for rank, forms in enumerate(order):
        weight = 1.0 / (rank + 2.7) ** exponent
        shares = [1.0 / (position + 1) for position in range(len(forms))]
        total = sum(shares)
        raw += [(form, weight * share / total) for form, share in zip(forms, shares, strict=True)]
    scale = mass / sum(weight for _, weight in raw)
    return [(form, weight * scale) for form, weight in raw]


def _language(code: str, *, content: list[list[str]], function: list[list[str]],
              rare: list[list[str]], first: str, phrases: list[str], draft_word: str,
              seed: int) -> Language:  # fmt: skip
    rng = random.Random(f"{seed}-{code}")
    weighted = (
        _weights(content, first=first, rng=rng, exponent=1.0, mass=0.62)
        + _weights(function, first=function[0][0], rng=rng, exponent=1.1, mass=0.378)
        # The rare tier: each of its words in a few hundred items of 100,000.
        + [(form, 0.002 / sum(map(len, rare))) for forms in rare for form in forms]
    )
    title = _weights(content, first=first, rng=rng, exponent=0.8, mass=1.0)
    return Language(
        code=code,
        forms=tuple(form for form, _ in weighted),
        cumulative=tuple(itertools.accumulate(weight for _, weight in weighted)),
        title_forms=tuple(form for form, _ in title),
        title_cumulative=tuple(itertools.accumulate(weight for _, weight in title)),
        phrases=tuple(phrases),
        draft_word=draft_word,
    )


def languages(seed: int) -> dict[str, Language]:
    latvian_content = (
        _regular(LV_NOUNS_1, _DECL_1, 1)
        + _regular(LV_NOUNS_4, _DECL_4, 1)
        + _regular(LV_NOUNS_5, _DECL_5, 1)
        + _regular(LV_ADJECTIVES, _ADJ, 1)
        + _listed(LV_FORMS)
        + _listed(LV_VERBS)
    )
    english_content = (
        _english_nouns(EN_NOUNS) + _chunks(EN_VERBS, 4) + [[w] for w in EN_ADJECTIVES.split()]
    )
    return {
        "lv": _language(
            "lv",
            content=latvian_content,
            function=[[w] for w in LV_FUNCTION.split()],
            rare=_chunks(LV_RARE, 2),
            first="skola",
            phrases=LV_PHRASES,
            draft_word=DRAFT_WORD,
            seed=seed,
        ),
        "en": _language(
            "en",
            content=english_content,
            function=[[w] for w in EN_FUNCTION.split()],
            rare=_chunks(EN_RARE, 2),
            first="school",
            phrases=EN_PHRASES,
            draft_word=EN_DRAFT_WORD,
            seed=seed,
        ),
    }


def vocabulary_size(seed: int = 0) -> dict[str, int]:
    return {code: len(set(language.forms)) for code, language in languages(seed).items()}


class TextMaker:
    """Titles, summaries and Markdown bodies in one language, from one seeded generator."""

    def __init__(self, language: Language, rng: random.Random):
        self.language = language
        self.rng = rng

    def words(self, count: int) -> list[str]:
        language = self.language
        total = language.cumulative[-1]
        forms, cumulative = language.forms, language.cumulative
        random_ = self.rng.random
        return [forms[bisect(cumulative, random_() * total)] for _ in range(count)]

    def sentence(self, count: int) -> str:
        words = self.words(count)
        if self.rng.random() < 0.25:
            words.insert(self.rng.randrange(len(words) + 1), self.rng.choice(self.language.phrases))
        text = " ".join(words)
        return text[0].upper() + text[1:] + self.rng.choice(".....?!")

    def prose(self, count: int) -> list[str]:
        """Sentences of 6 to 20 words, about `count` words in all."""
        sentences = []
        made = 0
        while made < count:
            length = min(count - made, self.rng.randint(6, 20)) if count - made > 6 else 6
            sentences.append(self.sentence(length))
            made += length
        return sentences

    def title(self) -> str:
        language = self.language
        total = language.title_cumulative[-1]
        count = self.rng.randint(4, 12)
        words = [
            language.title_forms[bisect(language.title_cumulative, self.rng.random() * total)]
            for _ in range(count)
        ]
        if self.rng.random() < 0.3:
            words[self.rng.randrange(len(words))] = self.rng.choice(language.phrases)
        text = " ".join(words)
        return (text[0].upper() + text[1:])[:200]

    def summary(self) -> str:
        return " ".join(self.prose(self.rng.randint(40, 120)))[:1000]

    def body(self) -> str:
        """300 to 1,500 words (most near 500) of Markdown: headings, paragraphs, lists, bold
        words and now and then a link."""
        rng = self.rng
        target = int(rng.triangular(300, 1500, 500))
        blocks: list[str] = []
        made = 0
        while made < target:
            roll = rng.random()
            if roll < 0.15:
                heading = " ".join(self.words(rng.randint(2, 6)))
                blocks.append("## " + heading[0].upper() + heading[1:])
                made += len(heading.split())
            elif roll < 0.3:
                items = [self.sentence(rng.randint(4, 12)) for _ in range(rng.randint(2, 6))]
                blocks.append("\n".join(f"- {item}" for item in items))
                made += sum(len(item.split()) for item in items)
            else:
                sentences = self.prose(rng.randint(40, 120))
                if rng.random() < 0.3:
                    at = rng.randrange(len(sentences))
                    sentences[at] = f"**{sentences[at]}**"
                if rng.random() < 0.08:
                    word = self.words(1)[0]
                    sentences.append(f"[{word}](https://example.org/{rng.randint(1, 999)})")
                blocks.append(" ".join(sentences))
                made += sum(len(s.split()) for s in sentences)
        return "\n\n".join(blocks)[:50_000]

    def names(self) -> str:
        code = self.language.code
        people = [
            f"{self.rng.choice(FIRST_NAMES[code])} {self.rng.choice(SURNAMES[code])}"
            for _ in range(self.rng.choice([1, 1, 2, 2, 3]))
        ]
        return ", ".join(people)

    def subjects(self) -> str:
        return ", ".join(self.rng.sample(SUBJECTS[self.language.code], self.rng.randint(1, 3)))

    def duration(self) -> str:
        return self.rng.choice(DURATIONS[self.language.code])
