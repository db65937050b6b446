"""Build the emails Boletín sends, as ``EmailMessage`` objects ready for SES ``send_raw_email``.

Every message is multipart/alternative (text/plain + text/html, UTF-8, quoted-printable, so the raw
MIME is 7-bit clean) and carries From (display name "Boletín"), To, Subject, Date, Message-ID (on
the sender's domain), Content-Language and ``Auto-Submitted: auto-generated`` (RFC 3834: suppresses
vacation auto-replies to bulk mail).

Subscription emails (bulletin, digest, correction) also carry, as Gmail and Yahoo require of bulk
senders: ``List-Unsubscribe: <https://...>`` (plus ``<mailto:...>`` when configured),
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058), ``List-Id`` (RFC 2919), and a
visible unsubscribe link and preferences link in both parts. The confirmation email carries none
of these: RFC 8058 one-click applies to a list the recipient is on, and before confirming they are
on none (unsubscribing there would have nothing to act on; ignoring the email is the opt-out).

Header safety: addresses are validated (anything with CR/LF or other controls is rejected), URLs
must be plain https (rejected otherwise) and free text that reaches a header (titles, names) has
every line break and control character folded to a space. In HTML, every dynamic value is escaped.

Serialise with :func:`to_raw_bytes` (or ``bytes(msg)``): List-Unsubscribe is stored pre-folded so the
long https URL is never RFC 2047-encoded, which mail providers would not decode.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from html import escape
from typing import Literal

from boletin.email._text import clean_multiline, validate_url
from boletin.email.addresses import normalize_address
from boletin.email.i18n import Language, format_date, format_date_range, translate
from boletin.email.mime import (
    BUTTON,
    H1,
    H2,
    LINK,
    META,
    SMALL,
    checked_language,
    html_document,
    item_html,
    item_text,
    labelled,
    new_message,
    paragraphs_html,
    set_bodies,
    subscription_message,
)
from boletin.email.parts import (
    BulletinDigestItem,
    Recipient,
    SenderConfig,
    display_labels,
)
from boletin.email.tokens import CONFIRM_TTL

DigestFrequency = Literal["daily", "weekly"]


def build_confirmation_email(
    *,
    sender: SenderConfig,
    to_address: str,
    language: Language,
    confirm_url: str,
    choices: Sequence[str] = (),
    valid_for: timedelta = CONFIRM_TTL,
    now: datetime | None = None,
) -> EmailMessage:
    """The double opt-in email: a confirm link valid for ``valid_for`` (7 days).

    ``choices`` are optional, already-localised lines summarising what was asked for (e.g.
    "Countries: Mexico, Guatemala"). No List-Unsubscribe headers (see module docstring).
    """
    lang = checked_language(language)
    address = normalize_address(to_address)
    validate_url(confirm_url, field="confirm_url")
    days = max(1, valid_for.days)
    lines = display_labels(choices)
    subject = translate(lang, "confirm.subject")
    intro = translate(lang, "confirm.intro", address=address)
    action = translate(lang, "confirm.action")
    validity = translate(lang, "confirm.validity", days=days)
    ignore = translate(lang, "confirm.ignore")

    text = [intro, ""]
    if lines:
        text += [translate(lang, "confirm.details"), *(f"- {line}" for line in lines), ""]
    text += [labelled(lang, action, confirm_url), "", validity, "", ignore]

    body = [f"<p>{escape(intro)}</p>"]
    if lines:
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        body.append(f"<p>{escape(translate(lang, 'confirm.details'))}</p><ul>{items}</ul>")
    body += [
        f'<p><a href="{escape(confirm_url)}" style="{BUTTON}">{escape(action)}</a></p>',
        f'<p style="{SMALL}">{escape(validity)}</p>',
        f'<p style="{SMALL}">{escape(ignore)}</p>',
    ]
    msg = new_message(sender, address, subject, lang, now)
    set_bodies(msg, lang, "\n".join(text), html_document(lang, subject, "".join(body)))
    return msg


def build_bulletin_email(
    *,
    sender: SenderConfig,
    recipient: Recipient,
    bulletin: BulletinDigestItem,
    now: datetime | None = None,
) -> EmailMessage:
    """One bulletin, sent as soon as it is published ("immediate" subscribers)."""
    lang = recipient.language
    subject = bulletin.title
    text = item_text(lang, bulletin)
    body = item_html(lang, bulletin, heading="h1")
    return subscription_message(sender, recipient, subject, text, body, now)


def build_digest_email(
    *,
    sender: SenderConfig,
    recipient: Recipient,
    bulletins: Sequence[BulletinDigestItem],
    frequency: DigestFrequency,
    period_start: date,
    period_end: date,
    now: datetime | None = None,
) -> EmailMessage:
    """A daily or weekly digest; the subject says how many bulletins and which period."""
    if frequency not in ("daily", "weekly"):
        raise ValueError(f"unknown digest frequency {frequency!r}")
    items = list(bulletins)
    if not items:
        raise ValueError("a digest needs at least one bulletin (do not send empty digests)")
    if period_start > period_end:
        raise ValueError("period_start is after period_end")
    lang = recipient.language
    count = len(items)
    period = format_date_range(period_start, period_end, lang)
    plural = "one" if count == 1 else "other"
    subject = translate(lang, f"digest.subject.{frequency}.{plural}", count=count, period=period)
    if period_start == period_end:
        intro = translate(lang, "digest.intro.day", date=format_date(period_start, lang))
    else:
        intro = translate(
            lang,
            "digest.intro.range",
            start=format_date(period_start, lang),
            end=format_date(period_end, lang),
        )
    text_parts = [intro, ""]
    for item in items:
        text_parts += ["-" * 40, item_text(lang, item), ""]
    body = [f'<h1 style="{H1}">{escape(subject)}</h1>', f"<p>{escape(intro)}</p>"]
    body += [item_html(lang, item, heading="h2") for item in items]
    return subscription_message(sender, recipient, subject, "\n".join(text_parts), "".join(body), now)


def build_correction_email(
    *,
    sender: SenderConfig,
    recipient: Recipient,
    bulletin: BulletinDigestItem,
    change_note: str,
    now: datetime | None = None,
) -> EmailMessage:
    """A short notice that a bulletin the recipient got earlier was corrected: title, what changed, link."""
    note = clean_multiline(change_note)
    if not note:
        raise ValueError("a correction needs a change note")
    lang = recipient.language
    subject = translate(lang, "correction.subject", title=bulletin.title)
    intro = translate(lang, "correction.intro")
    change = translate(lang, "correction.change")
    read = translate(lang, "correction.read")
    published = translate(lang, "bulletin.published", date=format_date(bulletin.published_on, lang))
    text = "\n".join(
        [
            intro,
            "",
            bulletin.title,
            published,
            "",
            labelled(lang, change, ""),
            note,
            "",
            labelled(lang, read, bulletin.url),
        ]
    )
    body = (
        f"<p>{escape(intro)}</p>"
        f'<h1 style="{H1}"><a href="{escape(bulletin.url)}" style="{LINK}">'
        f"{escape(bulletin.title)}</a></h1>"
        f'<p style="{META}">{escape(published)}</p>'
        f'<h2 style="{H2}">{escape(change)}</h2>'
        f"{paragraphs_html(note)}"
        f'<p><a href="{escape(bulletin.url)}" style="{BUTTON}">{escape(read)}</a></p>'
    )
    return subscription_message(sender, recipient, subject, text, body, now)
