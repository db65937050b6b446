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

import html
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email import policy as email_policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Final, Literal

from boletin.email._text import clean_multiline, paragraphs, single_line, validate_url
from boletin.email.addresses import normalize_address
from boletin.email.i18n import Language, format_date, format_date_range, is_language, translate
from boletin.email.tokens import CONFIRM_TTL

#: SMTP policy (CRLF, 7-bit headers with RFC 2047 words), but raw-stored headers are not refolded:
#: that is how List-Unsubscribe keeps its URL intact however long it is.
MAIL_POLICY: Final = email_policy.SMTP.clone(refold_source="none")

ONE_CLICK_POST: Final = "List-Unsubscribe=One-Click"
MAX_SUBJECT_LENGTH: Final = 200
MAX_TITLE_LENGTH: Final = 300
DEFAULT_DISPLAY_NAME: Final = "Boletín"

_LIST_ID = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)

DigestFrequency = Literal["daily", "weekly"]


# --- input models ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SenderConfig:
    """Who sends: one verified SES identity, and the list identity used in List-Id.

    ``list_id`` is an RFC 2919 identifier under a domain you control, e.g.
    ``"bulletins.boletin.example.org"``. ``unsubscribe_mailto``, when set, adds a ``mailto:`` URI to
    List-Unsubscribe; whoever processes that mailbox must unsubscribe the message's From address.
    """

    address: str
    list_id: str
    display_name: str = DEFAULT_DISPLAY_NAME
    list_name: str = DEFAULT_DISPLAY_NAME
    unsubscribe_mailto: str | None = None
    reply_to: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", normalize_address(self.address))
        if (
            not isinstance(self.list_id, str)
            or len(self.list_id) > 255
            or not _LIST_ID.fullmatch(self.list_id)
        ):
            raise ValueError("list_id must be a dot-separated identifier such as bulletins.example.org")
        object.__setattr__(self, "display_name", single_line(self.display_name, max_length=64))
        object.__setattr__(self, "list_name", single_line(self.list_name, max_length=64))
        if self.unsubscribe_mailto is not None:
            object.__setattr__(self, "unsubscribe_mailto", normalize_address(self.unsubscribe_mailto))
        if self.reply_to is not None:
            object.__setattr__(self, "reply_to", normalize_address(self.reply_to))

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Recipient:
    """One confirmed subscriber, with their personal unsubscribe (one-click) and preferences URLs."""

    address: str
    language: Language
    unsubscribe_url: str
    manage_url: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", normalize_address(self.address))
        if not is_language(self.language):
            raise ValueError(f"unsupported language {self.language!r}")
        validate_url(self.unsubscribe_url, field="unsubscribe_url")
        validate_url(self.manage_url, field="manage_url")


@dataclass(frozen=True, slots=True, kw_only=True)
class BulletinDigestItem:
    """One bulletin as shown in an email. ``countries`` and ``topics`` are display strings, already
    in the recipient's language. Text is cleaned on construction (titles become one line)."""

    id: str
    title: str
    published_on: date
    url: str
    countries: Sequence[str] = field(default_factory=tuple)
    topics: Sequence[str] = field(default_factory=tuple)
    summary: str = ""

    def __post_init__(self) -> None:
        title = single_line(self.title, max_length=MAX_TITLE_LENGTH)
        if not title:
            raise ValueError("a bulletin needs a non-empty title")
        if not isinstance(self.published_on, date):
            raise TypeError("published_on must be a date")
        validate_url(self.url, field="url")
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "countries", _labels(self.countries))
        object.__setattr__(self, "topics", _labels(self.topics))
        object.__setattr__(self, "summary", clean_multiline(self.summary))


def _labels(values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):  # a lone string is a classic bug: "Mexico" -> M, e, x, ...
        values = (values,)
    return tuple(label for label in (single_line(v, max_length=100) for v in values) if label)


# --- public builders ---------------------------------------------------------------------------------


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
    lang = _language(language)
    address = normalize_address(to_address)
    validate_url(confirm_url, field="confirm_url")
    days = max(1, valid_for.days)
    lines = _labels(choices)
    subject = translate(lang, "confirm.subject")
    intro = translate(lang, "confirm.intro", address=address)
    action = translate(lang, "confirm.action")
    validity = translate(lang, "confirm.validity", days=days)
    ignore = translate(lang, "confirm.ignore")

    text = [intro, ""]
    if lines:
        text += [translate(lang, "confirm.details"), *(f"- {line}" for line in lines), ""]
    text += [_labelled(lang, action, confirm_url), "", validity, "", ignore]

    body = [f"<p>{_e(intro)}</p>"]
    if lines:
        items = "".join(f"<li>{_e(line)}</li>" for line in lines)
        body.append(f"<p>{_e(translate(lang, 'confirm.details'))}</p><ul>{items}</ul>")
    body += [
        f'<p><a href="{_e(confirm_url)}" style="{_BUTTON}">{_e(action)}</a></p>',
        f'<p style="{_SMALL}">{_e(validity)}</p>',
        f'<p style="{_SMALL}">{_e(ignore)}</p>',
    ]
    msg = _new_message(sender, address, subject, lang, now)
    _set_bodies(msg, lang, "\n".join(text), _html_document(lang, subject, "".join(body)))
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
    text = _item_text(lang, bulletin)
    body = _item_html(lang, bulletin, heading="h1")
    return _subscription_message(sender, recipient, subject, text, body, now)


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
        text_parts += ["-" * 40, _item_text(lang, item), ""]
    body = [f'<h1 style="{_H1}">{_e(subject)}</h1>', f"<p>{_e(intro)}</p>"]
    body += [_item_html(lang, item, heading="h2") for item in items]
    return _subscription_message(sender, recipient, subject, "\n".join(text_parts), "".join(body), now)


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
            _labelled(lang, change, ""),
            note,
            "",
            _labelled(lang, read, bulletin.url),
        ]
    )
    body = (
        f"<p>{_e(intro)}</p>"
        f'<h1 style="{_H1}"><a href="{_e(bulletin.url)}" style="{_LINK}">{_e(bulletin.title)}</a></h1>'
        f'<p style="{_META}">{_e(published)}</p>'
        f'<h2 style="{_H2}">{_e(change)}</h2>'
        f"{_paragraphs_html(note)}"
        f'<p><a href="{_e(bulletin.url)}" style="{_BUTTON}">{_e(read)}</a></p>'
    )
    return _subscription_message(sender, recipient, subject, text, body, now)


def to_raw_bytes(msg: EmailMessage) -> bytes:
    """The CRLF MIME bytes to pass as ``RawMessage={"Data": ...}`` to SES ``send_raw_email``."""
    return msg.as_bytes(policy=MAIL_POLICY)


# --- internals ---------------------------------------------------------------------------------------

_FONT = "font-family:Arial,Helvetica,sans-serif;"
_H1 = "font-size:22px;line-height:1.3;margin:0 0 8px 0;"
_H2 = "font-size:18px;line-height:1.3;margin:16px 0 4px 0;"
_META = "margin:0;color:#555555;font-size:14px;"
_SMALL = "color:#555555;font-size:14px;"
_LINK = "color:#1d4f91;"
_BUTTON = (
    "display:inline-block;padding:10px 16px;background:#1d4f91;color:#ffffff;"
    "text-decoration:none;border-radius:4px;font-weight:bold;"
)


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _labelled(language: Language, label: str, value: str) -> str:
    """``Label: value`` with the language's punctuation (French puts a space before the colon)."""
    return translate(language, "label", label=label, value=value).rstrip()


def _language(language: str) -> Language:
    if not is_language(language):
        raise ValueError(f"unsupported language {language!r}")
    return language


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def _new_message(
    sender: SenderConfig, to_address: str, subject: str, language: Language, now: datetime | None
) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = Address(display_name=sender.display_name, addr_spec=sender.address)
    msg["To"] = Address(addr_spec=to_address)
    if sender.reply_to:
        msg["Reply-To"] = Address(addr_spec=sender.reply_to)
    _set_subject(msg, single_line(subject, max_length=MAX_SUBJECT_LENGTH))
    msg["Date"] = format_datetime(_now(now).astimezone(UTC))
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{sender.domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """The Subject, folded so that it decodes back to exactly `subject`.

    The email package's own folding writes two adjacent non-ASCII words as encoded words with a space
    between them, which decoders drop ("tráfico ilícito" reads "tráficoilícito"); the legacy Header
    encoder splits inside one run of encoded words instead. `subject` is one line already (no CR/LF).
    """
    if subject.isascii():
        msg["Subject"] = subject
    else:
        msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))


def _subscription_message(
    sender: SenderConfig,
    recipient: Recipient,
    subject: str,
    text: str,
    body_html: str,
    now: datetime | None,
) -> EmailMessage:
    lang = recipient.language
    msg = _new_message(sender, recipient.address, subject, lang, now)
    msg["List-Id"] = f"{sender.list_name} <{sender.list_id}>"
    uris = [f"<{recipient.unsubscribe_url}>"]
    if sender.unsubscribe_mailto:
        uris.append(f"<mailto:{sender.unsubscribe_mailto}?subject=unsubscribe>")
    # Stored raw and pre-folded (one URI per line): MAIL_POLICY does not refold it, so the URL is
    # never split or RFC 2047-encoded. validate_url() has already excluded CR/LF, spaces and <>.
    msg.set_raw("List-Unsubscribe", ",\n ".join(uris))
    msg["List-Unsubscribe-Post"] = ONE_CLICK_POST

    why = translate(lang, "footer.why")
    unsubscribe = translate(lang, "footer.unsubscribe")
    manage = translate(lang, "footer.manage")
    text_footer = "\n".join(
        [
            "",
            "--",
            why,
            _labelled(lang, unsubscribe, recipient.unsubscribe_url),
            _labelled(lang, manage, recipient.manage_url),
        ]
    )
    html_footer = (
        f'<hr style="border:0;border-top:1px solid #dddddd;margin:24px 0 12px 0;">'
        f'<p style="{_SMALL}">{_e(why)}</p>'
        f'<p style="{_SMALL}"><a href="{_e(recipient.unsubscribe_url)}" style="{_LINK}">{_e(unsubscribe)}</a>'
        f' &middot; <a href="{_e(recipient.manage_url)}" style="{_LINK}">{_e(manage)}</a></p>'
    )
    _set_bodies(
        msg,
        lang,
        text + "\n" + text_footer,
        _html_document(lang, str(msg["Subject"]), body_html + html_footer),
    )
    return msg


def _set_bodies(msg: EmailMessage, language: Language, text: str, html_document: str) -> None:
    msg.set_content(text.rstrip("\n") + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html_document, subtype="html", charset="utf-8", cte="quoted-printable")
    # After add_alternative: making the message multipart moves Content-* headers into the first part.
    msg["Content-Language"] = language


def _html_document(language: Language, title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title></head>"
        '<body style="margin:0;padding:0;background:#f3f3f3;">'
        f'<div style="max-width:640px;margin:0 auto;padding:24px;background:#ffffff;{_FONT}'
        'font-size:16px;line-height:1.5;color:#1a1a1a;">'
        f'<p style="margin:0 0 16px 0;font-weight:bold;color:#1d4f91;">{_e(DEFAULT_DISPLAY_NAME)}</p>'
        f"{body}</div></body></html>\n"
    )


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{'<br>'.join(_e(line) for line in p.split(chr(10)))}</p>" for p in paragraphs(text))


def _item_meta(language: Language, item: BulletinDigestItem) -> list[str]:
    meta = [translate(language, "bulletin.published", date=format_date(item.published_on, language))]
    if item.countries:
        meta.append(_labelled(language, translate(language, "bulletin.countries"), ", ".join(item.countries)))
    if item.topics:
        meta.append(_labelled(language, translate(language, "bulletin.topics"), ", ".join(item.topics)))
    return meta


def _item_text(language: Language, item: BulletinDigestItem) -> str:
    lines = [item.title, *_item_meta(language, item)]
    if item.summary:
        lines += ["", item.summary]
    lines += ["", _labelled(language, translate(language, "bulletin.read"), item.url)]
    return "\n".join(lines)


def _item_html(language: Language, item: BulletinDigestItem, *, heading: Literal["h1", "h2"]) -> str:
    style = _H1 if heading == "h1" else _H2
    meta = "".join(f'<p style="{_META}">{_e(line)}</p>' for line in _item_meta(language, item))
    return (
        f'<div style="margin:0 0 24px 0;">'
        f'<{heading} style="{style}">'
        f'<a href="{_e(item.url)}" style="{_LINK}">{_e(item.title)}</a></{heading}>'
        f"{meta}{_paragraphs_html(item.summary)}"
        f'<p><a href="{_e(item.url)}" style="{_LINK}">{_e(translate(language, "bulletin.read"))}</a></p>'
        "</div>"
    )
