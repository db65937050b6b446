"""Build shared/boletin/data/countries.json: every ISO 3166-1 country's names in en/es/fr/pt plus curated
aliases, demonyms and capitals.

pycountry (a dev dependency) gives the English names and its gettext catalogues the Spanish, French and
Portuguese ones; the runtime only reads the generated JSON. Run: ``python scripts/build_country_data.py``.
"""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "shared" / "boletin" / "data" / "countries.json"
LANGS = ("es", "fr", "pt")

# Curated: the display names we prefer (first) and extra names/short forms, per language.
NAMES: dict[str, dict[str, list[str]]] = {
    "US": {
        "en": ["United States", "United States of America", "US", "U.S.", "USA", "U.S.A."],
        "es": ["Estados Unidos", "Estados Unidos de América", "EE.UU.", "EE. UU.", "EEUU", "EUA"],
        "fr": ["États-Unis", "États-Unis d'Amérique"],
        "pt": ["Estados Unidos", "Estados Unidos da América", "EUA", "E.U.A."],
    },
    "GB": {
        "en": ["United Kingdom", "UK", "U.K.", "Great Britain", "Britain"],
        "es": ["Reino Unido"],
        "fr": ["Royaume-Uni"],
        "pt": ["Reino Unido"],
    },
    "BO": {"en": ["Bolivia"], "es": ["Bolivia"], "fr": ["Bolivie"], "pt": ["Bolívia"]},
    "VE": {"en": ["Venezuela"], "es": ["Venezuela"], "fr": ["Venezuela"], "pt": ["Venezuela"]},
    "IR": {"en": ["Iran"], "es": ["Irán"], "fr": ["Iran"], "pt": ["Irão", "Irã"]},
    "RU": {"en": ["Russia"], "es": ["Rusia"], "fr": ["Russie"], "pt": ["Rússia"]},
    "SY": {"en": ["Syria"], "es": ["Siria"], "fr": ["Syrie"], "pt": ["Síria"]},
    "KR": {
        "en": ["South Korea", "Korea"],
        "es": ["Corea del Sur", "Corea"],
        "fr": ["Corée du Sud", "Corée"],
        "pt": ["Coreia do Sul", "Coreia"],
    },
    "KP": {
        "en": ["North Korea"],
        "es": ["Corea del Norte"],
        "fr": ["Corée du Nord"],
        "pt": ["Coreia do Norte"],
    },
    "VN": {
        "en": ["Vietnam", "Viet Nam"],
        "es": ["Vietnam"],
        "fr": ["Viêt Nam", "Vietnam"],
        "pt": ["Vietname", "Vietnã"],
    },
    "LA": {"en": ["Laos"], "es": ["Laos"], "fr": ["Laos"], "pt": ["Laos"]},
    "MD": {"en": ["Moldova"], "es": ["Moldavia"], "fr": ["Moldavie"], "pt": ["Moldávia"]},
    "TZ": {"en": ["Tanzania"], "es": ["Tanzania"], "fr": ["Tanzanie"], "pt": ["Tanzânia"]},
    "CD": {
        "en": ["Democratic Republic of the Congo", "DR Congo", "DRC"],
        "es": ["República Democrática del Congo"],
        "fr": ["République démocratique du Congo", "RDC"],
        "pt": ["República Democrática do Congo"],
    },
    "CG": {
        "en": ["Republic of the Congo", "Congo"],
        "es": ["República del Congo", "Congo"],
        "fr": ["Congo"],
        "pt": ["Congo"],
    },
    "CI": {
        "en": ["Côte d'Ivoire", "Ivory Coast"],
        "es": ["Costa de Marfil"],
        "fr": ["Côte d'Ivoire"],
        "pt": ["Costa do Marfim"],
    },
    "CV": {
        "en": ["Cabo Verde", "Cape Verde"],
        "es": ["Cabo Verde"],
        "fr": ["Cap-Vert"],
        "pt": ["Cabo Verde"],
    },
    "CZ": {
        "en": ["Czechia", "Czech Republic"],
        "es": ["Chequia", "República Checa"],
        "fr": ["Tchéquie"],
        "pt": ["Chéquia"],
    },
    "TR": {"en": ["Türkiye", "Turkey"], "es": ["Turquía"], "fr": ["Turquie"], "pt": ["Turquia"]},
    "PS": {"en": ["Palestine"], "es": ["Palestina"], "fr": ["Palestine"], "pt": ["Palestina"]},
    "VA": {
        "en": ["Holy See", "Vatican"],
        "es": ["Santa Sede", "Vaticano"],
        "fr": ["Saint-Siège", "Vatican"],
        "pt": ["Vaticano"],
    },
    "TW": {"en": ["Taiwan"], "es": ["Taiwán"], "fr": ["Taïwan"], "pt": ["Taiwan"]},
    "BR": {"en": ["Brazil"], "es": ["Brasil"], "fr": ["Brésil"], "pt": ["Brasil"]},
    "BZ": {"en": ["Belize"], "es": ["Belice"], "fr": ["Belize"], "pt": ["Belize"]},
    "DO": {
        "en": ["Dominican Republic"],
        "es": ["República Dominicana", "RD"],
        "fr": ["République dominicaine"],
        "pt": ["República Dominicana"],
    },
    "HT": {"en": ["Haiti"], "es": ["Haití"], "fr": ["Haïti"], "pt": ["Haiti"]},
    "PA": {"en": ["Panama"], "es": ["Panamá"], "fr": ["Panama"], "pt": ["Panamá"]},
    "MX": {"en": ["Mexico"], "es": ["México", "Méjico"], "fr": ["Mexique"], "pt": ["México"]},
    "SR": {
        "en": ["Suriname", "Surinam"],
        "es": ["Surinam"],
        "fr": ["Suriname", "Surinam"],
        "pt": ["Suriname"],
    },
    "GY": {"en": ["Guyana"], "es": ["Guyana"], "fr": ["Guyana"], "pt": ["Guiana"]},
    "GF": {
        "en": ["French Guiana"],
        "es": ["Guayana Francesa"],
        "fr": ["Guyane", "Guyane française"],
        "pt": ["Guiana Francesa"],
    },
    "TT": {
        "en": ["Trinidad and Tobago", "Trinidad & Tobago", "Trinidad"],
        "es": ["Trinidad y Tobago"],
        "fr": ["Trinité-et-Tobago"],
        "pt": ["Trinidad e Tobago", "Trindade e Tobago"],
    },
    "KN": {
        "en": ["Saint Kitts and Nevis", "St. Kitts and Nevis", "St Kitts and Nevis"],
        "es": ["San Cristóbal y Nieves"],
        "fr": ["Saint-Christophe-et-Niévès"],
        "pt": ["São Cristóvão e Névis"],
    },
    "VC": {
        "en": [
            "Saint Vincent and the Grenadines",
            "St. Vincent and the Grenadines",
            "St Vincent and the Grenadines",
        ],
        "es": ["San Vicente y las Granadinas"],
        "fr": ["Saint-Vincent-et-les-Grenadines"],
        "pt": ["São Vicente e Granadinas"],
    },
    "LC": {
        "en": ["Saint Lucia", "St. Lucia", "St Lucia"],
        "es": ["Santa Lucía"],
        "fr": ["Sainte-Lucie"],
        "pt": ["Santa Lúcia"],
    },
    "AG": {
        "en": ["Antigua and Barbuda", "Antigua & Barbuda", "Antigua"],
        "es": ["Antigua y Barbuda"],
        "fr": ["Antigua-et-Barbuda"],
        "pt": ["Antígua e Barbuda"],
    },
    "TC": {
        "en": ["Turks and Caicos Islands", "Turks and Caicos"],
        "es": ["Islas Turcas y Caicos"],
        "fr": ["Îles Turques-et-Caïques", "Turques-et-Caïques"],
        "pt": ["Ilhas Turcas e Caicos"],
    },
    "VG": {
        "en": ["British Virgin Islands"],
        "es": ["Islas Vírgenes Británicas"],
        "fr": ["Îles Vierges britanniques"],
        "pt": ["Ilhas Virgens Britânicas"],
    },
    "VI": {
        "en": ["U.S. Virgin Islands", "US Virgin Islands", "United States Virgin Islands"],
        "es": ["Islas Vírgenes de los Estados Unidos"],
        "fr": ["Îles Vierges des États-Unis"],
        "pt": ["Ilhas Virgens Americanas"],
    },
    "KY": {
        "en": ["Cayman Islands"],
        "es": ["Islas Caimán"],
        "fr": ["Îles Caïmans"],
        "pt": ["Ilhas Caimão", "Ilhas Cayman"],
    },
    "SX": {
        "en": ["Sint Maarten"],
        "es": ["Sint Maarten"],
        "fr": ["Saint-Martin (partie néerlandaise)"],
        "pt": ["São Martinho"],
    },
    "BQ": {
        "en": ["Bonaire", "Caribbean Netherlands"],
        "es": ["Bonaire"],
        "fr": ["Bonaire"],
        "pt": ["Bonaire"],
    },
    "NL": {
        "en": ["Netherlands", "the Netherlands", "Holland"],
        "es": ["Países Bajos", "Holanda"],
        "fr": ["Pays-Bas"],
        "pt": ["Países Baixos", "Holanda"],
    },
    "MK": {
        "en": ["North Macedonia"],
        "es": ["Macedonia del Norte"],
        "fr": ["Macédoine du Nord"],
        "pt": ["Macedônia do Norte"],
    },
    "SZ": {"en": ["Eswatini", "Swaziland"], "es": ["Esuatini"], "fr": ["Eswatini"], "pt": ["Essuatíni"]},
    "KE": {"pt": ["Quênia"]},
    "CM": {"en": ["Cameroon"]},
    "EG": {"pt": ["Egito"]},
    "BN": {"en": ["Brunei"]},
    "FM": {"en": ["Micronesia"]},
    "PN": {"en": ["Pitcairn"]},
    "AF": {"en": ["Afghanistan"], "es": ["Afganistán"], "fr": ["Afghanistan"], "pt": ["Afeganistão"]},
    "UA": {"en": ["Ukraine"], "es": ["Ucrania"], "fr": ["Ukraine"], "pt": ["Ucrânia"]},
}

# Names that must never match alone: common words, other places, people (checked case-insensitively).
BLOCK = {
    "granada",  # es for Grenada, but also a city in Nicaragua and Spain
    "guadalupe",  # es for Guadeloupe, but a first name and many places
    "reunion",
    "reunión",  # es "meeting"
    "georgia",  # more often the US state here
    "jersey",
    "man",
    "salvador",
    "san martin",
    "san martín",
    "martinique (la)",
    "santa helena",
    "santa elena",  # common place names
    "san bartolome",
    "san bartolomé",
    "america",
    "américa",  # the continent
}

# Phrases that look like a country but are not (matched first, mapped to nothing).
NOT_COUNTRY = [
    "New Mexico",
    "Nuevo México",
    "Nouveau-Mexique",
    "Novo México",
    "New Jersey",
    "Nueva Jersey",
    "Nueva Guinea",
    "New Guinea",
    "Guinea pig",
    "Guinea pigs",
    "Panama hat",
    "Panama hats",
    "Haitian Creole",
    "créole haïtien",
    "criollo haitiano",
    "crioulo haitiano",
    "Latin American",
    "Central American",
    "South American",
    "North American",
    "Pan American",
    "Pan-American",
    "Inter-American",
    "Afro-American",
    "Afro-Americans",
    "Organization of American States",
    "Organisation of American States",
    "American continent",
    "Nueva Granada",
    "Indian Ocean",
    "océano Índico",
    "Guinea Gulf",
    # Antigua Guatemala, the colonial city ("en La Antigua"), is not Antigua and Barbuda.
    "La Antigua",
    "Antigua Guatemala",
    "La Antigua Guatemala",
]

# Capitals (they name their country alone) and city names that carry the country ("Guatemala City").
CITIES: dict[str, list[str]] = {
    "GT": [
        "Guatemala City",
        "Ciudad de Guatemala",
        "Ciudad Guatemala",
        "Guatemala Ciudad",
        "Antigua Guatemala",
    ],
    "MX": [
        "Mexico City",
        "Ciudad de México",
        "CDMX",
        "Mexico D.F.",
        "México D.F.",
        "Mexico-Ville",
        "Cidade do México",
    ],
    "PA": ["Panama City", "Ciudad de Panamá", "Panamá City", "Cidade do Panamá"],
    "HN": ["Tegucigalpa"],
    "NI": ["Managua"],
    "SV": ["San Salvador"],
    "CR": ["San José"],
    "BZ": ["Belmopan", "Belize City", "Ciudad de Belice"],
    "DO": ["Santo Domingo"],
    "HT": ["Port-au-Prince", "Puerto Príncipe", "Porto Príncipe"],
    "CU": ["Havana", "La Habana", "La Havane", "Havana"],
    "JM": ["Kingston"],
    "BS": ["Nassau"],
    "BB": ["Bridgetown"],
    "TT": ["Port of Spain", "Port-of-Spain", "Puerto España"],
    "GY": ["Georgetown"],
    "SR": ["Paramaribo"],
    "LC": ["Castries"],
    "VC": ["Kingstown"],
    "DM": ["Roseau"],
    "KN": ["Basseterre"],
    "GD": ["St. George's"],
    "VE": ["Caracas"],
    "CO": ["Bogotá", "Bogota"],
    "EC": ["Quito"],
    "PE": ["Lima"],
    "BR": ["Brasília", "Brasilia"],
    "CL": ["Santiago de Chile"],
    "AR": ["Buenos Aires"],
    "UY": ["Montevideo"],
    "PY": ["Asunción", "Assunção"],
    "CA": ["Ottawa"],
    "US": ["Washington, D.C.", "Washington D.C.", "Washington DC"],
    "ES": ["Madrid"],
    "PT": ["Lisbon", "Lisboa", "Lisbonne"],
    "FR": ["Paris", "París"],
    "UA": ["Kyiv", "Kiev", "Kiev"],
    "AF": ["Kabul", "Kaboul", "Cabul"],
    "SN": ["Dakar"],
    "CM": ["Yaoundé", "Yaundé", "Iaundé"],
    "IN": ["New Delhi", "Nueva Delhi", "New Delhi", "Nova Délhi"],
    "CN": ["Beijing", "Pekín", "Pékin", "Pequim"],
    "PR": ["San Juan de Puerto Rico"],
}

# Demonyms and adjectives. es/pt "-o" words get -a/-os/-as, "-e" words -s, "-és/-ês" words -esa/-eses/-esas;
# fr "-ien"/"-ain"/"-ais"/"-ois"/"-éen" words get their feminine and plural forms; en words get "-s" unless
# they end in -ese/-ish/-ch/-s. Words that are also a language name are marked with a leading "~".
DEMONYMS: dict[str, dict[str, list[str]]] = {
    "MX": {"en": ["Mexican"], "es": ["mexicano"], "fr": ["mexicain"], "pt": ["mexicano"]},
    "GT": {"en": ["Guatemalan"], "es": ["guatemalteco"], "fr": ["guatémaltèque"], "pt": ["guatemalteco"]},
    "SV": {
        "en": ["Salvadoran", "Salvadorean", "Salvadorian"],
        "es": ["salvadoreño"],
        "fr": ["salvadorien"],
        "pt": ["salvadorenho"],
    },
    "HN": {"en": ["Honduran"], "es": ["hondureño"], "fr": ["hondurien"], "pt": ["hondurenho"]},
    "NI": {
        "en": ["Nicaraguan"],
        "es": ["nicaragüense"],
        "fr": ["nicaraguayen"],
        "pt": ["nicaraguense", "nicaraguano"],
    },
    "CR": {
        "en": ["Costa Rican"],
        "es": ["costarricense", "costarriqueño"],
        "fr": ["costaricien", "costaricain"],
        "pt": ["costarriquenho", "costa-riquenho"],
    },
    "PA": {"en": ["Panamanian"], "es": ["panameño"], "fr": ["panaméen"], "pt": ["panamenho"]},
    "BZ": {"en": ["Belizean"], "es": ["beliceño"], "fr": ["bélizien"], "pt": ["belizenho"]},
    "US": {
        "en": ["American"],
        "es": ["estadounidense", "norteamericano"],
        "fr": ["américain", "étasunien"],
        "pt": ["estadunidense", "norte-americano"],
    },
    "CA": {"en": ["Canadian"], "es": ["canadiense"], "fr": ["canadien"], "pt": ["canadense", "canadiano"]},
    "CU": {"en": ["Cuban"], "es": ["cubano"], "fr": ["cubain"], "pt": ["cubano"]},
    "HT": {"en": ["Haitian"], "es": ["haitiano"], "fr": ["haïtien"], "pt": ["haitiano"]},
    "DO": {"en": ["Dominican"], "es": ["dominicano"], "fr": ["dominicain"], "pt": ["dominicano"]},
    "PR": {
        "en": ["Puerto Rican"],
        "es": ["puertorriqueño", "boricua"],
        "fr": ["portoricain"],
        "pt": ["porto-riquenho"],
    },
    "JM": {"en": ["Jamaican"], "es": ["jamaiquino", "jamaicano"], "fr": ["jamaïcain"], "pt": ["jamaicano"]},
    "BS": {"en": ["Bahamian"], "es": ["bahameño"], "fr": ["bahaméen"], "pt": ["bahamense"]},
    "BB": {"en": ["Barbadian", "Bajan"], "es": ["barbadense"], "fr": ["barbadien"], "pt": ["barbadiano"]},
    "TT": {
        "en": ["Trinidadian", "Tobagonian"],
        "es": ["trinitense"],
        "fr": ["trinidadien"],
        "pt": ["trinitário"],
    },
    "GY": {"en": ["Guyanese"], "es": ["guyanés"], "fr": ["guyanien"], "pt": ["guianense"]},
    "SR": {"en": ["Surinamese"], "es": ["surinamés"], "fr": ["surinamais"], "pt": ["surinamês"]},
    "GD": {"en": ["Grenadian"], "es": ["granadino"], "fr": ["grenadien"], "pt": ["granadino"]},
    "LC": {
        "en": ["Saint Lucian", "St. Lucian"],
        "es": ["santalucense"],
        "fr": ["saint-lucien"],
        "pt": ["santa-lucense"],
    },
    "VC": {"en": ["Vincentian"], "es": ["sanvicentino"], "fr": ["saint-vincentais"], "pt": ["são-vicentino"]},
    "AG": {"en": ["Antiguan"], "es": ["antiguano"], "fr": ["antiguais"], "pt": ["antiguano"]},
    "KN": {
        "en": ["Kittitian", "Nevisian"],
        "es": ["sancristobaleño"],
        "fr": ["kittitien"],
        "pt": ["são-cristovense"],
    },
    "VE": {"en": ["Venezuelan"], "es": ["venezolano"], "fr": ["vénézuélien"], "pt": ["venezuelano"]},
    "CO": {"en": ["Colombian"], "es": ["colombiano"], "fr": ["colombien"], "pt": ["colombiano"]},
    "EC": {
        "en": ["Ecuadorian", "Ecuadorean"],
        "es": ["ecuatoriano"],
        "fr": ["équatorien"],
        "pt": ["equatoriano"],
    },
    "PE": {"en": ["Peruvian"], "es": ["peruano"], "fr": ["péruvien"], "pt": ["peruano"]},
    "BO": {"en": ["Bolivian"], "es": ["boliviano"], "fr": ["bolivien"], "pt": ["boliviano"]},
    "BR": {"en": ["Brazilian"], "es": ["brasileño"], "fr": ["brésilien"], "pt": ["brasileiro"]},
    "CL": {"en": ["Chilean"], "es": ["chileno"], "fr": ["chilien"], "pt": ["chileno"]},
    "AR": {
        "en": ["Argentine", "Argentinian", "Argentinean"],
        "es": ["argentino"],
        "fr": ["argentin"],
        "pt": ["argentino"],
    },
    "UY": {"en": ["Uruguayan"], "es": ["uruguayo"], "fr": ["uruguayen"], "pt": ["uruguaio"]},
    "PY": {"en": ["Paraguayan"], "es": ["paraguayo"], "fr": ["paraguayen"], "pt": ["paraguaio"]},
    "ES": {"en": ["~Spanish", "Spaniard"], "es": ["~español"], "fr": ["~espagnol"], "pt": ["~espanhol"]},
    "PT": {"en": ["~Portuguese"], "es": ["~portugués"], "fr": ["~portugais"], "pt": ["~português"]},
    "FR": {"en": ["~French"], "es": ["~francés"], "fr": ["~français"], "pt": ["~francês"]},
    "GB": {"en": ["British"], "es": ["británico"], "fr": ["britannique"], "pt": ["britânico"]},
    "DE": {"en": ["~German"], "es": ["~alemán"], "fr": ["~allemand"], "pt": ["~alemão"]},
    "IT": {"en": ["~Italian"], "es": ["~italiano"], "fr": ["~italien"], "pt": ["~italiano"]},
    "NL": {
        "en": ["~Dutch"],
        "es": ["~neerlandés", "~holandés"],
        "fr": ["~néerlandais"],
        "pt": ["~neerlandês", "~holandês"],
    },
    "IN": {"en": ["Indian"], "es": ["hindú"], "fr": ["indien"], "pt": ["indiano"]},
    "CN": {"en": ["~Chinese"], "es": ["~chino"], "fr": ["~chinois"], "pt": ["~chinês"]},
    "CM": {"en": ["Cameroonian"], "es": ["camerunés"], "fr": ["camerounais"], "pt": ["camaronês"]},
    "SN": {"en": ["Senegalese"], "es": ["senegalés"], "fr": ["sénégalais"], "pt": ["senegalês"]},
    "AF": {"en": ["Afghan"], "es": ["afgano"], "fr": ["afghan"], "pt": ["afegão"]},
    "UA": {"en": ["~Ukrainian"], "es": ["~ucraniano"], "fr": ["~ukrainien"], "pt": ["~ucraniano"]},
    "RU": {"en": ["~Russian"], "es": ["~ruso"], "fr": ["~russe"], "pt": ["~russo"]},
    "NG": {"en": ["Nigerian"], "es": ["nigeriano"], "fr": ["nigérian"], "pt": ["nigeriano"]},
    "GH": {"en": ["Ghanaian"], "es": ["ghanés"], "fr": ["ghanéen"], "pt": ["ganês"]},
    "GN": {"en": ["Guinean"], "es": ["guineano"], "fr": ["guinéen"], "pt": ["guineense"]},
    "ER": {"en": ["Eritrean"], "es": ["eritreo"], "fr": ["érythréen"], "pt": ["eritreu"]},
    "SO": {"en": ["~Somali"], "es": ["somalí"], "fr": ["somalien"], "pt": ["somali"]},
    "ET": {"en": ["Ethiopian"], "es": ["etíope"], "fr": ["éthiopien"], "pt": ["etíope"]},
    "AO": {"en": ["Angolan"], "es": ["angoleño"], "fr": ["angolais"], "pt": ["angolano"]},
    "CD": {"en": ["Congolese"], "es": ["congoleño"], "fr": ["congolais"], "pt": ["congolês"]},
    "BD": {"en": ["Bangladeshi"], "es": ["bangladesí"], "fr": ["bangladais"], "pt": ["bengali"]},
    "NP": {"en": ["~Nepali", "Nepalese"], "es": ["nepalí", "nepalés"], "fr": ["népalais"], "pt": ["nepalês"]},
    "PK": {"en": ["Pakistani"], "es": ["pakistaní"], "fr": ["pakistanais"], "pt": ["paquistanês"]},
    "LK": {
        "en": ["Sri Lankan"],
        "es": ["esrilanqués", "ceilandés"],
        "fr": ["sri-lankais"],
        "pt": ["cingalês"],
    },
    "SY": {"en": ["Syrian"], "es": ["sirio"], "fr": ["syrien"], "pt": ["sírio"]},
    "MA": {"en": ["Moroccan"], "es": ["marroquí"], "fr": ["marocain"], "pt": ["marroquino"]},
    "PH": {"en": ["Filipino", "Philippine"], "es": ["filipino"], "fr": ["philippin"], "pt": ["filipino"]},
    "UZ": {"en": ["Uzbek"], "es": ["uzbeko"], "fr": ["ouzbek"], "pt": ["uzbeque"]},
    "JO": {"en": ["Jordanian"], "es": ["jordano"], "fr": ["jordanien"], "pt": ["jordaniano"]},
    "TR": {"en": ["~Turkish"], "es": ["~turco"], "fr": ["~turc"], "pt": ["~turco"]},
    "JP": {"en": ["~Japanese"], "es": ["~japonés"], "fr": ["~japonais"], "pt": ["~japonês"]},
    "KR": {
        "en": ["~Korean", "South Korean"],
        "es": ["surcoreano"],
        "fr": ["sud-coréen"],
        "pt": ["sul-coreano"],
    },
    "MR": {"en": ["Mauritanian"], "es": ["mauritano"], "fr": ["mauritanien"], "pt": ["mauritano"]},
    "ML": {"en": ["Malian"], "es": ["maliense"], "fr": ["malien"], "pt": ["maliano"]},
    "BF": {"en": ["Burkinabe", "Burkinabè"], "es": ["burkinés"], "fr": ["burkinabè"], "pt": ["burquinense"]},
    "CI": {"en": ["Ivorian"], "es": ["marfileño"], "fr": ["ivoirien"], "pt": ["marfinense"]},
}

STATE_NOUNS_NOTE = "language-ambiguous demonyms count only next to words such as 'government' (see code)"


def fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def clean_variants(name: str) -> list[str]:
    """'Bolivia, Plurinational State of' -> ['Bolivia']; 'Bahamas (the)' -> ['Bahamas']."""
    name = re.sub(r"\s*\([^)]*\)", "", name).strip()
    if "," in name:
        head, tail = (p.strip() for p in name.split(",", 1))
        # "Salomon, Îles" -> "Îles Salomon"; "Korea, Republic of" -> head only (ambiguous, curated)
        if re.fullmatch(r"(?i)(îles?|islas?|ilhas?|islands?)", tail):
            return [f"{tail} {head}"]
        return [head]
    return [name]


def inflect(word: str, lang: str) -> list[str]:
    w = word
    forms = [w]
    if lang in ("es", "pt"):
        if w.endswith(("ês", "és")):
            stem = w[:-2] + "es"
            forms += [stem + "a", stem + "es", stem + "as"]
        elif w.endswith("ão"):
            forms += [w[:-2] + "ã", w[:-2] + "ães", w[:-2] + "ãs", w[:-2] + "ãos"]
        elif w.endswith("o"):
            forms += [w[:-1] + "a", w + "s", w[:-1] + "as"]
        elif w.endswith("eu"):
            forms += [w + "s", w[:-2] + "eia", w[:-2] + "eias"]
        elif w.endswith(("í", "ú")):
            forms += [w + "es", w + "s"]
        elif w.endswith("e") or w.endswith("a"):
            forms += [w + "s"]
        elif w.endswith(("n", "l", "r")) and lang == "es":
            forms += [w + "es", w + "a", w + "as"]
        else:
            forms += [w + "s"]
    elif lang == "fr":
        if w.endswith("en"):
            forms += [w + "ne", w + "s", w + "nes"]
        elif w.endswith(("ais", "ois")):
            forms += [w + "e", w + "es"]
        elif w.endswith("e"):
            forms += [w + "s"]
        elif w.endswith("c"):
            forms += [w + "s", w + "que", w + "ques"]
        else:
            forms += [w + "e", w + "s", w + "es"]
    else:
        if not w.endswith(("ese", "ish", "ch", "s", "i")):
            forms += [w + "s"]
    return forms


def resolve_collisions(countries: dict[str, dict[str, object]]) -> None:
    """A name claimed by several codes stays with the one whose curated list has it, else is dropped."""
    owners: dict[str, set[str]] = {}
    for code, entry in countries.items():
        names = entry["names"]
        assert isinstance(names, dict)
        for values in names.values():
            for n in values:
                owners.setdefault(fold(n), set()).add(code)
    for folded, codes in owners.items():
        if len(codes) < 2:
            continue
        curated = {c for c in codes if any(fold(n) == folded for v in NAMES.get(c, {}).values() for n in v)}
        keep = curated if len(curated) == 1 else set()
        for code in codes - keep:
            names = countries[code]["names"]
            assert isinstance(names, dict)
            for lang in names:
                names[lang] = [n for n in names[lang] if fold(n) != folded]


def _display_name(names: list[str]) -> str:
    """The first spelled-out name ("United States", not "US"), else the first one."""
    spelled = [n for n in names if n and any(c.islower() for c in n)]
    return (spelled or [n for n in names if n] or [""])[0]


def main() -> None:
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in LANGS
    }
    countries: dict[str, dict[str, object]] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        names: dict[str, list[str]] = {"en": [], "es": [], "fr": [], "pt": []}
        extra_en = [c.name] + [getattr(c, a) for a in ("common_name", "official_name") if hasattr(c, a)]
        for n in extra_en:
            names["en"] += clean_variants(n)
        for lang in LANGS:
            names[lang] += clean_variants(translations[lang].gettext(c.name))
        curated = NAMES.get(code, {})
        for lang, values in curated.items():
            names[lang] = values + names[lang]
        # What readers see (feeds, emails), kept apart from the detection names below, which drop
        # what is ambiguous ("Georgia", "Jersey"): the curated name, else pycountry's, per language.
        display = {lang: _display_name(values) for lang, values in names.items() if _display_name(values)}
        for lang in names:
            seen: list[str] = []
            for n in names[lang]:
                if n and n not in seen and fold(n) not in BLOCK:
                    seen.append(n)
            names[lang] = seen
        demonyms: list[str] = []
        ambiguous: list[str] = []
        for lang, words in DEMONYMS.get(code, {}).items():
            for w in words:
                lang_name = w.startswith("~")
                w = w.lstrip("~")
                forms = inflect(w, lang)
                if lang_name:
                    ambiguous.append(forms[0])  # the bare form is the language name
                    demonyms += forms[1:]
                else:
                    demonyms += forms
        countries[code] = {
            "display": display,
            "names": names,
            "cities": CITIES.get(code, []),
            "demonyms": sorted(set(demonyms)),
            "language_demonyms": sorted(set(ambiguous)),
        }
    resolve_collisions(countries)
    out = {
        "about": "Generated by scripts/build_country_data.py from pycountry and curated lists. Do not edit.",
        "not_country": NOT_COUNTRY,
        "countries": countries,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {OUT} ({len(countries)} countries, {OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
