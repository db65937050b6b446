"""The public site's fixed texts in en/es/fr/pt, dates written in each language, and regions."""

from __future__ import annotations

from datetime import date
from typing import Final

LANGUAGES: Final = ("en", "es", "fr", "pt")

_MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
}  # fmt: skip

_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "site": "Boletín — regional migration news",
        "home": "All news",
        "news_of": "News: {label}",
        "month_of": "{label} — {month}",
        "latest": "Latest bulletins",
        "older": "Older bulletins",
        "newer": "Newer bulletins",
        "archive": "Archive: {month}",
        "empty": "No bulletins yet. Subscribe to hear of the first one.",
        "feeds": "Follow in a feed reader",
        "subscribe": "Subscribe by email",
        "subscribe_to": "Subscribe to {label} by email",
        "countries": "Countries",
        "topics": "Topics",
        "languages": "Bulletin language",
        "office": "Published by",
        "published": "Published",
        "source": "Read the original on the office's site",
        "corrected": "Corrected on {date}: {note}",
        "corrected_minor": "Corrected on {date}.",
        "history": "Version history",
        "version": "Version {n}",
        "version_line": "Version {n}, {date}",
        "withdrawn_title": "This bulletin was withdrawn",
        "withdrawn_body": "The office withdrew this bulletin on {date}.",
        "reason": "Reason",
        "moved": "This bulletin has moved",
        "moved_body": "Its address changed when its title was corrected.",
        "nav": "Site",
        "in_language": "In English",
        "other_language": "Español",
        "skip": "Skip to content",
        "frequency": "How often",
        "freq.immediate": "Each bulletin as it is published",
        "freq.daily": "One daily digest",
        "freq.weekly": "One weekly digest",
        "email": "Your email address",
        "email_hint": "We send a confirmation link first; nothing arrives until you confirm.",
        "interface": "Language of our emails",
        "wanted_languages": "Bulletins written in",
        "all_hint": "Choose none to receive all.",
        "submit": "Subscribe",
        "subscribe_intro": "Choose what you want to hear about. You can change it or unsubscribe "
        "from any email.",
        "read_more": "Read the bulletin",
        "page_label": "Pages",
        "lang.en": "English",
        "lang.es": "Spanish",
        "lang.fr": "French",
        "lang.pt": "Portuguese",
    },
    "es": {
        "site": "Boletín — noticias regionales sobre migración",
        "home": "Todas las noticias",
        "news_of": "Noticias: {label}",
        "month_of": "{label} — {month}",
        "latest": "Últimos boletines",
        "older": "Boletines anteriores",
        "newer": "Boletines más recientes",
        "archive": "Archivo: {month}",
        "empty": "Aún no hay boletines. Suscríbase para recibir el primero.",
        "feeds": "Seguir en un lector de noticias",
        "subscribe": "Suscribirse por correo",
        "subscribe_to": "Suscribirse a {label} por correo",
        "countries": "Países",
        "topics": "Temas",
        "languages": "Idioma de los boletines",
        "office": "Publicado por",
        "published": "Publicado",
        "source": "Leer el original en el sitio de la oficina",
        "corrected": "Corregido el {date}: {note}",
        "corrected_minor": "Corregido el {date}.",
        "history": "Historial de versiones",
        "version": "Versión {n}",
        "version_line": "Versión {n}, {date}",
        "withdrawn_title": "Este boletín fue retirado",
        "withdrawn_body": "La oficina retiró este boletín el {date}.",
        "reason": "Motivo",
        "moved": "Este boletín cambió de dirección",
        "moved_body": "Su dirección cambió al corregirse el título.",
        "nav": "Sitio",
        "in_language": "En español",
        "other_language": "English",
        "skip": "Ir al contenido",
        "frequency": "Con qué frecuencia",
        "freq.immediate": "Cada boletín al publicarse",
        "freq.daily": "Un resumen diario",
        "freq.weekly": "Un resumen semanal",
        "email": "Su correo electrónico",
        "email_hint": "Primero enviamos un enlace de confirmación; no recibirá nada hasta confirmar.",
        "interface": "Idioma de nuestros correos",
        "wanted_languages": "Boletines escritos en",
        "all_hint": "Si no elige ninguno, recibirá todos.",
        "submit": "Suscribirse",
        "subscribe_intro": "Elija sobre qué quiere recibir noticias. Puede cambiarlo o darse de baja "
        "desde cualquier correo.",
        "read_more": "Leer el boletín",
        "page_label": "Páginas",
        "lang.en": "inglés",
        "lang.es": "español",
        "lang.fr": "francés",
        "lang.pt": "portugués",
    },
    "fr": {
        "site": "Boletín — actualités régionales sur la migration",
        "home": "Toutes les actualités",
        "news_of": "Actualités : {label}",
        "month_of": "{label} — {month}",
        "latest": "Derniers bulletins",
        "older": "Bulletins précédents",
        "newer": "Bulletins plus récents",
        "archive": "Archives : {month}",
        "empty": "Aucun bulletin pour l'instant.",
        "feeds": "Suivre dans un lecteur de flux",
        "subscribe": "S'abonner par courriel",
        "subscribe_to": "S'abonner à {label} par courriel",
        "countries": "Pays",
        "topics": "Thèmes",
        "languages": "Langue des bulletins",
        "office": "Publié par",
        "published": "Publié",
        "source": "Lire l'original sur le site du bureau",
        "corrected": "Corrigé le {date} : {note}",
        "corrected_minor": "Corrigé le {date}.",
        "history": "Historique des versions",
        "version": "Version {n}",
        "version_line": "Version {n}, {date}",
        "withdrawn_title": "Ce bulletin a été retiré",
        "withdrawn_body": "Le bureau a retiré ce bulletin le {date}.",
        "reason": "Motif",
        "moved": "Ce bulletin a changé d'adresse",
        "moved_body": "Son adresse a changé quand son titre a été corrigé.",
        "nav": "Site",
        "in_language": "En français",
        "other_language": "English",
        "skip": "Aller au contenu",
        "frequency": "Fréquence",
        "freq.immediate": "Chaque bulletin dès sa publication",
        "freq.daily": "Un résumé quotidien",
        "freq.weekly": "Un résumé hebdomadaire",
        "email": "Votre adresse électronique",
        "email_hint": "Nous envoyons d'abord un lien de confirmation.",
        "interface": "Langue de nos courriels",
        "wanted_languages": "Bulletins rédigés en",
        "all_hint": "N'en choisissez aucun pour tout recevoir.",
        "submit": "S'abonner",
        "subscribe_intro": "Choisissez ce qui vous intéresse. Vous pourrez le modifier ou vous "
        "désabonner depuis chaque courriel.",
        "read_more": "Lire le bulletin",
        "page_label": "Pages",
        "lang.en": "anglais",
        "lang.es": "espagnol",
        "lang.fr": "français",
        "lang.pt": "portugais",
    },
    "pt": {
        "site": "Boletín — notícias regionais sobre migração",
        "home": "Todas as notícias",
        "news_of": "Notícias: {label}",
        "month_of": "{label} — {month}",
        "latest": "Últimos boletins",
        "older": "Boletins anteriores",
        "newer": "Boletins mais recentes",
        "archive": "Arquivo: {month}",
        "empty": "Ainda não há boletins.",
        "feeds": "Seguir num leitor de feeds",
        "subscribe": "Assinar por e-mail",
        "subscribe_to": "Assinar {label} por e-mail",
        "countries": "Países",
        "topics": "Temas",
        "languages": "Idioma dos boletins",
        "office": "Publicado por",
        "published": "Publicado",
        "source": "Ler o original no site do escritório",
        "corrected": "Corrigido em {date}: {note}",
        "corrected_minor": "Corrigido em {date}.",
        "history": "Histórico de versões",
        "version": "Versão {n}",
        "version_line": "Versão {n}, {date}",
        "withdrawn_title": "Este boletim foi retirado",
        "withdrawn_body": "O escritório retirou este boletim em {date}.",
        "reason": "Motivo",
        "moved": "Este boletim mudou de endereço",
        "moved_body": "O endereço mudou quando o título foi corrigido.",
        "nav": "Site",
        "in_language": "Em português",
        "other_language": "English",
        "skip": "Ir para o conteúdo",
        "frequency": "Frequência",
        "freq.immediate": "Cada boletim ao ser publicado",
        "freq.daily": "Um resumo diário",
        "freq.weekly": "Um resumo semanal",
        "email": "O seu endereço de e-mail",
        "email_hint": "Primeiro enviamos um link de confirmação.",
        "interface": "Idioma dos nossos e-mails",
        "wanted_languages": "Boletins escritos em",
        "all_hint": "Não escolha nenhum para receber todos.",
        "submit": "Assinar",
        "subscribe_intro": "Escolha o que quer receber. Pode mudar ou cancelar a partir de qualquer e-mail.",
        "read_more": "Ler o boletim",
        "page_label": "Páginas",
        "lang.en": "inglês",
        "lang.es": "espanhol",
        "lang.fr": "francês",
        "lang.pt": "português",
    },
}

#: The region's countries, grouped as the offices' own news pages group them.
REGIONS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("central-america", ("BZ", "CR", "SV", "GT", "HN", "NI", "PA")),
    ("north-america", ("CA", "MX", "US")),
    ("caribbean", ("AG", "BS", "BB", "CU", "DM", "DO", "GD", "HT", "JM", "KN", "LC", "VC", "TT")),
    ("south-america", ("BR", "CL", "CO", "EC", "GY", "PE", "SR", "UY", "VE")),
)
_REGION_LABELS: Final[dict[str, dict[str, str]]] = {
    "central-america": {"en": "Central America", "es": "Centroamérica", "fr": "Amérique centrale",
                        "pt": "América Central"},
    "north-america": {"en": "North America", "es": "Norteamérica", "fr": "Amérique du Nord",
                      "pt": "América do Norte"},
    "caribbean": {"en": "Caribbean", "es": "Caribe", "fr": "Caraïbes", "pt": "Caribe"},
    "south-america": {"en": "South America", "es": "Sudamérica", "fr": "Amérique du Sud",
                      "pt": "América do Sul"},
    "other": {"en": "Other countries", "es": "Otros países", "fr": "Autres pays", "pt": "Outros países"},
}  # fmt: skip


def resolve(language: str | None) -> str:
    return language if language in LANGUAGES else "en"


def text(language: str, key: str, **values: object) -> str:
    template = _TEXTS[resolve(language)].get(key) or _TEXTS["en"][key]
    return template.format(**values) if values else template


def region_label(region: str, language: str) -> str:
    return _REGION_LABELS[region][resolve(language)]


def long_date(day: date, language: str) -> str:
    """``30 November 2021``, ``30 de noviembre de 2021``, ``30 novembre 2021``, ``30 de novembro de 2021``."""
    lang = resolve(language)
    month = _MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{day.day} {month} {day.year}"
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} de {month} de {day.year}"


def month_name(month: str, language: str) -> str:
    """``2021-11`` → ``November 2021`` / ``noviembre de 2021``."""
    year, number = month.split("-")
    lang = resolve(language)
    name = _MONTHS[lang][int(number) - 1]
    return f"{name} {year}" if lang in ("en", "fr") else f"{name} de {year}"
