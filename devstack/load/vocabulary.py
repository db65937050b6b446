"""What the generated bulletins are made of: the offices' homes and languages, the countries they name,
and phrases for each topic of the project's vocabulary in the four languages (so that enrichment finds
the countries and topics a bulletin was written about)."""

from __future__ import annotations

# Offices: a home country and the languages it writes in (weights).
OFFICE_HOMES: list[tuple[str, dict[str, float]]] = [
    ("CR", {"es": 0.6, "en": 0.4}),
    ("PA", {"es": 0.5, "en": 0.5}),
    ("GT", {"es": 0.8, "en": 0.2}),
    ("MX", {"es": 0.7, "en": 0.3}),
    ("HT", {"fr": 0.7, "en": 0.3}),
    ("BR", {"pt": 0.8, "en": 0.2}),
    ("DO", {"es": 0.7, "en": 0.3}),
    ("CO", {"es": 0.6, "en": 0.4}),
    ("HN", {"es": 0.8, "en": 0.2}),
    ("SV", {"es": 0.8, "en": 0.2}),
    ("EC", {"es": 0.7, "en": 0.3}),
    ("PE", {"es": 0.7, "en": 0.3}),
]
# Other countries a bulletin names, with how often.
NEIGHBOURS: dict[str, float] = {
    "CR": 3, "PA": 3, "GT": 3, "HN": 3, "SV": 3, "NI": 2, "MX": 3, "BZ": 1, "DO": 2, "HT": 2,
    "CU": 1, "JM": 1, "TT": 1, "CO": 2, "VE": 2, "EC": 2, "PE": 2, "BO": 1, "CL": 1, "AR": 1,
    "BR": 2, "US": 2, "CA": 1, "GY": 1,
}  # fmt: skip
TOPIC_PHRASES: dict[str, dict[str, list[str]]] = {
    "labour-migration": {
        "en": ["labour migration", "fair recruitment of migrant workers", "seasonal work programmes"],
        "es": ["la migración laboral", "el reclutamiento equitativo de trabajadores migrantes"],
        "fr": ["la migration de travail", "les droits des travailleurs migrants au recrutement"],
        "pt": ["a migração laboral", "os trabalhadores migrantes"],
    },
    "trafficking-in-persons": {
        "en": ["the fight against trafficking in persons", "support for victims of trafficking"],
        "es": ["la lucha contra la trata de personas", "la atención a víctimas de trata"],
        "fr": ["la lutte contre la traite des personnes"],
        "pt": ["o combate ao tráfico de pessoas"],
    },
    "migrant-smuggling": {
        "en": ["the dismantling of migrant smuggling networks", "the prosecution of migrant smuggling"],
        "es": ["el desmantelamiento de redes de tráfico ilícito de migrantes"],
        "fr": ["le démantèlement des réseaux de trafic illicite de migrants"],
        "pt": ["o combate ao contrabando de migrantes"],
    },
    "emergencies": {
        "en": ["hurricane preparedness", "the emergency response to the tropical storm"],
        "es": ["la preparación ante huracanes", "la respuesta humanitaria tras la tormenta tropical"],
        "fr": ["la préparation aux ouragans"],
        "pt": ["a resposta aos furacões"],
    },
    "health": {
        "en": ["mental health services for migrants", "a vaccination campaign"],
        "es": ["los servicios de salud mental", "una campaña de vacunación"],
        "fr": ["la santé mentale des migrants"],
        "pt": ["a saúde mental dos migrantes"],
    },
    "education": {
        "en": ["access to education for migrant children", "inclusive education"],
        "es": ["el acceso a la educación de la niñez migrante", "la educación inclusiva"],
        "fr": ["l'accès à l'éducation des enfants migrants"],
        "pt": ["o acesso à educação das crianças migrantes"],
    },
    "governance": {
        "en": ["migration governance", "a new national migration policy"],
        "es": ["la gobernanza migratoria", "una nueva política migratoria"],
        "fr": ["la gouvernance migratoire", "une nouvelle politique migratoire"],
        "pt": ["a governança migratória"],
    },
    "capacity-building": {
        "en": ["capacity building for border officials", "a training of trainers"],
        "es": ["el fortalecimiento de capacidades institucionales", "un taller sobre atención consular"],
        "fr": ["le renforcement des capacités des fonctionnaires"],
        "pt": ["o fortalecimento de capacidades institucionais"],
    },
    "data-research": {
        "en": ["a regional study on migration data", "a new household survey"],
        "es": ["un estudio regional sobre datos migratorios", "una encuesta de hogares"],
        "fr": ["une étude régionale sur les données migratoires"],
        "pt": ["um estudo regional sobre dados migratórios"],
    },
    "borders": {
        "en": ["border management", "conditions at border crossings"],
        "es": ["la gestión de fronteras", "la atención en los puestos fronterizos"],
        "fr": ["la gestion des frontières"],
        "pt": ["a gestão de fronteiras"],
    },
    "return-reintegration": {
        "en": ["the reintegration of returned migrants", "assisted voluntary return"],
        "es": ["la reintegración de personas migrantes retornadas"],
        "fr": ["la réinsertion des migrants de retour"],
        "pt": ["a reintegração de migrantes retornados"],
    },
    "protection": {
        "en": ["the human rights of migrants", "the protection of unaccompanied children"],
        "es": ["los derechos humanos de las personas migrantes", "la protección de la niñez no acompañada"],
        "fr": ["les droits humains des migrants"],
        "pt": ["os direitos humanos dos migrantes"],
    },
    "integration": {
        "en": ["the social inclusion of migrants", "social cohesion with host communities"],
        "es": [
            "la inclusión social de las personas migrantes",
            "la cohesión social en comunidades de acogida",
        ],
        "fr": ["l'inclusion sociale des migrants"],
        "pt": ["a inclusão social de migrantes"],
    },
    "climate": {
        "en": ["climate change and human mobility", "drought in the Dry Corridor"],
        "es": ["el cambio climático y la movilidad humana", "la sequía en el Corredor Seco"],
        "fr": ["le changement climatique et la mobilité humaine"],
        "pt": ["as mudanças climáticas e a mobilidade humana"],
    },
}
ORGANISATIONS = {
    "en": ["IOM", "IOM", "UNICEF", "UNHCR", "ILO"],
    "es": ["OIM", "OIM", "UNICEF", "ACNUR", "OIT"],
}
ORGANISATIONS |= {"fr": ["OIM", "OIM", "UNICEF"], "pt": ["OIM", "OIM", "UNICEF", "OIT"]}
TITLES = {
    "en": [
        "{org} and {country} step up work on {topic}",
        "{country}: authorities and {org} advance {topic}",
        "Officials from {country} and {country2} agree on {topic}",
        "{org} supports {country} in {topic}",
    ],
    "es": [
        "{org} y {country} impulsan {topic}",
        "{country}: autoridades y {org} avanzan en {topic}",
        "Funcionarios de {country} y {country2} acuerdan acciones sobre {topic}",
        "{org} apoya a {country} en {topic}",
    ],
    "fr": [
        "{org} et {country} renforcent {topic}",
        "{country} : les autorités et {org} avancent sur {topic}",
        "{org} appuie {country} dans {topic}",
    ],
    "pt": [
        "{org} e {country} fortalecem {topic}",
        "{country}: autoridades e {org} avançam em {topic}",
        "{org} apoia {country} em {topic}",
    ],
}
OPENINGS = {
    "en": "Representatives of the governments of {countries} met this week with {org} to review {topic}. "
    "The meeting brought together ministries, local governments and civil society organisations.",
    "es": "Representantes de los gobiernos de {countries} se reunieron esta semana con {org} para revisar "
    "{topic}. El encuentro reunió a ministerios, gobiernos locales y organizaciones de la sociedad civil.",
    "fr": "Des représentants des gouvernements de {countries} se sont réunis cette semaine avec {org} pour "
    "examiner {topic}. La rencontre a réuni des ministères, des autorités locales et des organisations de "
    "la société civile.",
    "pt": "Representantes dos governos de {countries} reuniram-se esta semana com a {org} para analisar "
    "{topic}. O encontro reuniu ministérios, governos locais e organizações da sociedade civil.",
}
SECONDS = {
    "en": "Participants also discussed {topic}, and agreed on a work plan for the coming months.",
    "es": "Las personas participantes también abordaron {topic} y acordaron un plan de trabajo para los "
    "próximos meses.",
    "fr": "Les participants ont également abordé {topic} et ont convenu d'un plan de travail pour les "
    "prochains mois.",
    "pt": "Os participantes também discutiram {topic} e acordaram um plano de trabalho para os "
    "próximos meses.",
}
CLOSINGS = {
    "en": [
        '"This is a shared responsibility, and today we take a concrete step," said the head of the '
        "{org} office.",
        "More than {n} people took part in the sessions, which will continue next month.",
        "The next meeting is planned for the end of the year in {city}.",
    ],
    "es": [
        '"Esta es una responsabilidad compartida y hoy damos un paso concreto", afirmó la jefa de la '
        "oficina de {org}.",
        "Más de {n} personas participaron en las sesiones, que continuarán el próximo mes.",
        "La próxima reunión está prevista para finales de año en {city}.",
    ],
    "fr": [
        "« C'est une responsabilité partagée, et nous faisons aujourd'hui un pas concret », a déclaré la "
        "cheffe du bureau de l'{org}.",
        "Plus de {n} personnes ont participé aux sessions, qui se poursuivront le mois prochain.",
    ],
    "pt": [
        '"Esta é uma responsabilidade partilhada e hoje damos um passo concreto", afirmou a chefe do '
        "escritório da {org}.",
        "Mais de {n} pessoas participaram das sessões, que continuarão no próximo mês.",
    ],
}
AND = {"en": "and", "es": "y", "fr": "et", "pt": "e"}
CITIES = {"CR": "San José", "PA": "Panama City", "GT": "Guatemala City", "MX": "Mexico City"}
