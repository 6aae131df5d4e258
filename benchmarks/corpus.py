"""A deterministic synthetic news corpus with every kind of noise the cleaner's stages handle.

The texts are built from our own templates and vocabulary (ten languages), then damaged the
way scraped, machine-translated news is damaged: mojibake lines, HTML entities, zero-width and
non-breaking characters, CRLF line endings, template ticker blocks, "Source link" and comment
tails, "Also read:" teasers, promos, photo credits, donation appeals, repeated titles and leads,
space before punctuation, "Andreï", broken sentence splits, lowercase "kyiv" and old spellings
(Kiev, Odessa, Zelensky...). About one document in eight is a near-duplicate of an earlier one
(a copy with edits, trims or spelling changes); its `dup_of` field names the original.

Same arguments, byte-identical output: every document draws from its own `random.Random`
seeded with `(seed, index)`, so nothing depends on the machine or on hash randomization.

    python benchmarks/corpus.py --mb 100 --out benchmarks/data/corpus-100mb

writes `corpus.jsonl` (one record per line: `id`, `text`, `lang`, `dup_of`, `noise`) and
`txt/<id>.txt` (one file per document, the same text byte for byte). Other scripts import
`iter_records(...)`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-125x" codecs)

DEFAULT_MB = 100.0
DEFAULT_DOC_BYTES = 4000
NEAR_DUPLICATE_SHARE = 0.125
LANGS = ("en", "fr", "de", "es", "ru", "uk", "pl", "ar", "it", "pt")
# English dominates scraped news in translation; the rest share the remainder.
LANG_WEIGHTS = (40, 10, 8, 8, 8, 7, 5, 5, 5, 4)

# Names as they appear in the wild: (spelling the cleaner should produce, variants seen).
PLACES_EN = [
    ("Kyiv", ["Kiev", "kyiv", "Kiyv"]),
    ("Odesa", ["Odessa"]),
    ("Kharkiv", ["Kharkov"]),
    ("Zaporizhzhia", ["Zaporizhzhya", "Zaporozhye"]),
    ("Shebekino", ["Chebekino"]),
    ("Oryol", ["Oriol", "Orel"]),
    ("Grayvoron", ["Gregoron", "Graivoron"]),
    ("Avdiivka", ["Avdiïvka", "Avdeyevka"]),
    ("Donbas", ["Donbass"]),
    ("Mykolaiv", ["Nikolaev"]),
    ("Dnipro", ["Dnepr"]),
    ("Luhansk", ["Lugansk"]),
    ("Belgorod", []),
    ("Kursk", []),
    ("Bryansk", []),
    ("Kherson", []),
    ("Sumy", []),
    ("Lviv", ["Lvov"]),
    ("Bakhmut", ["Artemovsk"]),
    ("Chernihiv", ["Chernigov"]),
]
PEOPLE_EN = [
    ("Volodymyr Zelenskyy", ["Volodymyr Zelensky", "Vladimir Zelensky", "Zelenskiy"]),
    ("Hanna Maliar", ["Hana Malyar", "Anna Malyar"]),
    ("Vitali Klitschko", ["Vitaliy Klychko", "Vitaly Klitschko"]),
    ("Andrii Yusov", ["Andreï Yusov", "Andrei Yusov"]),
    ("Andrii Klychkov", ["Andreï Klychkov"]),
    ("Vyacheslav Gladkov", []),
    ("Dmitry Peskov", []),
    ("Ihor Terekhov", ["Igor Terekhov"]),
    ("Mykhailo Podolyak", ["Mikhail Podolyak"]),
    ("Oleh Syniehubov", ["Oleg Sinegubov"]),
    ("Roman Starovoit", []),
    ("Denys Shmyhal", ["Denis Shmygal"]),
]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Per language: sentence parts. A sentence is built from a subject, a reporting verb, a time
# and a clause, or taken from the free-standing `facts`; `{place}`, `{person}`, `{n}`, `{m}`
# and `{day}` are filled per use, so shingles vary across documents.
VOCAB: dict[str, dict[str, list[str]]] = {
    "en": {
        "subject": [
            "the regional governor",
            "a spokesman for the ministry",
            "local officials",
            "{person}",
            "the mayor of {place}",
            "the emergency services",
            "the air force command",
            "witnesses in {place}",
            "a senior military source",
            "the head of the district administration",
            "the prosecutor's office",
            "the border guard service",
        ],
        "verb": [
            "said",
            "reported",
            "announced",
            "told reporters",
            "wrote on Telegram",
            "confirmed",
            "claimed",
            "stressed",
        ],
        "time": [
            "on {day}",
            "late on {day} evening",
            "early on {day}",
            "earlier this week",
            "overnight",
            "in a statement on {day}",
        ],
        "clause": [
            "that {n} people were injured when a drone struck a residential building in {place}",
            "that air defences shot down {n} drones over the {place} region",
            "that a fire broke out at an energy facility near {place} after the strike",
            "that {n} civilians had been evacuated from villages along the border",
            "that the shelling of {place} lasted for almost {m} hours",
            "that the power supply to {n} thousand homes in {place} had been restored",
            "that schools in {place} would stay closed until further notice",
            "that debris from an intercepted missile fell on a market in {place}",
            "that rescuers pulled {n} people from the rubble of a block of flats",
            "that the railway line to {place} was damaged in the attack",
            "that it was the heaviest attack on {place} since the start of the war",
            "that the death toll had risen to {n}, including {m} children",
            "that talks on a prisoner exchange would continue next month",
            "that reinforcements had been sent to the front near {place}",
        ],
        "fact": [
            "{place} lies about {n} kilometres from the border and has been shelled repeatedly.",
            "The claims could not be independently verified.",
            "Residents spent the night in shelters as sirens sounded across {place}.",
            "Photographs posted online showed columns of black smoke above {place}.",
            "There was no immediate comment from the other side.",
            "The attack came a day after a massive aerial assault on several cities.",
            "Officials in {place} urged residents to tape their windows and stock up on water.",
            "Queues formed outside pharmacies in {place} as shops reopened on {day}.",
            "The ministry said {n} drones and {m} missiles had been launched overnight.",
            "Hospitals in {place} said they were treating {n} wounded.",
        ],
        "title": [
            "{n} injured after drone attack on {place}",
            "Blackouts in {place} after overnight strikes",
            "{place}: evacuation of border villages continues",
            "Heavy shelling reported in {place} region",
        ],
    },
    "fr": {
        "subject": [
            "le gouverneur régional",
            "un porte-parole du ministère",
            "les autorités locales",
            "{person}",
            "le maire de {place}",
            "les services de secours",
            "l'état-major de l'armée de l'air",
            "des témoins à {place}",
        ],
        "verb": ["a déclaré", "a indiqué", "a annoncé", "a affirmé", "a écrit sur Telegram"],
        "time": ["{day}", "dans la soirée de {day}", "tôt {day} matin", "cette semaine"],
        "clause": [
            "que {n} personnes ont été blessées par une frappe de drone sur un immeuble à {place}",
            "que la défense aérienne a abattu {n} drones au-dessus de la région de {place}",
            "qu'un incendie s'est déclaré dans une installation énergétique près de {place}",
            "que {n} civils ont été évacués des villages situés le long de la frontière",
            "que les bombardements sur {place} ont duré près de {m} heures",
            "que les écoles de {place} resteront fermées jusqu'à nouvel ordre",
            "que le bilan s'est alourdi à {n} morts, dont {m} enfants",
            "que des débris d'un missile intercepté sont tombés sur un marché de {place}",
        ],
        "fact": [
            "{place} se trouve à environ {n} kilomètres de la frontière et a été bombardée à plusieurs reprises.",
            "Ces affirmations n'ont pas pu être vérifiées de manière indépendante.",
            "Les habitants ont passé la nuit dans des abris pendant que les sirènes retentissaient.",
            "Les hôpitaux de {place} ont dit soigner {n} blessés.",
            "Le ministère a affirmé que {n} drones et {m} missiles ont été lancés pendant la nuit.",
        ],
        "title": [
            "{n} blessés après une attaque de drones sur {place}",
            "Coupures de courant à {place} après des frappes nocturnes",
        ],
    },
    "de": {
        "subject": [
            "der Gouverneur der Region",
            "ein Sprecher des Ministeriums",
            "die örtlichen Behörden",
            "{person}",
            "der Bürgermeister von {place}",
            "die Rettungsdienste",
            "Augenzeugen in {place}",
        ],
        "verb": ["sagte", "teilte mit", "erklärte", "schrieb auf Telegram", "bestätigte"],
        "time": ["am {day}", "am späten {day}abend", "in der Nacht", "am frühen Morgen"],
        "clause": [
            "dass bei einem Drohnenangriff auf ein Wohnhaus in {place} {n} Menschen verletzt wurden",
            "dass die Luftabwehr über der Region {place} {n} Drohnen abgeschossen habe",
            "dass nach dem Angriff ein Feuer in einer Energieanlage bei {place} ausgebrochen sei",
            "dass {n} Zivilisten aus den Dörfern an der Grenze in Sicherheit gebracht wurden",
            "dass der Beschuss von {place} fast {m} Stunden gedauert habe",
            "dass die Schulen in {place} bis auf Weiteres geschlossen bleiben",
            "dass die Zahl der Toten auf {n} gestiegen sei, darunter {m} Kinder",
        ],
        "fact": [
            "{place} liegt etwa {n} Kilometer von der Grenze entfernt und wurde wiederholt beschossen.",
            "Die Angaben ließen sich nicht unabhängig überprüfen.",
            "Die Bewohner verbrachten die Nacht in Schutzräumen, während die Sirenen heulten.",
            "Die Krankenhäuser in {place} behandeln nach eigenen Angaben {n} Verletzte.",
        ],
        "title": ["{n} Verletzte nach Drohnenangriff auf {place}", "Stromausfälle in {place}"],
    },
    "es": {
        "subject": [
            "el gobernador regional",
            "un portavoz del ministerio",
            "las autoridades locales",
            "{person}",
            "el alcalde de {place}",
            "los servicios de emergencia",
            "testigos en {place}",
        ],
        "verb": ["dijo", "informó", "anunció", "afirmó", "escribió en Telegram"],
        "time": ["el {day}", "la noche del {day}", "este {day} por la mañana", "esta semana"],
        "clause": [
            "que {n} personas resultaron heridas cuando un dron impactó en un edificio de {place}",
            "que la defensa antiaérea derribó {n} drones sobre la región de {place}",
            "que se declaró un incendio en una instalación energética cerca de {place}",
            "que {n} civiles fueron evacuados de las aldeas situadas a lo largo de la frontera",
            "que el bombardeo de {place} duró casi {m} horas",
            "que las escuelas de {place} permanecerán cerradas hasta nuevo aviso",
            "que el número de muertos ascendió a {n}, entre ellos {m} niños",
        ],
        "fact": [
            "{place} se encuentra a unos {n} kilómetros de la frontera y ha sido bombardeada varias veces.",
            "Estas afirmaciones no pudieron ser verificadas de forma independiente.",
            "Los vecinos pasaron la noche en refugios mientras sonaban las sirenas.",
            "Los hospitales de {place} atienden a {n} heridos, según las autoridades.",
        ],
        "title": ["{n} heridos tras un ataque con drones contra {place}"],
    },
    "it": {
        "subject": [
            "il governatore regionale",
            "un portavoce del ministero",
            "le autorità locali",
            "{person}",
            "il sindaco di {place}",
            "i soccorritori",
            "alcuni testimoni a {place}",
        ],
        "verb": [
            "ha detto",
            "ha riferito",
            "ha annunciato",
            "ha affermato",
            "ha scritto su Telegram",
        ],
        "time": ["{day}", "nella serata di {day}", "nelle prime ore di {day}", "questa settimana"],
        "clause": [
            "che {n} persone sono rimaste ferite quando un drone ha colpito un palazzo di {place}",
            "che la difesa aerea ha abbattuto {n} droni sulla regione di {place}",
            "che è scoppiato un incendio in un impianto energetico vicino a {place}",
            "che {n} civili sono stati evacuati dai villaggi lungo il confine",
            "che il bombardamento di {place} è durato quasi {m} ore",
            "che le scuole di {place} resteranno chiuse fino a nuovo ordine",
            "che il bilancio dei morti è salito a {n}, tra cui {m} bambini",
        ],
        "fact": [
            "{place} si trova a circa {n} chilometri dal confine ed è stata bombardata più volte.",
            "Le affermazioni non hanno potuto essere verificate in modo indipendente.",
            "Gli abitanti hanno passato la notte nei rifugi mentre suonavano le sirene.",
            "Gli ospedali di {place} stanno curando {n} feriti, secondo le autorità.",
        ],
        "title": ["{n} feriti dopo un attacco di droni su {place}"],
    },
    "pt": {
        "subject": [
            "o governador regional",
            "um porta-voz do ministério",
            "as autoridades locais",
            "{person}",
            "o prefeito de {place}",
            "os serviços de emergência",
            "testemunhas em {place}",
        ],
        "verb": ["disse", "informou", "anunciou", "afirmou", "escreveu no Telegram"],
        "time": ["na {day}", "na noite de {day}", "no início da manhã", "nesta semana"],
        "clause": [
            "que {n} pessoas ficaram feridas quando um drone atingiu um prédio em {place}",
            "que a defesa aérea abateu {n} drones sobre a região de {place}",
            "que um incêndio atingiu uma instalação de energia perto de {place}",
            "que {n} civis foram retirados das aldeias ao longo da fronteira",
            "que o bombardeio de {place} durou quase {m} horas",
            "que as escolas de {place} vão continuar fechadas até nova ordem",
            "que o número de mortos subiu para {n}, incluindo {m} crianças",
        ],
        "fact": [
            "{place} fica a cerca de {n} quilômetros da fronteira e já foi bombardeada várias vezes.",
            "As informações não puderam ser verificadas de forma independente.",
            "Os moradores passaram a noite em abrigos enquanto as sirenes soavam.",
            "Os hospitais de {place} estão tratando {n} feridos, segundo as autoridades.",
        ],
        "title": ["{n} feridos após ataque de drones contra {place}"],
    },
    "pl": {
        "subject": [
            "gubernator obwodu",
            "rzecznik ministerstwa",
            "władze lokalne",
            "{person}",
            "mer miasta {place}",
            "służby ratunkowe",
            "świadkowie w mieście {place}",
        ],
        "verb": ["powiedział", "poinformował", "ogłosił", "przekazał", "napisał na Telegramie"],
        "time": ["w {day}", "w nocy", "wczesnym rankiem", "w tym tygodniu"],
        "clause": [
            "że {n} osób zostało rannych, gdy dron uderzył w budynek mieszkalny w mieście {place}",
            "że obrona powietrzna zestrzeliła {n} dronów nad obwodem {place}",
            "że po ataku wybuchł pożar w obiekcie energetycznym w pobliżu miasta {place}",
            "że z przygranicznych wsi ewakuowano {n} cywilów",
            "że ostrzał miasta {place} trwał prawie {m} godzin",
            "że szkoły w mieście {place} pozostaną zamknięte do odwołania",
            "że liczba ofiar wzrosła do {n}, w tym {m} dzieci",
        ],
        "fact": [
            "Miasto {place} leży około {n} kilometrów od granicy i było już wielokrotnie ostrzeliwane.",
            "Tych informacji nie udało się niezależnie zweryfikować.",
            "Mieszkańcy spędzili noc w schronach, a syreny wyły przez wiele godzin.",
            "Szpitale w mieście {place} przyjęły {n} rannych, jak podały władze.",
        ],
        "title": ["{n} rannych po ataku dronów na {place}"],
    },
    "ru": {
        "subject": [
            "губернатор области",
            "представитель министерства",
            "местные власти",
            "{person}",
            "мэр города {place}",
            "экстренные службы",
            "очевидцы в городе {place}",
        ],
        "verb": ["заявил", "сообщил", "объявил", "написал в Telegram", "подтвердил"],
        "time": ["в {day}", "поздно вечером", "рано утром", "на этой неделе", "ночью"],
        "clause": [
            "что {n} человек были ранены, когда беспилотник попал в жилой дом в городе {place}",
            "что средства ПВО сбили {n} беспилотников над областью {place}",
            "что после удара на энергетическом объекте возле города {place} начался пожар",
            "что из приграничных сёл были эвакуированы {n} мирных жителей",
            "что обстрел города {place} продолжался почти {m} часов",
            "что школы в городе {place} останутся закрытыми до дальнейшего уведомления",
            "что число погибших выросло до {n}, среди них {m} детей",
        ],
        "fact": [
            "Город {place} находится примерно в {n} километрах от границы и уже не раз подвергался обстрелам.",
            "Эти сведения не удалось независимо проверить.",
            "Жители провели ночь в укрытиях, пока звучали сирены.",
            "В больницах города {place} находятся {n} раненых, сообщили власти.",
        ],
        "title": ["{n} раненых после атаки беспилотников на {place}"],
    },
    "uk": {
        "subject": [
            "голова обласної військової адміністрації",
            "речник міністерства",
            "місцева влада",
            "{person}",
            "міський голова міста {place}",
            "рятувальники",
            "очевидці у місті {place}",
        ],
        "verb": ["заявив", "повідомив", "оголосив", "написав у Telegram", "підтвердив"],
        "time": ["у {day}", "пізно ввечері", "рано вранці", "цього тижня", "вночі"],
        "clause": [
            "що {n} людей були поранені, коли дрон влучив у житловий будинок у місті {place}",
            "що сили ППО збили {n} дронів над областю {place}",
            "що після удару на енергетичному об'єкті біля міста {place} виникла пожежа",
            "що з прикордонних сіл евакуювали {n} цивільних",
            "що обстріл міста {place} тривав майже {m} годин",
            "що школи у місті {place} залишаться зачиненими до окремого розпорядження",
            "що кількість загиблих зросла до {n}, серед них {m} дітей",
        ],
        "fact": [
            "Місто {place} розташоване приблизно за {n} кілометрів від кордону і вже не раз зазнавало обстрілів.",
            "Ці дані не вдалося незалежно перевірити.",
            "Мешканці провели ніч в укриттях, поки лунали сирени.",
            "У лікарнях міста {place} перебувають {n} поранених, повідомила влада.",
        ],
        "title": ["{n} поранених після атаки дронів на {place}"],
    },
    "ar": {
        "subject": [
            "حاكم المنطقة",
            "متحدث باسم الوزارة",
            "السلطات المحلية",
            "{person}",
            "رئيس بلدية {place}",
            "فرق الإنقاذ",
            "شهود عيان في {place}",
        ],
        "verb": ["قال", "أعلن", "أكد", "كتب على تلغرام", "ذكر"],
        "time": ["يوم {day}", "في وقت متأخر من المساء", "في ساعة مبكرة من الصباح", "هذا الأسبوع"],
        "clause": [
            "إن {n} أشخاص أصيبوا عندما سقطت طائرة مسيرة على مبنى سكني في {place}",
            "إن الدفاعات الجوية أسقطت {n} طائرات مسيرة فوق منطقة {place}",
            "إن حريقا اندلع في منشأة للطاقة قرب {place} بعد الهجوم",
            "إن {n} مدنيا تم إجلاؤهم من القرى الواقعة على طول الحدود",
            "إن القصف على {place} استمر نحو {m} ساعات",
            "إن المدارس في {place} ستبقى مغلقة حتى إشعار آخر",
            "إن عدد القتلى ارتفع إلى {n} بينهم {m} أطفال",
        ],
        "fact": [
            "تقع {place} على بعد نحو {n} كيلومترا من الحدود وقد تعرضت للقصف مرارا.",
            "ولم يتسن التحقق من هذه المعلومات بشكل مستقل.",
            "وأمضى السكان الليل في الملاجئ بينما دوت صفارات الإنذار.",
            "وقالت المستشفيات في {place} إنها تعالج {n} جرحى.",
        ],
        "title": ["إصابة {n} أشخاص في هجوم بطائرات مسيرة على {place}"],
    },
}

LOCAL_PLACES = {
    "ru": ["Белгород", "Курск", "Брянск", "Шебекино", "Орёл", "Грайворон", "Харьков", "Одесса"],
    "uk": ["Київ", "Харків", "Одеса", "Запоріжжя", "Херсон", "Суми", "Дніпро", "Миколаїв"],
    "ar": ["كييف", "خاركيف", "أوديسا", "بيلغورود", "زابوريجيا", "خيرسون", "دنيبرو", "كورسك"],
}
LOCAL_PEOPLE = {
    "ru": ["Вячеслав Гладков", "Дмитрий Песков", "Роман Старовойт", "Андрей Клычков"],
    "uk": ["Віталій Кличко", "Олег Синєгубов", "Ігор Терехов", "Ганна Маляр"],
    "ar": ["فولوديمير زيلينسكي", "ديمتري بيسكوف", "فياتشيسلاف غلادكوف", "فيتالي كليتشكو"],
}
LOCAL_DAYS = {
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "it": ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"],
    "pt": ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira"],
    "pl": ["poniedziałek", "wtorek", "środę", "czwartek", "piątek", "sobotę", "niedzielę"],
    "ru": ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"],
    "uk": ["понеділок", "вівторок", "середу", "четвер", "п'ятницю", "суботу", "неділю"],
    "ar": ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
}

# Web residue, per language where it is language-specific.
ALSO_READ = {
    "en": ["• Also read:", "Also read:", "READ ALSO:", "Read more:"],
    "fr": ["• À lire aussi :", "À lire également :", "LIRE AUSSI :"],
    "de": ["Lesen Sie auch:", "Auch interessant:", "MEHR ZUM THEMA:"],
    "es": ["Lea también:", "Te puede interesar:", "LEA TAMBIÉN:"],
    "it": ["Leggi anche:", "LEGGI ANCHE:", "Potrebbe interessarti:"],
    "pt": ["Leia também:", "LEIA TAMBÉM:", "Veja também:"],
    "pl": ["Czytaj także:", "Zobacz też:", "CZYTAJ TEŻ:"],
    "ru": ["Читайте также:", "ЧИТАЙТЕ ТАКЖЕ:", "Смотрите также:"],
    "uk": ["Читайте також:", "ЧИТАЙТЕ ТАКОЖ:", "Дивіться також:"],
    "ar": ["اقرأ أيضا:", "اقرأ أيضاً:", "شاهد أيضا:"],
}
PROMOS = {
    "en": [
        "  • Listen to the chronicle of Marc Delorme, specialist in world affairs, on the microphone of Julie Martin QUB radio :",
        "Subscribe to our newsletter to get the latest news every morning.",
        "Follow us on Telegram and WhatsApp for breaking news.",
        "Download our app to read the full story.",
    ],
    "fr": [
        "Abonnez-vous à notre infolettre pour recevoir l'essentiel de l'actualité.",
        "Suivez-nous sur Telegram pour ne rien manquer.",
    ],
    "de": ["Abonnieren Sie unseren Newsletter für die wichtigsten Nachrichten des Tages."],
    "es": ["Suscríbete a nuestro boletín para recibir las noticias más importantes."],
    "it": ["Iscriviti alla nostra newsletter per ricevere le notizie del giorno."],
    "pt": ["Assine a nossa newsletter para receber as principais notícias."],
    "pl": ["Zapisz się do naszego newslettera, aby otrzymywać najważniejsze wiadomości."],
    "ru": ["Подписывайтесь на наш канал в Telegram, чтобы первыми узнавать новости."],
    "uk": ["Підписуйтесь на наш канал у Telegram, щоб першими дізнаватися новини."],
    "ar": ["تابعونا على تلغرام للحصول على آخر الأخبار."],
}
CREDITS = [
    "MIA: Photo archive",
    "(Photo: AFP)",
    "Photo: Reuters/Archive",
    "Illustrative image (AP – Archive)",
    "© Photo agency, all rights reserved",
]
DONATION = (
    "Our journalism relies on readers like you. We will send you a reminder to chip in. "
    "Watch your inbox for our message. Questions about giving? Contact our team."
)
TICKER_BLOCK = (
    "{{#Ticker}}\n\n{{top left}}\n\n{{bottom left}}\n\n{{top right}}\n\n{{bottom right}}\n\n"
    "{{#goalExceededMarkerPercentage}}{{/goalExceededMarkerPercentage}}{{/ticker}}\n\n"
    "{{Headline}}\n\n{{#paragraphs}}\n\n{{.}}\n\n{{/paragraphs}}{{highlightedText}}\n"
    "{{#choiceCards}}{{/choiceCards}}"
)
TAILS = [
    "Source link",
    "Leave a Reply\n\nYour email address will not be published. Required fields are marked *",
    "Source link\n\nLeave a Reply\n\nCancel reply\n\nYour email address will not be published.",
]


class _Writer:
    """Builds one document's text with a per-document random generator."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng = rng
        self.lang = lang
        self.vocab = VOCAB[lang]

    def place(self) -> str:
        if self.lang in LOCAL_PLACES:
            return self.rng.choice(LOCAL_PLACES[self.lang])
        canonical, variants = self.rng.choice(PLACES_EN)
        if variants and self.rng.random() < 0.35:
            return self.rng.choice(variants)
        return canonical

    def person(self) -> str:
        if self.lang in LOCAL_PEOPLE:
            return self.rng.choice(LOCAL_PEOPLE[self.lang])
        canonical, variants = self.rng.choice(PEOPLE_EN)
        if variants and self.rng.random() < 0.4:
            return self.rng.choice(variants)
        return canonical

    def day(self) -> str:
        return self.rng.choice(LOCAL_DAYS.get(self.lang, DAYS_EN))

    def fill(self, template: str) -> str:
        rng = self.rng
        out = template
        while "{place}" in out:
            out = out.replace("{place}", self.place(), 1)
        while "{person}" in out:
            out = out.replace("{person}", self.person(), 1)
        out = out.replace("{day}", self.day())
        out = out.replace("{n}", str(rng.randint(2, 480)))
        return out.replace("{m}", str(rng.randint(2, 19)))

    def sentence(self) -> str:
        rng, vocab = self.rng, self.vocab
        if rng.random() < 0.3:
            return self.fill(rng.choice(vocab["fact"]))
        subject = self.fill(rng.choice(vocab["subject"]))
        verb = rng.choice(vocab["verb"])
        time = self.fill(rng.choice(vocab["time"]))
        clause = self.fill(rng.choice(vocab["clause"]))
        if self.lang == "ar":
            text = f"{verb} {subject} {time} {clause}."
        elif rng.random() < 0.5:
            text = f"{subject} {verb} {time} {clause}."
        else:
            text = f"{time}, {subject} {verb} {clause}."
        return text[0].upper() + text[1:]

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 4)))

    def title(self) -> str:
        text = self.fill(self.rng.choice(self.vocab["title"]))
        return text[0].upper() + text[1:]


def _mojibake(line: str, lang: str) -> str:
    """The line as it looks when its UTF-8 bytes were decoded with a legacy code page."""
    codec = "sloppy-windows-1251" if lang in ("ru", "uk") else "sloppy-windows-1252"
    return line.encode("utf-8").decode(codec)


def _en_mt_noise(rng: random.Random, paragraph: str, noise: set[str]) -> str:
    """Machine-translation artifacts seen in English news translated from French/Arabic."""
    if rng.random() < 0.25:
        paragraph = paragraph.replace(",", " ,", 1).replace(":", " :", 1)
        noise.add("space_before_punct")
    if rng.random() < 0.15 and ". " in paragraph:
        head, _, tail = paragraph.partition(". ")
        paragraph = f"{head}. {tail[:1].lower()}{tail[1:]}"
        noise.add("broken_sentence")
    if rng.random() < 0.1:
        paragraph += " The toll was raised to civilians. on Russian soil since the war began."
        noise.add("broken_sentence")
    if rng.random() < 0.1:
        paragraph = paragraph.replace("Andrii", "Andreï").replace("Avdiivka", "Avdiïvka")
        paragraph += " Officials in kyiv did not comment."
        noise.update({"andrei", "lowercase_kyiv"})
    return paragraph


def _damage(rng: random.Random, lang: str, paragraphs: list[str], noise: set[str]) -> list[str]:
    out = []
    for paragraph in paragraphs:
        if lang == "en":
            paragraph = _en_mt_noise(rng, paragraph, noise)
        roll = rng.random()
        # About 1.5% of paragraphs: mojibake is rare in real crawls, and costly to repair.
        if roll < 0.015 and any(ord(c) > 127 for c in paragraph):
            paragraph = _mojibake(paragraph, lang)
            noise.add("mojibake")
        elif roll < 0.055:
            paragraph = paragraph.replace("’", "&#8217;").replace(" & ", " &amp; ")
            paragraph = paragraph.replace(" km", "&nbsp;km", 1) + " &quot;Breaking&quot;"
            noise.add("html_entity")
        elif roll < 0.095:
            words = paragraph.split(" ")
            at = rng.randrange(len(words))
            words[at] = words[at] + rng.choice(["\u200b", "\u00a0", "\u00ad", "\u2009"])
            paragraph = " ".join(words).replace(" kilomet", "\u00a0kilomet", 1)
            noise.add("invisible_or_nbsp")
        elif roll < 0.125:
            paragraph = "   " + paragraph.replace(". ", ".  ", 1) + " \t"
            noise.add("odd_spacing")
        if "’" in paragraph or "'" in paragraph or rng.random() < 0.05:
            # Curly quotes and dashes are correct text: the cleaner must leave them alone.
            paragraph = paragraph.replace("'", "’", 1)
        out.append(paragraph)
    return out


def _article(rng: random.Random, lang: str, target_bytes: int) -> tuple[str, set[str]]:
    writer = _Writer(rng, lang)
    noise: set[str] = set()
    title = writer.title()
    lead = writer.paragraph()
    body: list[str] = []
    size = len(title) + len(lead)
    bytes_per_char = 1.9 if lang in ("ru", "uk", "ar") else 1.05
    while size * bytes_per_char < target_bytes:
        paragraph = writer.paragraph()
        body.append(paragraph)
        size += len(paragraph) + 2
    body = _damage(rng, lang, body, noise)

    head = [title]
    if rng.random() < 0.3:
        head = [title[: max(8, len(title) * 2 // 3)].rstrip(), title]
        noise.add("repeated_title")
    if rng.random() < 0.3:
        head += [f"- {lead}", f"{writer.place()}, {rng.randint(1, 28)} May 2024 (AFP) - {lead}"]
        noise.add("repeated_lead")
    else:
        head.append(lead)
    if rng.random() < 0.35:
        teasers = [
            f"{rng.choice(ALSO_READ[lang])} {writer.title()}" for _ in range(rng.randint(1, 3))
        ]
        at = rng.randint(0, min(2, len(body)))
        body[at:at] = teasers
        noise.add("also_read")
    if rng.random() < 0.2:
        body.insert(rng.randint(0, len(body)), rng.choice(PROMOS[lang]))
        noise.add("promo")
    if rng.random() < 0.2:
        body.insert(rng.randint(0, len(body)), rng.choice(CREDITS))
        noise.add("credit")
    tail: list[str] = []
    if rng.random() < 0.1:
        tail += [TICKER_BLOCK + DONATION]
        noise.add("ticker")
    elif rng.random() < 0.05:
        tail.append(DONATION)
        noise.add("donation")
    if rng.random() < 0.25:
        tail.append(rng.choice(TAILS))
        noise.add("source_link")

    separator = "\n\n" if rng.random() < 0.6 else "\n"
    if rng.random() < 0.1:
        separator = "\n\n\n\n"
        noise.add("blank_runs")
    text = separator.join(head + body + tail)
    if rng.random() < 0.03:
        text = "\ufeff" + text
        noise.add("bom")
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
        noise.add("crlf")
    return text, noise


def _near_duplicate(rng: random.Random, text: str, noise: set[str]) -> str:
    """A copy of `text` republished elsewhere: trimmed, respelled, lightly edited."""
    paragraphs = text.replace("\r\n", "\n").split("\n")
    kind = rng.choice(["trim", "respell", "edit", "tail"])
    noise.add(f"near_duplicate_{kind}")
    if kind == "trim" and len(paragraphs) > 6:
        paragraphs = paragraphs[1 : len(paragraphs) - rng.randint(1, 3)]
    elif kind == "respell":
        respelled = "\n".join(paragraphs)
        for canonical, variants in PLACES_EN + PEOPLE_EN:
            if variants:
                respelled = respelled.replace(canonical, variants[0])
        return respelled
    elif kind == "edit":
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(paragraphs))
            words = paragraphs[at].split(" ")
            if len(words) > 3:
                del words[rng.randrange(len(words))]
            paragraphs[at] = " ".join(words)
    else:
        paragraphs += ["", rng.choice(TAILS)]
    return "\n".join(paragraphs)


def _document_bytes(rng: random.Random, mean: int) -> int:
    # News articles: many short items, a few long features.
    return max(300, min(int(rng.lognormvariate(0, 0.6) * mean * 0.84), mean * 12))


def iter_records(
    *, mb: float | None = DEFAULT_MB, docs: int | None = None, seed: int = 0
) -> Iterator[dict]:
    """Yield corpus records (`id`, `text`, `lang`, `dup_of`, `noise`), deterministically.

    `docs` alone: that many documents of about 4 KB. `mb` alone: documents of about 4 KB until
    `mb` megabytes (10**6 bytes of UTF-8 text) are reached. Both: `docs` documents of about
    `mb / docs` each.

    >>> first = next(iter_records(mb=0.01, seed=3))
    >>> first == next(iter_records(mb=0.01, seed=3)), sorted(first)
    (True, ['dup_of', 'id', 'lang', 'noise', 'text'])
    """
    if docs is not None and docs < 1:
        raise ValueError(f"docs must be >= 1, got {docs}")
    if mb is not None and mb <= 0:
        raise ValueError(f"mb must be > 0, got {mb}")
    if mb is None and docs is None:
        mb = DEFAULT_MB
    target = int(mb * 1_000_000) if mb is not None else None
    mean = target // docs if (target and docs) else DEFAULT_DOC_BYTES
    recent: deque[tuple[str, str, str]] = deque(maxlen=500)
    produced = 0
    index = 0
    while (docs is None or index < docs) and (docs is not None or produced < target):
        rng = random.Random(f"cleaner-corpus:{seed}:{index}")
        noise: set[str] = set()
        if recent and rng.random() < NEAR_DUPLICATE_SHARE:
            original_id, lang, original = rng.choice(recent)
            text, dup_of = _near_duplicate(rng, original, noise), original_id
        else:
            lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
            text, noise = _article(rng, lang, _document_bytes(rng, mean))
            dup_of = None
        doc_id = f"{lang}/{index:07d}"
        if dup_of is None:
            recent.append((doc_id, lang, text))
        produced += len(text.encode("utf-8"))
        index += 1
        yield {"id": doc_id, "lang": lang, "text": text, "dup_of": dup_of, "noise": sorted(noise)}


def write_corpus(out: Path, *, mb: float | None, docs: int | None, seed: int) -> dict:
    """Write `out/corpus.jsonl` and `out/txt/<id>.txt`; return a summary."""
    out.mkdir(parents=True, exist_ok=True)
    jsonl_tmp = out / "corpus.jsonl.tmp"
    count = total = 0
    langs: dict[str, int] = {}
    with jsonl_tmp.open("w", encoding="utf-8", newline="\n") as jsonl:
        for record in iter_records(mb=mb, docs=docs, seed=seed):
            jsonl.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            path = out / "txt" / f"{record['id']}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(record["text"].encode("utf-8"))
            count += 1
            total += len(record["text"].encode("utf-8"))
            langs[record["lang"]] = langs.get(record["lang"], 0) + 1
    os.replace(jsonl_tmp, out / "corpus.jsonl")
    return {"docs": count, "bytes": total, "langs": dict(sorted(langs.items()))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mb", type=float, default=None, help=f"size in MB (default {DEFAULT_MB:g})"
    )
    parser.add_argument("--docs", type=int, default=None, help="number of documents")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=None, help="default: benchmarks/data/corpus-<mb>mb-s<seed>"
    )
    args = parser.parse_args(argv)
    mb = args.mb if args.mb is not None or args.docs is not None else DEFAULT_MB
    out = args.out or default_dir(mb=mb, docs=args.docs, seed=args.seed)
    if (out / "txt").exists() and any((out / "txt").iterdir()):
        print(f"error: {out / 'txt'} is not empty; choose another --out", file=sys.stderr)
        return 2
    summary = write_corpus(out, mb=mb, docs=args.docs, seed=args.seed)
    print(
        f"{out}: {summary['docs']} documents, {summary['bytes'] / 1e6:.1f} MB, {summary['langs']}"
    )
    return 0


def ensure_corpus(folder: Path, *, mb: float, seed: int) -> Path:
    """`folder`, with a corpus of `mb` MB and `seed` written into it first if it has none."""
    if not (folder / "corpus.jsonl").exists():
        print(f"generating {folder} ...", file=sys.stderr)
        write_corpus(folder, mb=mb, docs=None, seed=seed)
    return folder


def default_dir(*, mb: float | None, docs: int | None, seed: int) -> Path:
    name = "corpus" + (f"-{mb:g}mb" if mb is not None else "") + (f"-{docs}docs" if docs else "")
    return Path(__file__).resolve().parent / "data" / f"{name}-s{seed}"


if __name__ == "__main__":
    sys.exit(main())
