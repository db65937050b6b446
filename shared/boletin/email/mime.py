"""The MIME and the HTML every email shares: headers (From, Date, Message-ID, List-Unsubscribe...),
the plain-text and HTML bodies, the footer with the personal links, and how a bulletin is shown."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from email import policy as email_policy
from email.header import Header
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from typing import Final, Literal

from boletin.email._text import paragraphs, single_line
from boletin.email.i18n import Language, format_date, is_language, translate
from boletin.email.parts import DEFAULT_DISPLAY_NAME, BulletinDigestItem, Recipient, SenderConfig


class _HeaderClasses(HeaderRegistry):
    """The email package's header registry, making each header's class once: its own builds a new
    class with type() for every header of every message (a quarter of building an email)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


#: SMTP policy (CRLF, 7-bit headers with RFC 2047 words), but raw-stored headers are not refolded:
#: that is how List-Unsubscribe keeps its URL intact however long it is.
MAIL_POLICY: Final = email_policy.SMTP.clone(refold_source="none", header_factory=_HeaderClasses())

ONE_CLICK_POST: Final = "List-Unsubscribe=One-Click"
MAX_SUBJECT_LENGTH: Final = 200


def to_raw_bytes(msg: EmailMessage) -> bytes:
    """The CRLF MIME bytes to pass as ``RawMessage={"Data": ...}`` to SES ``send_raw_email``."""
    return msg.as_bytes(policy=MAIL_POLICY)


FONT = "font-family:Arial,Helvetica,sans-serif;"
H1 = "font-size:22px;line-height:1.3;margin:0 0 8px 0;"
H2 = "font-size:18px;line-height:1.3;margin:16px 0 4px 0;"
META = "margin:0;color:#555555;font-size:14px;"
SMALL = "color:#555555;font-size:14px;"
LINK = "color:#1d4f91;"
BUTTON = (
    "display:inline-block;padding:10px 16px;background:#1d4f91;color:#ffffff;"
    "text-decoration:none;border-radius:4px;font-weight:bold;"
)


def labelled(language: Language, label: str, value: str) -> str:
    """``Label: value`` with the language's punctuation (French puts a space before the colon)."""
    return translate(language, "label", label=label, value=value).rstrip()


def checked_language(language: str) -> Language:
    if not is_language(language):
        raise ValueError(f"unsupported language {language!r}")
    return language


def aware_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def new_message(
    sender: SenderConfig, to_address: str, subject: str, language: Language, now: datetime | None
) -> EmailMessage:
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = Address(display_name=sender.display_name, addr_spec=sender.address)
    msg["To"] = Address(addr_spec=to_address)
    if sender.reply_to:
        msg["Reply-To"] = Address(addr_spec=sender.reply_to)
    set_subject(msg, single_line(subject, max_length=MAX_SUBJECT_LENGTH))
    msg["Date"] = format_datetime(aware_now(now).astimezone(UTC))
    msg["Message-ID"] = f"<{secrets.token_hex(16)}@{sender.domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def set_subject(msg: EmailMessage, subject: str) -> None:
    """The Subject, folded so that it decodes back to exactly `subject`.

    The email package's own folding writes two adjacent non-ASCII words as encoded words with a space
    between them, which decoders drop ("tráfico ilícito" reads "tráficoilícito"); the legacy Header
    encoder splits inside one run of encoded words instead. `subject` is one line already (no CR/LF).
    """
    if subject.isascii():
        msg["Subject"] = subject
    else:
        msg.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))


def subscription_message(
    sender: SenderConfig,
    recipient: Recipient,
    subject: str,
    text: str,
    body_html: str,
    now: datetime | None,
) -> EmailMessage:
    lang = recipient.language
    msg = new_message(sender, recipient.address, subject, lang, now)
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
            labelled(lang, unsubscribe, recipient.unsubscribe_url),
            labelled(lang, manage, recipient.manage_url),
        ]
    )
    html_footer = (
        f'<hr style="border:0;border-top:1px solid #dddddd;margin:24px 0 12px 0;">'
        f'<p style="{SMALL}">{escape(why)}</p>'
        f'<p style="{SMALL}"><a href="{escape(recipient.unsubscribe_url)}" style="{LINK}">'
        f"{escape(unsubscribe)}</a>"
        f' &middot; <a href="{escape(recipient.manage_url)}" style="{LINK}">{escape(manage)}</a></p>'
    )
    set_bodies(
        msg,
        lang,
        text + "\n" + text_footer,
        html_document(lang, str(msg["Subject"]), body_html + html_footer),
    )
    return msg


def set_bodies(msg: EmailMessage, language: Language, text: str, html_document: str) -> None:
    msg.set_content(text.rstrip("\n") + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html_document, subtype="html", charset="utf-8", cte="quoted-printable")
    # After add_alternative: making the message multipart moves Content-* headers into the first part.
    msg["Content-Language"] = language


def html_document(language: Language, title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{language}" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>"
        '<body style="margin:0;padding:0;background:#f3f3f3;">'
        f'<div style="max-width:640px;margin:0 auto;padding:24px;background:#ffffff;{FONT}'
        'font-size:16px;line-height:1.5;color:#1a1a1a;">'
        f'<p style="margin:0 0 16px 0;font-weight:bold;color:#1d4f91;">{escape(DEFAULT_DISPLAY_NAME)}</p>'
        f"{body}</div></body></html>\n"
    )


def paragraphs_html(text: str) -> str:
    return "".join(
        f"<p>{'<br>'.join(escape(line) for line in p.split(chr(10)))}</p>" for p in paragraphs(text)
    )


def item_meta(language: Language, item: BulletinDigestItem) -> list[str]:
    meta = [translate(language, "bulletin.published", date=format_date(item.published_on, language))]
    if item.countries:
        meta.append(labelled(language, translate(language, "bulletin.countries"), ", ".join(item.countries)))
    if item.topics:
        meta.append(labelled(language, translate(language, "bulletin.topics"), ", ".join(item.topics)))
    return meta


def item_text(language: Language, item: BulletinDigestItem) -> str:
    lines = [item.title, *item_meta(language, item)]
    if item.summary:
        lines += ["", item.summary]
    lines += ["", labelled(language, translate(language, "bulletin.read"), item.url)]
    return "\n".join(lines)


def item_html(language: Language, item: BulletinDigestItem, *, heading: Literal["h1", "h2"]) -> str:
    style = H1 if heading == "h1" else H2
    meta = "".join(f'<p style="{META}">{escape(line)}</p>' for line in item_meta(language, item))
    return (
        f'<div style="margin:0 0 24px 0;">'
        f'<{heading} style="{style}">'
        f'<a href="{escape(item.url)}" style="{LINK}">{escape(item.title)}</a></{heading}>'
        f"{meta}{paragraphs_html(item.summary)}"
        f'<p><a href="{escape(item.url)}" style="{LINK}">'
        f"{escape(translate(language, 'bulletin.read'))}</a></p>"
        "</div>"
    )
