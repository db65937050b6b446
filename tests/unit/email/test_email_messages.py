"""Emails as a mail client and a mailbox provider see them: parsed back from the raw MIME bytes."""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage

import pytest

from boletin.email import (
    BulletinDigestItem,
    InvalidEmailAddressError,
    Recipient,
    SenderConfig,
    build_bulletin_email,
    build_confirmation_email,
    build_correction_email,
    build_digest_email,
    to_raw_bytes,
)
from tests.support.html_scan import TagsAndText, parsed

NOW = datetime(2025, 3, 10, 7, 0, tzinfo=UTC)
UNSUBSCRIBE_URL = (
    "https://api.boletin.example.org/v1/unsubscribe/AQIAAAAAAAAAAHN1Yl8wMUpOUTdZM0s5VjRXMlg4WjVB"
)
MANAGE_URL = "https://api.boletin.example.org/v1/manage/AQMAAAAAAAAAAHN1Yl8wMUpOUTdZM0s5VjRXMlg4WjVB"
CONFIRM_URL = "https://api.boletin.example.org/v1/confirm/AQEAAAAAZ9DOgHN1Yl8wMUpOUTdZM0s5VjRXMlg4WjVB"

SENDER = SenderConfig(address="boletin@news.boletin.example.org", list_id="bulletins.boletin.example.org")


def recipient(language: str = "es", **overrides: str) -> Recipient:
    values = {
        "address": "ana@example.org",
        "language": language,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "manage_url": MANAGE_URL,
    }
    values.update(overrides)
    return Recipient(**values)  # type: ignore[arg-type]


def bulletin(**overrides: object) -> BulletinDigestItem:
    values: dict[str, object] = {
        "id": "b-2025-0042",
        "title": "Nuevas reglas de asilo en México",
        "published_on": date(2025, 3, 7),
        "countries": ["México", "Guatemala"],
        "topics": ["Asilo", "Fronteras"],
        "summary": "El gobierno publicó nuevas reglas.\n\nEntran en vigor el lunes.",
        "url": "https://boletin.example.org/es/boletines/b-2025-0042",
    }
    values.update(overrides)
    return BulletinDigestItem(**values)  # type: ignore[arg-type]


def parse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(to_raw_bytes(msg), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(parsed: EmailMessage) -> tuple[str, str]:
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(preferencelist=("plain",))
    rich = parsed.get_body(preferencelist=("html",))
    assert plain is not None
    assert rich is not None
    return plain.get_content(), rich.get_content()


class _HtmlScan(TagsAndText):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def scan(markup: str) -> _HtmlScan:
    return parsed(_HtmlScan(), markup)


def immediate(r: Recipient, b: BulletinDigestItem) -> EmailMessage:
    return build_bulletin_email(sender=SENDER, recipient=r, bulletin=b, now=NOW)


def digest(r: Recipient, b: BulletinDigestItem) -> EmailMessage:
    return build_digest_email(
        sender=SENDER,
        recipient=r,
        bulletins=[b, bulletin(id="b2", title="Segundo boletín")],
        frequency="weekly",
        period_start=date(2025, 3, 3),
        period_end=date(2025, 3, 9),
        now=NOW,
    )


def correction(r: Recipient, b: BulletinDigestItem) -> EmailMessage:
    return build_correction_email(
        sender=SENDER, recipient=r, bulletin=b, change_note="La fecha correcta es el 8 de marzo.", now=NOW
    )


SUBSCRIPTION_BUILDERS: dict[str, Callable[[Recipient, BulletinDigestItem], EmailMessage]] = {
    "bulletin": immediate,
    "digest": digest,
    "correction": correction,
}
SUBSCRIPTION_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
    "Content-Language",
)
SINGLE_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Language")


# --- structure and headers -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", SUBSCRIPTION_BUILDERS)
def test_given_a_subscription_email_when_parsed_then_it_is_alternative_text_and_html_with_one_of_each_header(
    kind: str,
) -> None:
    parsed = parse(SUBSCRIPTION_BUILDERS[kind](recipient(), bulletin()))
    plain, rich = parts(parsed)
    assert "Nuevas reglas de asilo en México" in plain
    assert "Nuevas reglas de asilo en México" in " ".join(scan(rich).text)
    for name in (*SINGLE_HEADERS, "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
        assert len(parsed.get_all(name) or []) == 1, name
    assert str(parsed["From"]) == "Boletín <boletin@news.boletin.example.org>"
    assert str(parsed["To"]) == "ana@example.org"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"].datetime == NOW
    assert re.fullmatch(r"<[0-9a-f]{32}@news\.boletin\.example\.org>", str(parsed["Message-ID"]))


@pytest.mark.parametrize("kind", SUBSCRIPTION_BUILDERS)
def test_given_a_subscription_email_then_it_offers_rfc8058_one_click_unsubscribe(kind: str) -> None:
    parsed = parse(SUBSCRIPTION_BUILDERS[kind](recipient(), bulletin()))
    uris = re.findall(r"<([^<>]+)>", str(parsed["List-Unsubscribe"]))
    assert uris == [UNSUBSCRIBE_URL]
    assert uris[0].startswith("https://")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(parsed["List-Id"]) == "Boletín <bulletins.boletin.example.org>"


def test_given_a_long_unsubscribe_url_when_serialised_then_the_raw_header_carries_it_verbatim() -> None:
    # Given a token URL far longer than the 78-character folding width, and a mailto alternative
    long_url = "https://api.boletin.example.org/v1/unsubscribe/" + "AQ" + "x_-Y" * 60
    sender = SenderConfig(
        address="boletin@news.boletin.example.org",
        list_id="bulletins.boletin.example.org",
        unsubscribe_mailto="unsubscribe@news.boletin.example.org",
    )
    msg = build_bulletin_email(
        sender=sender, recipient=recipient(unsubscribe_url=long_url), bulletin=bulletin()
    )
    raw = to_raw_bytes(msg)
    # Then providers see the URL itself (not RFC 2047 encoded-words, which they do not decode)
    assert f"List-Unsubscribe: <{long_url}>,\r\n <mailto:".encode() in raw
    assert b"=?utf-8?" not in raw.split(b"List-Unsubscribe:", 1)[1].split(b"\r\nList-Unsubscribe-Post", 1)[0]
    # And every header line stays within the SMTP limit of 998 octets
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in header_block.split(b"\r\n"))
    parsed = parse(msg)
    assert re.findall(r"<([^<>]+)>", str(parsed["List-Unsubscribe"])) == [
        long_url,
        "mailto:unsubscribe@news.boletin.example.org?subject=unsubscribe",
    ]


def test_given_the_confirmation_email_then_it_has_the_link_and_no_list_unsubscribe_headers() -> None:
    msg = build_confirmation_email(
        sender=SENDER, to_address="Ana@Example.org", language="es", confirm_url=CONFIRM_URL, now=NOW
    )
    parsed = parse(msg)
    plain, rich = parts(parsed)
    # Then the confirm link is in both parts and its 7-day validity is stated in Spanish
    assert CONFIRM_URL in plain
    assert CONFIRM_URL in scan(rich).hrefs
    assert "Este enlace es válido durante 7 días." in plain
    assert "Este enlace es válido durante 7 días." in rich
    assert parsed["Subject"] == "Confirma tu suscripción a Boletín"
    assert str(parsed["To"]) == "Ana@example.org"
    # And it is not presented as a list message (nothing to unsubscribe from yet: RFC 8058)
    assert parsed["List-Unsubscribe-Post"] is None
    assert parsed["List-Unsubscribe"] is None
    for name in SINGLE_HEADERS:
        assert len(parsed.get_all(name) or []) == 1, name


def test_given_any_built_email_when_serialised_then_it_is_7bit_ascii_with_crlf_line_endings() -> None:
    for msg in [
        *(
            build(recipient("pt"), bulletin(title="Ação: ñandú «» — 😀"))
            for build in SUBSCRIPTION_BUILDERS.values()
        ),
        build_confirmation_email(
            sender=SENDER, to_address="a@example.org", language="fr", confirm_url=CONFIRM_URL
        ),
    ]:
        raw = to_raw_bytes(msg)
        raw.decode("ascii")  # raises if any 8-bit byte slipped through
        assert b"\n" not in raw.replace(b"\r\n", b"")
        assert b"\r" not in raw.replace(b"\r\n", b"")


def test_given_two_messages_then_their_message_ids_differ() -> None:
    first = parse(immediate(recipient(), bulletin()))["Message-ID"]
    second = parse(immediate(recipient(), bulletin()))["Message-ID"]
    assert first != second


# --- localisation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "published", "unsubscribe", "manage", "countries"),
    [
        (
            "en",
            "Published 7 March 2025",
            "Unsubscribe",
            "Manage your preferences",
            "Countries: México, Guatemala",
        ),
        (
            "es",
            "Publicado el 7 de marzo de 2025",
            "Cancelar la suscripción",
            "Gestionar tus preferencias",
            "Temas: Asilo, Fronteras",
        ),
        ("fr", "Publié le 7 mars 2025", "Se désabonner", "Gérer vos préférences", "Pays : México, Guatemala"),
        (
            "pt",
            "Publicado em 7 de março de 2025",
            "Cancelar inscrição",
            "Gerenciar suas preferências",
            "Países:",
        ),
    ],
)
def test_given_a_recipient_language_when_a_bulletin_is_built_then_fixed_text_is_in_that_language(
    language: str, published: str, unsubscribe: str, manage: str, countries: str
) -> None:
    parsed = parse(immediate(recipient(language), bulletin()))
    plain, rich = parts(parsed)
    assert parsed["Content-Language"] == language
    assert f'<html lang="{language}"' in rich
    for text in (published, unsubscribe, manage, countries):
        assert text in plain, text
        assert text in " ".join(scan(rich).text), text


@pytest.mark.parametrize("kind", SUBSCRIPTION_BUILDERS)
def test_given_a_subscription_email_then_both_parts_show_unsubscribe_and_manage_links(kind: str) -> None:
    plain, rich = parts(parse(SUBSCRIPTION_BUILDERS[kind](recipient("es"), bulletin())))
    assert f"Cancelar la suscripción: {UNSUBSCRIBE_URL}" in plain
    assert f"Gestionar tus preferencias: {MANAGE_URL}" in plain
    hrefs = scan(rich).hrefs
    assert UNSUBSCRIBE_URL in hrefs
    assert MANAGE_URL in hrefs


def test_given_a_weekly_digest_then_the_subject_counts_bulletins_and_names_the_period() -> None:
    parsed = parse(digest(recipient("es"), bulletin()))
    assert (
        parsed["Subject"] == "Resumen semanal: 2 boletines nuevos (3 de marzo de 2025 – 9 de marzo de 2025)"
    )
    plain, rich = parts(parsed)
    assert "Boletines publicados del 3 de marzo de 2025 al 9 de marzo de 2025:" in plain
    assert "Nuevas reglas de asilo en México" in plain
    assert "Segundo boletín" in plain
    assert scan(rich).hrefs.count("https://boletin.example.org/es/boletines/b-2025-0042") >= 2


def test_given_a_daily_digest_of_one_bulletin_then_the_subject_is_singular_and_names_the_day() -> None:
    msg = build_digest_email(
        sender=SENDER,
        recipient=recipient("en"),
        bulletins=[bulletin()],
        frequency="daily",
        period_start=date(2025, 3, 9),
        period_end=date(2025, 3, 9),
        now=NOW,
    )
    assert parse(msg)["Subject"] == "Daily digest: 1 new bulletin (9 March 2025)"


def test_given_no_bulletins_when_building_a_digest_then_it_refuses_to_send_an_empty_one() -> None:
    with pytest.raises(ValueError, match="at least one bulletin"):
        build_digest_email(
            sender=SENDER,
            recipient=recipient(),
            bulletins=[],
            frequency="daily",
            period_start=date(2025, 3, 9),
            period_end=date(2025, 3, 9),
        )


def test_given_a_correction_then_it_shows_the_title_the_change_and_the_link() -> None:
    parsed = parse(correction(recipient("fr"), bulletin(title="Nouvelles règles")))
    assert parsed["Subject"] == "Rectificatif : Nouvelles règles"
    plain, rich = parts(parsed)
    assert "Un bulletin que vous avez reçu a été corrigé." in plain
    assert "La fecha correcta es el 8 de marzo." in plain
    assert "La fecha correcta es el 8 de marzo." in rich
    assert "https://boletin.example.org/es/boletines/b-2025-0042" in scan(rich).hrefs


def test_given_non_ascii_subject_when_serialised_then_the_header_is_encoded_and_decodes_back() -> None:
    msg = correction(recipient("es"), bulletin(title="Título con eñe y acentos: ¿qué cambió?"))
    raw_subject = to_raw_bytes(msg).split(b"\r\nSubject: ", 1)[1].split(b"\r\nDate:", 1)[0]
    assert b"=?utf-8?" in raw_subject
    assert parse(msg)["Subject"] == "Corrección: Título con eñe y acentos: ¿qué cambió?"


@pytest.mark.parametrize(
    "title",
    [
        "OIM y Costa Rica impulsan el desmantelamiento de redes de tráfico ilícito de migrantes (ref. 1)",
        "Funcionarios de Guatemala y Costa Rica acuerdan acciones sobre la protección de la niñez no "
        "acompañada (ref. b0cd2d-00010)",
        "Réunion à Port-au-Prince : les États-Unis, le Mexique et Haïti évaluent la coopération régionale",
    ],
)
def test_given_a_long_non_ascii_subject_when_folded_then_it_decodes_back_word_for_word(title: str) -> None:
    # Given a title long enough to fold, with accented words side by side
    msg = immediate(recipient("es"), bulletin(title=title))
    # When it is serialised and read back by a standard parser
    raw_subject = to_raw_bytes(msg).split(b"\r\nSubject: ", 1)[1].split(b"\r\nDate:", 1)[0]
    # Then it was folded, and still reads exactly as the title: no space lost, none doubled
    assert b"\r\n " in raw_subject
    assert title in str(parse(msg)["Subject"])


def test_given_a_very_long_title_then_the_subject_is_shortened_to_one_readable_line() -> None:
    parsed = parse(immediate(recipient(), bulletin(title="Palabra " * 80)))
    subject = str(parsed["Subject"])
    assert len(subject) <= 200
    assert subject.endswith("…")


# --- hostile input -------------------------------------------------------------------------------

LINE_BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x00", "\t"]


@pytest.mark.parametrize("kind", SUBSCRIPTION_BUILDERS)
@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[repr(b) for b in LINE_BREAKS])
def test_given_a_title_with_a_line_break_when_built_then_no_header_is_injected(kind: str, brk: str) -> None:
    # Given a title that tries to smuggle extra headers
    hostile = f"Hello{brk}Bcc: evil@x.org{brk}Subject: phish{brk}{brk}body"
    parsed = parse(SUBSCRIPTION_BUILDERS[kind](recipient("en"), bulletin(title=hostile)))
    # Then: exactly our headers, each once (no Bcc, no second Subject)
    assert sorted(parsed.keys()) == sorted(SUBSCRIPTION_HEADERS)
    assert not re.search(rb"(?im)^(bcc|subject: phish)", to_raw_bytes(parsed))
    # And the subject is one line; where it shows the title, the break became a space
    subject = str(parsed["Subject"])
    assert not any(ch in subject for ch in "\r\n\x00\x0b\x0c\x1c\x85\u2028\u2029")
    if kind != "digest":
        assert "Hello Bcc: evil@x.org Subject: phish body" in subject
    plain, _ = parts(parsed)
    assert "Hello Bcc: evil@x.org Subject: phish body" in plain


@pytest.mark.parametrize(
    "field",
    [
        "address",
        "unsubscribe_url",
        "manage_url",
    ],
)
def test_given_a_recipient_value_with_crlf_then_it_is_rejected_before_reaching_a_header(field: str) -> None:
    value = {
        "address": "ana@example.org\r\nBcc: evil@x.org",
        "unsubscribe_url": UNSUBSCRIBE_URL + "\r\nBcc: evil@x.org",
        "manage_url": MANAGE_URL + "\r\nBcc: evil@x.org",
    }[field]
    with pytest.raises(ValueError):  # noqa: PT011 - InvalidEmailAddressError is a ValueError too
        recipient(**{field: value})


@pytest.mark.parametrize(
    "url",
    [
        "http://api.boletin.example.org/v1/unsubscribe/x",  # not https
        "javascript:alert(1)",
        "https://api.example.org/x>, <https://evil.example.org/",  # breaks out of <...>
        'https://api.example.org/x" onmouseover="alert(1)',
        "https://api.example.org/ x",
        "mailto:a@example.org",
        "/relative/path",
    ],
)
def test_given_an_unsafe_unsubscribe_url_then_it_is_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="unsubscribe_url"):
        recipient(unsubscribe_url=url)


def test_given_a_loopback_http_url_then_it_is_accepted_for_the_local_stack() -> None:
    r = recipient(unsubscribe_url="http://127.0.0.1:3000/v1/unsubscribe/x")
    assert r.unsubscribe_url.startswith("http://127.0.0.1")


def test_given_hostile_sender_settings_then_they_cannot_inject_headers() -> None:
    with pytest.raises(InvalidEmailAddressError):
        SenderConfig(address="boletin@example.org\r\nBcc: evil@x.org", list_id="bulletins.example.org")
    with pytest.raises(ValueError, match="list_id"):
        SenderConfig(address="boletin@example.org", list_id="bulletins.example.org>\r\nBcc: evil@x.org")
    sender = SenderConfig(
        address="boletin@example.org",
        list_id="bulletins.example.org",
        display_name="Boletín\r\nBcc: evil@x.org",
    )
    parsed = parse(build_bulletin_email(sender=sender, recipient=recipient(), bulletin=bulletin()))
    assert parsed["Bcc"] is None
    assert parsed["From"].addresses[0].addr_spec == "boletin@example.org"
    assert len(parsed["From"].addresses) == 1


def test_given_a_confirmation_to_a_hostile_address_then_it_is_rejected() -> None:
    with pytest.raises(InvalidEmailAddressError):
        build_confirmation_email(
            sender=SENDER, to_address="a@example.org\nBcc: evil@x.org", language="en", confirm_url=CONFIRM_URL
        )


def test_given_hostile_html_in_bulletin_fields_when_built_then_the_html_part_shows_it_as_text() -> None:
    # Given a title, summary and labels that carry markup
    title = '<script>alert("title")</script> & "quotes"'
    summary = '"><img src=x onerror=alert(1)> <b>bold</b>'
    parsed = parse(
        immediate(
            recipient("en"), bulletin(title=title, summary=summary, countries=["<i>Perú</i>"], topics=["a'b"])
        )
    )
    plain, rich = parts(parsed)
    scanned = scan(rich)
    # Then no element or attribute comes from the data: the only tags are our layout's
    assert not {"script", "img", "b", "i"} & set(scanned.tags)
    assert not any(name.startswith("on") for name, _ in scanned.attributes)
    # And a reader sees the text exactly as written, in both parts
    text = "".join(scanned.text)
    assert title in text
    assert summary in text
    assert "<i>Perú</i>" in text
    assert title in plain
    assert "&lt;script&gt;" in rich


def test_given_an_unsupported_language_then_the_recipient_is_rejected() -> None:
    with pytest.raises(ValueError, match="language"):
        recipient("de")


def test_given_a_bulletin_with_an_empty_title_then_it_is_rejected() -> None:
    with pytest.raises(ValueError, match="title"):
        bulletin(title="\r\n\t ")
