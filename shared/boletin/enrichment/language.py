"""Language of a bulletin among en/es/fr/pt: a stopword and character-feature scorer.

No model to load: a few hundred function words, some letters and word endings that belong to one
language ("ñ", "ção", "ã", "è"), each weighted by how many of the four languages share it.
"""

from __future__ import annotations

from functools import cache

from boletin.enrichment._text import tokenize
from boletin.models.enrichment import SUPPORTED_LANGUAGES, LanguageCode

_STOPWORDS: dict[LanguageCode, str] = {
    "en": """the of and to in is are for with on that this from by an be was were has have had will would
        their its which at as it who more than been not or after into new through they these also
        between during
        over about under our we he she his her can all other such while where when what how including
        against across among within toward towards strengthens strengthen launches launched supports
        support government officials workers people children women families first two three
        says said training study""",
    "es": """el la los las del y en que por para con una un se su sus al es son como más sobre entre este esta
        estos estas fue han ha desde hasta también lo le les ya muy sin según donde cuando durante ante
        tras hacia mediante cada otros otras fueron será serán está están gobierno personas niñas niños
        mujeres familias primer dos tres año años apoyo fortalece lanza realizó brinda nuevo nueva""",
    "fr": """le la les des du de et en un une pour dans sur avec par qui que est sont au aux ce cette ces leur
        leurs plus ont été a l d qu ne pas ou à il elle ils elles nous vous son sa ses été sera depuis
        entre lors après avant chez sous selon également ainsi aussi dont où personnes enfants femmes familles
        gouvernement premier deux trois année ans appui soutien renforce lance nouveau nouvelle""",
    "pt": """o a os as do da dos das de e em no na nos nas um uma para com por que se ao aos é são pela pelo
        pelas pelos mais seu sua seus suas também foi entre até ou como sobre sem já quando onde durante
        após desde será está estão foram governo pessoas crianças mulheres famílias primeiro dois três ano
        anos apoio fortalece lança novo nova não mil""",
}

# Letters and endings that point to one language (weight per occurrence).
_CHAR_HINTS: dict[str, dict[LanguageCode, float]] = {
    "ñ": {"es": 1.5},
    "¿": {"es": 2.0},
    "¡": {"es": 2.0},
    "ã": {"pt": 1.5},
    "õ": {"pt": 1.5},
    "ç": {"fr": 0.5, "pt": 0.5},
    "è": {"fr": 1.5},
    "à": {"fr": 0.7, "pt": 0.3},
    "ù": {"fr": 1.5},
    "î": {"fr": 1.5},
    "ï": {"fr": 1.5},
    "œ": {"fr": 2.0},
    "û": {"fr": 1.5},
    "ë": {"fr": 1.0},
    "ê": {"fr": 0.8, "pt": 0.6},
    "ô": {"fr": 0.8, "pt": 0.4},
    "â": {"fr": 0.6, "pt": 0.6},
    "é": {"fr": 0.3, "es": 0.15, "pt": 0.15},
    "í": {"es": 0.5, "pt": 0.4},
    "ó": {"es": 0.6, "pt": 0.3},
    "ú": {"es": 0.5, "pt": 0.3},
    "á": {"es": 0.5, "pt": 0.5},
}
_SUFFIXES: tuple[tuple[str, dict[LanguageCode, float]], ...] = (
    ("ções", {"pt": 2.0}),
    ("ção", {"pt": 2.0}),
    ("ões", {"pt": 1.5}),
    ("ão", {"pt": 1.0}),
    ("ciones", {"es": 1.5}),
    ("ción", {"es": 1.5}),
    ("dades", {"pt": 1.0}),
    ("dade", {"pt": 1.0}),
    ("idad", {"es": 1.0}),
    ("idades", {"es": 1.0}),
    ("mente", {"es": 0.4, "pt": 0.4}),
    ("ement", {"fr": 0.8}),
    ("ements", {"fr": 0.8}),
    ("ique", {"fr": 0.5}),
    ("iques", {"fr": 0.5}),
    ("eux", {"fr": 0.8}),
    ("aux", {"fr": 0.5}),
    ("ing", {"en": 0.8}),
    ("tions", {"en": 0.4, "fr": 0.4}),
    ("tion", {"en": 0.4, "fr": 0.4}),
    ("ed", {"en": 0.4}),
    ("ly", {"en": 0.5}),
    ("ness", {"en": 1.0}),
    ("ship", {"en": 1.0}),
    ("ies", {"en": 0.6}),
    ("ws", {"en": 0.5}),
    ("nh", {"pt": 0.5}),
)


@cache
def _stopword_weights() -> dict[str, dict[LanguageCode, float]]:
    owners: dict[str, set[LanguageCode]] = {}
    for lang, words in _STOPWORDS.items():
        for word in words.split():
            owners.setdefault(word.lower(), set()).add(lang)
    return {word: {lang: 1.0 / len(langs) for lang in langs} for word, langs in owners.items()}


def language_scores(text: str) -> dict[LanguageCode, float]:
    scores: dict[LanguageCode, float] = dict.fromkeys(SUPPORTED_LANGUAGES, 0.0)
    weights = _stopword_weights()
    for token in tokenize(text):
        raw = token.raw.lower()
        for lang, weight in weights.get(raw, {}).items():
            scores[lang] += weight
        if raw.isalpha() and len(raw) > 3:
            for suffix, hints in _SUFFIXES:
                if raw.endswith(suffix):
                    for lang, weight in hints.items():
                        scores[lang] += weight
                    break
    lowered = text.lower()
    for char, hints in _CHAR_HINTS.items():
        count = lowered.count(char)
        if count:
            for lang, weight in hints.items():
                scores[lang] += weight * count
    # "l'", "d'", "qu'" elisions are French
    scores["fr"] += 1.0 * sum(lowered.count(e) for e in (" l'", " d'", " qu'", " l’", " d’", " qu’"))
    return scores


def detect_language(text: str) -> LanguageCode:
    scores = language_scores(text)
    best = max(SUPPORTED_LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] > 0 else "en"
