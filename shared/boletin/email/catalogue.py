"""The one catalogue of fixed strings for emails and pages, in English, Spanish, French and Portuguese.

Keep every user-visible fixed string here, so a translator edits one file. Each entry must exist in
all four languages with the same ``{placeholders}`` (a unit test enforces it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from boletin.email.i18n import Language

CATALOGUE: Final[dict[str, dict[Language, str]]] = {
    # --- punctuation ----------------------------------------------------------------------------------
    "label": {
        "en": "{label}: {value}",
        "es": "{label}: {value}",
        "fr": "{label} : {value}",
        "pt": "{label}: {value}",
    },
    # --- confirmation email -------------------------------------------------------------------------
    "confirm.subject": {
        "en": "Confirm your Boletín subscription",
        "es": "Confirma tu suscripción a Boletín",
        "fr": "Confirmez votre abonnement à Boletín",
        "pt": "Confirme sua inscrição no Boletín",
    },
    "confirm.intro": {
        "en": "You asked to receive Boletín news bulletins by email at {address}.",
        "es": "Pediste recibir los boletines de noticias de Boletín por correo electrónico en {address}.",
        "fr": "Vous avez demandé à recevoir les bulletins d'information Boletín par courriel à {address}.",
        "pt": "Você pediu para receber os boletins de notícias do Boletín por e-mail em {address}.",
    },
    "confirm.details": {
        "en": "Your choices:",
        "es": "Tus opciones:",
        "fr": "Vos choix :",
        "pt": "Suas escolhas:",
    },
    "confirm.action": {
        "en": "Confirm your subscription",
        "es": "Confirmar la suscripción",
        "fr": "Confirmer l'abonnement",
        "pt": "Confirmar a inscrição",
    },
    "confirm.validity": {
        "en": "This link is valid for {days} days.",
        "es": "Este enlace es válido durante {days} días.",
        "fr": "Ce lien est valable {days} jours.",
        "pt": "Este link é válido por {days} dias.",
    },
    "confirm.ignore": {
        "en": "If you did not ask for this, ignore this email: you will not be subscribed.",
        "es": "Si no lo pediste, ignora este correo: no se te suscribirá.",
        "fr": "Si vous n'avez rien demandé, ignorez ce courriel : vous ne serez pas abonné·e.",
        "pt": "Se você não pediu isso, ignore este e-mail: você não será inscrito.",
    },
    # --- bulletins -------------------------------------------------------------------------------
    "bulletin.published": {
        "en": "Published {date}",
        "es": "Publicado el {date}",
        "fr": "Publié le {date}",
        "pt": "Publicado em {date}",
    },
    "bulletin.countries": {
        "en": "Countries",
        "es": "Países",
        "fr": "Pays",
        "pt": "Países",
    },
    "bulletin.topics": {
        "en": "Topics",
        "es": "Temas",
        "fr": "Thèmes",
        "pt": "Temas",
    },
    "bulletin.read": {
        "en": "Read the full bulletin",
        "es": "Leer el boletín completo",
        "fr": "Lire le bulletin complet",
        "pt": "Leia o boletim completo",
    },
    # --- digests ------------------------------------------------------------------------------------
    "digest.subject.daily.one": {
        "en": "Daily digest: 1 new bulletin ({period})",
        "es": "Resumen diario: 1 boletín nuevo ({period})",
        "fr": "Résumé quotidien : 1 nouveau bulletin ({period})",
        "pt": "Resumo diário: 1 novo boletim ({period})",
    },
    "digest.subject.daily.other": {
        "en": "Daily digest: {count} new bulletins ({period})",
        "es": "Resumen diario: {count} boletines nuevos ({period})",
        "fr": "Résumé quotidien : {count} nouveaux bulletins ({period})",
        "pt": "Resumo diário: {count} novos boletins ({period})",
    },
    "digest.subject.weekly.one": {
        "en": "Weekly digest: 1 new bulletin ({period})",
        "es": "Resumen semanal: 1 boletín nuevo ({period})",
        "fr": "Résumé hebdomadaire : 1 nouveau bulletin ({period})",
        "pt": "Resumo semanal: 1 novo boletim ({period})",
    },
    "digest.subject.weekly.other": {
        "en": "Weekly digest: {count} new bulletins ({period})",
        "es": "Resumen semanal: {count} boletines nuevos ({period})",
        "fr": "Résumé hebdomadaire : {count} nouveaux bulletins ({period})",
        "pt": "Resumo semanal: {count} novos boletins ({period})",
    },
    "digest.intro.day": {
        "en": "Bulletins published on {date}:",
        "es": "Boletines publicados el {date}:",
        "fr": "Bulletins publiés le {date} :",
        "pt": "Boletins publicados em {date}:",
    },
    "digest.intro.range": {
        "en": "Bulletins published from {start} to {end}:",
        "es": "Boletines publicados del {start} al {end}:",
        "fr": "Bulletins publiés du {start} au {end} :",
        "pt": "Boletins publicados de {start} a {end}:",
    },
    # --- corrections --------------------------------------------------------------------------------
    "correction.subject": {
        "en": "Correction: {title}",
        "es": "Corrección: {title}",
        "fr": "Rectificatif : {title}",
        "pt": "Correção: {title}",
    },
    "correction.intro": {
        "en": "A bulletin you received earlier has been corrected.",
        "es": "Se ha corregido un boletín que recibiste anteriormente.",
        "fr": "Un bulletin que vous avez reçu a été corrigé.",
        "pt": "Um boletim que você recebeu anteriormente foi corrigido.",
    },
    "correction.change": {
        "en": "What changed",
        "es": "Qué ha cambiado",
        "fr": "Ce qui a changé",
        "pt": "O que mudou",
    },
    "correction.read": {
        "en": "Read the corrected bulletin",
        "es": "Leer el boletín corregido",
        "fr": "Lire le bulletin corrigé",
        "pt": "Leia o boletim corrigido",
    },
    # --- footer of subscription emails ------------------------------------------------------------
    "footer.why": {
        "en": "You are receiving this email because you subscribed to Boletín news bulletins.",
        "es": "Recibes este correo porque te suscribiste a los boletines de noticias de Boletín.",
        "fr": "Vous recevez ce courriel parce que vous êtes abonné·e aux bulletins d'information Boletín.",
        "pt": "Você está recebendo este e-mail porque se inscreveu nos boletins de notícias do Boletín.",
    },
    "footer.unsubscribe": {
        "en": "Unsubscribe",
        "es": "Cancelar la suscripción",
        "fr": "Se désabonner",
        "pt": "Cancelar inscrição",
    },
    "footer.manage": {
        "en": "Manage your preferences",
        "es": "Gestionar tus preferencias",
        "fr": "Gérer vos préférences",
        "pt": "Gerenciar suas preferências",
    },
    # --- pages --------------------------------------------------------------------------------------
    "page.confirmed.title": {
        "en": "Subscription confirmed",
        "es": "Suscripción confirmada",
        "fr": "Abonnement confirmé",
        "pt": "Inscrição confirmada",
    },
    "page.confirmed.body": {
        "en": "Thank you. You will now receive Boletín bulletins by email.",
        "es": "Gracias. A partir de ahora recibirás los boletines de Boletín por correo electrónico.",
        "fr": "Merci. Vous recevrez désormais les bulletins Boletín par courriel.",
        "pt": "Obrigado. A partir de agora você receberá os boletins do Boletín por e-mail.",
    },
    "page.invalid.title": {
        "en": "This link is not valid",
        "es": "Este enlace no es válido",
        "fr": "Ce lien n'est pas valide",
        "pt": "Este link não é válido",
    },
    "page.invalid.body": {
        "en": "Check that you copied the whole link from the email, or subscribe again.",
        "es": "Comprueba que copiaste el enlace completo del correo o vuelve a suscribirte.",
        "fr": "Vérifiez que vous avez copié le lien complet depuis le courriel, ou abonnez-vous à nouveau.",
        "pt": "Verifique se você copiou o link completo do e-mail ou inscreva-se novamente.",
    },
    "page.expired.title": {
        "en": "This link has expired",
        "es": "Este enlace ha caducado",
        "fr": "Ce lien a expiré",
        "pt": "Este link expirou",
    },
    "page.expired.body": {
        "en": "Confirmation links are valid for {days} days. Subscribe again to get a new link.",
        "es": (
            "Los enlaces de confirmación son válidos durante {days} días. "
            "Vuelve a suscribirte para recibir uno nuevo."
        ),
        "fr": (
            "Les liens de confirmation sont valables {days} jours. "
            "Abonnez-vous à nouveau pour en recevoir un nouveau."
        ),
        "pt": (
            "Os links de confirmação são válidos por {days} dias. "
            "Inscreva-se novamente para receber um novo link."
        ),
    },
    "page.subscribe_again": {
        "en": "Subscribe again",
        "es": "Volver a suscribirse",
        "fr": "S'abonner à nouveau",
        "pt": "Inscrever-se novamente",
    },
    "page.unsubscribe.title": {
        "en": "Unsubscribe from Boletín",
        "es": "Cancelar la suscripción a Boletín",
        "fr": "Se désabonner de Boletín",
        "pt": "Cancelar inscrição no Boletín",
    },
    "page.unsubscribe.body": {
        "en": "Press the button to stop receiving Boletín bulletins by email.",
        "es": "Pulsa el botón para dejar de recibir los boletines de Boletín por correo electrónico.",
        "fr": "Cliquez sur le bouton pour ne plus recevoir les bulletins Boletín par courriel.",
        "pt": "Clique no botão para deixar de receber os boletins do Boletín por e-mail.",
    },
    "page.unsubscribed.title": {
        "en": "You have been unsubscribed",
        "es": "Se ha cancelado tu suscripción",
        "fr": "Vous êtes désabonné·e",
        "pt": "Sua inscrição foi cancelada",
    },
    "page.unsubscribed.body": {
        "en": "You will not receive any more Boletín bulletins at this address.",
        "es": "Ya no recibirás más boletines de Boletín en esta dirección.",
        "fr": "Vous ne recevrez plus de bulletins Boletín à cette adresse.",
        "pt": "Você não receberá mais boletins do Boletín neste endereço.",
    },
    "page.manage.saved": {
        "en": "Your preferences have been saved.",
        "es": "Se han guardado tus preferencias.",
        "fr": "Vos préférences ont été enregistrées.",
        "pt": "Suas preferências foram salvas.",
    },
    "page.manage.countries_hint": {
        "en": "Select none to receive bulletins about every country.",
        "es": "No marques ninguno para recibir boletines de todos los países.",
        "fr": "Ne cochez rien pour recevoir les bulletins de tous les pays.",
        "pt": "Não marque nenhum para receber boletins de todos os países.",
    },
    "page.manage.topics_hint": {
        "en": "Select none to receive bulletins on every topic.",
        "es": "No marques ninguno para recibir boletines de todos los temas.",
        "fr": "Ne cochez rien pour recevoir les bulletins sur tous les thèmes.",
        "pt": "Não marque nenhum para receber boletins sobre todos os temas.",
    },
    "page.manage.frequency": {
        "en": "How often",
        "es": "Frecuencia",
        "fr": "Fréquence",
        "pt": "Frequência",
    },
    "page.manage.language": {
        "en": "Email language",
        "es": "Idioma de los correos",
        "fr": "Langue des courriels",
        "pt": "Idioma dos e-mails",
    },
    "page.manage.bulletin_languages": {
        "en": "Bulletins in these languages",
        "es": "Boletines en estos idiomas",
        "fr": "Bulletins dans ces langues",
        "pt": "Boletins nestes idiomas",
    },
    "page.manage.bulletin_languages_hint": {
        "en": "None chosen: every language.",
        "es": "Si no elige ninguno: todos los idiomas.",
        "fr": "Aucune choisie : toutes les langues.",
        "pt": "Nenhum escolhido: todos os idiomas.",
    },
    # --- POST /subscriptions answer ------------------------------------------------------------------
    "subscribe.accepted": {
        "en": "If this address can receive our emails, a confirmation link is on its way.",
        "es": "Si esta dirección puede recibir nuestros correos, le enviamos un enlace de confirmación.",
        "fr": "Si cette adresse peut recevoir nos courriels, un lien de confirmation est en route.",
        "pt": "Se este endereço puder receber os nossos e-mails, um link de confirmação está a caminho.",
    },
    "page.manage.save": {
        "en": "Save changes",
        "es": "Guardar cambios",
        "fr": "Enregistrer",
        "pt": "Salvar alterações",
    },
    "frequency.immediate": {
        "en": "As soon as a bulletin is published",
        "es": "En cuanto se publique un boletín",
        "fr": "Dès qu'un bulletin est publié",
        "pt": "Assim que um boletim for publicado",
    },
    "frequency.daily": {
        "en": "Once a day (daily digest)",
        "es": "Una vez al día (resumen diario)",
        "fr": "Une fois par jour (résumé quotidien)",
        "pt": "Uma vez por dia (resumo diário)",
    },
    "frequency.weekly": {
        "en": "Once a week (weekly digest)",
        "es": "Una vez a la semana (resumen semanal)",
        "fr": "Une fois par semaine (résumé hebdomadaire)",
        "pt": "Uma vez por semana (resumo semanal)",
    },
    "page.error.title": {
        "en": "Something went wrong",
        "es": "Algo salió mal",
        "fr": "Une erreur s'est produite",
        "pt": "Algo deu errado",
    },
}
