"""Hostile content end to end: XSS payloads in every text field an office or a subscriber can send,
and hostile request headers, followed through the real pipeline to what readers receive (the API's
JSON, the RSS/Atom/JSON feeds of every scope, the emails and the HTML pages behind their links).

Oversized bodies (413) and a display-name address with CRLF are covered in test_bulletins_e2e.py and
test_email_e2e.py; the sanitiser, feed writers and email builders have unit tests of their own. These
tests check what comes out of the whole system, with oracles written independently of the code (the
allowed tags and schemes of tests/support/hostile.py, not imported from boletin).
"""

from __future__ import annotations

import json
import re
import socket
import uuid
import xml.etree.ElementTree as ET
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from tests.support.hostile import (
    BODY,
    DOCUMENT_ATTRIBUTES,
    DOCUMENT_TAGS,
    HOSTILE_OFFICE_NAME,
    SOURCE_URL,
    TITLE,
    Markup,
    assert_no_executable_markup,
    assert_safe_body_html,
    assert_safe_site_page,
    scheme_of,
)
from tests.support.http import Http, Reply, headers_of
from tests.support.outbox import link, text_of
from tests.support.pages import assert_valid_html5, visible_text
from tests.support.subscribers import fresh_address, request_subscription, subscribe_and_confirm

pytestmark = pytest.mark.e2e

# --------------------------------------------------------------------------------------------- HTTP


def raw_request(base_url: str, head: str, body: bytes = b"") -> Reply:
    """One HTTP/1.1 request written byte for byte (urllib refuses CR/LF in header values), so a
    header can carry an obs-fold (CRLF + space) continuation line, as a hostile client may send."""
    parts = urlsplit(base_url)
    request = head.encode("utf-8") + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(request + body)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    header_block, _, payload = received.partition(b"\r\n\r\n")
    lines = header_block.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = [line.partition(":") for line in lines[1:]]
    return Reply(status, headers_of([(name.strip(), value.strip()) for name, _, value in fields]), payload)


def response_text(reply: Reply) -> str:
    """Everything the client got back: the header lines and the body."""
    head = "\n".join(f"{k}: {v}" for k, v in reply.headers.items())
    return head + "\n" + reply.body.decode("utf-8", "replace")


def assert_problem(reply: Reply, status: int | tuple[int, ...], field: str) -> dict[str, Any]:
    statuses = (status,) if isinstance(status, int) else status
    assert reply.status in statuses, (reply.status, reply.body[:300])
    assert reply.header("Content-Type") == "application/problem+json"
    problem = reply.json()
    assert problem["status"] == reply.status
    assert field in [error["field"] for error in problem.get("errors", [])], problem
    return dict(problem)


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def outbox_files(outbox: Path, address: str) -> list[tuple[bytes, EmailMessage]]:
    """Raw bytes and parsed message of every email to exactly `address`, oldest first."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        raw = path.read_bytes()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        if [a.addr_spec for a in message["To"].addresses] == [address]:
            found.append((raw, message))
    return found


# Headers an email of ours may carry; anything else would have been injected.
EMAIL_HEADERS = {
    *("from", "to", "subject", "date", "message-id", "auto-submitted", "list-id", "list-unsubscribe"),
    *("list-unsubscribe-post", "content-language", "content-type", "mime-version", "reply-to"),
}


def assert_clean_email_headers(raw: bytes, message: EmailMessage, address: str) -> None:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit clean, or this raises
    names = {line.split(":", 1)[0].lower() for line in head.split("\r\n") if line and line[0] not in " \t"}
    assert names <= EMAIL_HEADERS, names - EMAIL_HEADERS
    assert "bcc" not in names
    assert "cc" not in names
    assert [a.addr_spec for a in message["To"].addresses] == [address]
    subject = str(message["Subject"])
    assert "\r" not in subject
    assert "\n" not in subject


# ------------------------------------------------------------------------------- the hostile bulletin


@pytest.fixture(scope="module")
def hostile(stack: Any, http: Http) -> dict[str, Any]:
    """A confirmed subscriber to Costa Rica, then a bulletin about Costa Rica carrying a payload in
    every text field, from an office whose (ops-given) name is itself a payload, published."""
    from boletin.composition.offices import office_service

    office, key = office_service().create_office(f"{HOSTILE_OFFICE_NAME} {uuid.uuid4().hex[:6]}")
    address = fresh_address("hostile")
    subscribe_and_confirm(stack, http, address, language="en", countries=["CR"])
    submission = {
        "title": TITLE,
        "body": BODY,
        "published_on": "2021-11-30",
        "language": "en",
        "source_url": SOURCE_URL,
        "countries": ["CR"],
    }
    created = http.post("/bulletins", json_body=submission, key=key)
    assert created.status == 201, created.body
    bulletin_id = str(created.json()["id"])
    stack.wait_until_idle(timeout=30)
    reply = http.get(f"/bulletins/{bulletin_id}")
    assert reply.status == 200
    view = reply.json()
    assert view["status"] == "published"
    return {
        "id": bulletin_id,
        "urn": f"urn:boletin:bulletin:{bulletin_id}",
        "office": office,
        "key": key,
        "address": address,
        "reply": reply,
        "view": view,
    }


def test_the_api_returns_the_text_as_given_and_body_html_sanitised(hostile: dict[str, Any]) -> None:
    # Given a bulletin whose every text field carries a payload, published through the pipeline
    reply, view = hostile["reply"], hostile["view"]
    # Then the API serves JSON (never a type a browser would render), with the text as given
    assert reply.header("Content-Type") == "application/json"
    assert view["title"] == TITLE
    assert view["body"] == BODY
    assert view["source_url"] == SOURCE_URL
    assert view["office_name"] == hostile["office"].name
    # And body_html holds formatting only: no script, handler, frame, SVG, image, form or bad URL
    markup = assert_safe_body_html(view["body_html"])
    # ... while the harmless parts survive: the safe link, and the escaped payloads as text
    links = [attrs for tag, attrs in markup.tags if tag == "a" and attrs.get("href")]
    assert {"href": "https://example.org/ok", "rel": "noopener noreferrer nofollow"} in links
    assert '<script>alert("entity")</script>' in markup.plain
    assert '<img src=x onerror=alert("code")>' in markup.plain
    assert "a safe link" in markup.plain
    # And the derived slug is a slug
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", view["slug"])


def test_lists_and_versions_return_the_same_text_as_json(http: Http, hostile: dict[str, Any]) -> None:
    # When the bulletin is read through the public list and its versions
    listed = http.get(f"/bulletins?office={hostile['office'].id}")
    versions = http.get(f"/bulletins/{hostile['id']}/versions")
    # Then both are JSON with the title as text
    assert listed.header("Content-Type") == "application/json"
    assert versions.header("Content-Type") == "application/json"
    (item,) = listed.json()["items"]
    assert item["title"] == TITLE
    assert versions.json()["items"][-1]["title"] == TITLE
    assert versions.json()["items"][-1]["body"] == BODY


def test_the_public_pages_show_the_text_as_text_and_run_nothing(http: Http, hostile: dict[str, Any]) -> None:
    # When the bulletin's page (as its feed item links it) and the lists that hold it are opened
    item = next(i for i in http.get("/feeds/countries/CR.json").json()["items"] if i["id"] == hostile["urn"])
    paths = [item["url"], "/", "/en/countries/CR.html", "/es/countries/CR.html", "/en/languages/en.html"]
    for path in paths:
        reply = http.get(path)
        assert reply.status == 200, path
        assert reply.header("Content-Type") == "text/html; charset=utf-8"
        # Then each is valid HTML whose only script is JSON-LD data, and the title reads as given
        assert_safe_site_page(reply.body)
        assert TITLE in visible_text(assert_valid_html5(reply.body)), path
    page = http.get(item["url"]).body.decode()
    assert 'IOM <script>alert("office")</script> & "Co" ]]>' in visible_text(assert_valid_html5(page))


def feed_paths(topics: list[str], ext: str) -> list[str]:
    return [
        f"/feeds/all.{ext}",
        f"/feeds/countries/CR.{ext}",
        f"/feeds/languages/en.{ext}",
        *(f"/feeds/topics/{topic}.{ext}" for topic in topics),
    ]


CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_item(root: ET.Element, urn: str) -> ET.Element:
    items = [i for i in root.iter("item") if i.findtext("guid") == urn]
    assert len(items) == 1
    return items[0]


def atom_entry(root: ET.Element, urn: str) -> ET.Element:
    entries = [e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == urn]
    assert len(entries) == 1
    return entries[0]


def fetch_xml(http: Http, path: str) -> tuple[ET.Element, Any]:
    reply = http.get(path)
    assert reply.status == 200, path
    # Well-formed XML (ElementTree refuses anything else), and a feed a reader parses cleanly
    root = ET.fromstring(reply.body)  # noqa: S314 - our own output, parsed to prove it well formed
    parsed = feedparser.parse(reply.body)
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in {"script", "iframe", "svg"}]
    return root, parsed


RSS_TITLE = TITLE.replace("<", "\u2039").replace(">", "\u203a")


def test_rss_feeds_of_every_scope_are_well_formed_with_text_titles_and_safe_content(
    http: Http, hostile: dict[str, Any]
) -> None:
    # Given the hostile bulletin is published about Costa Rica, in English, under its topics
    view, urn = hostile["view"], hostile["urn"]
    assert view["topics"]
    for path in feed_paths(view["topics"], "xml"):
        # When a reader fetches each RSS feed it belongs to
        root, parsed = fetch_xml(http, path)
        item = rss_item(root, urn)
        # Then the title and the creator are text, as given (RSS titles with look-alike angle quotes,
        # as readers often decode an RSS title as HTML)
        assert item.findtext("title") == RSS_TITLE, path
        assert item.findtext(DC_CREATOR) == hostile["office"].name, path
        # And content:encoded, once unescaped, is the sanitised HTML: nothing executable
        content = item.findtext(CONTENT_ENCODED)
        assert content == view["body_html"]
        assert_safe_body_html(content)
        # And a feed reader sees the title as the same text, with no markup in it
        (entry,) = [e for e in parsed.entries if e.id == urn]
        assert entry.title == RSS_TITLE


def test_atom_feeds_of_every_scope_declare_text_and_carry_safe_html(
    http: Http, hostile: dict[str, Any]
) -> None:
    # Given the hostile bulletin is published about Costa Rica, in English, under its topics
    view, urn = hostile["view"], hostile["urn"]
    for path in feed_paths(view["topics"], "atom"):
        # When a reader fetches each Atom feed the bulletin belongs to
        root, parsed = fetch_xml(http, path)
        entry = atom_entry(root, urn)
        # Then title and summary are declared text and hold the text as given
        title = entry.find(f"{ATOM}title")
        summary = entry.find(f"{ATOM}summary")
        assert title is not None
        assert summary is not None
        assert (title.get("type"), title.text) == ("text", TITLE)
        assert (summary.get("type"), summary.text) == ("text", view["summary"])
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == hostile["office"].name
        # And the html content, once unescaped, has nothing executable
        content = entry.find(f"{ATOM}content")
        assert content is not None
        assert content.get("type") == "html"
        assert content.text == view["body_html"]
        assert_safe_body_html(content.text)
        # And every link of the entry is http(s)
        for element in entry.iter(f"{ATOM}link"):
            assert scheme_of(element.get("href", "")) in {"http", "https"}
        (parsed_entry,) = [e for e in parsed.entries if e.id == urn]
        assert parsed_entry.title == TITLE


def test_json_feeds_of_every_scope_carry_text_titles_and_safe_html(
    http: Http, hostile: dict[str, Any]
) -> None:
    # Given the hostile bulletin is published about Costa Rica, in English, under its topics
    view, urn = hostile["view"], hostile["urn"]
    for path in feed_paths(view["topics"], "json"):
        # When a reader fetches each JSON feed
        reply = http.get(path)
        assert reply.status == 200
        assert str(reply.header("Content-Type")).startswith("application/feed+json")
        feed = json.loads(reply.body)
        (item,) = [i for i in feed["items"] if i["id"] == urn]
        # Then title and summary are plain text (JSON Feed 1.1), as given, and content_html is safe
        assert item["title"] == TITLE
        assert item["summary"] == view["summary"]
        assert item["authors"] == [{"name": hostile["office"].name}]
        assert item["content_html"] == view["body_html"]
        assert_safe_body_html(item["content_html"])
        assert scheme_of(item["url"]) in {"http", "https"}


def test_rss_description_shows_the_summary_as_text_not_markup(http: Http, hostile: dict[str, Any]) -> None:
    # Given the summary, derived from the body's text, contains angle brackets as text
    view, urn = hostile["view"], hostile["urn"]
    assert "<script>" in view["summary"]
    for path in feed_paths(view["topics"], "xml"):
        root, _ = fetch_xml(http, path)
        description = rss_item(root, urn).findtext("description") or ""
        # Then description, which RSS readers render as HTML, shows the summary's text and no markup
        rendered = Markup(description)
        assert rendered.tags == [], (path, rendered.tags)
        assert rendered.plain == view["summary"]


def list_email(stack: Any, address: str, subject: str) -> tuple[bytes, EmailMessage]:
    """The one email to `address` with this Subject that belongs to the list (not a confirmation)."""
    found = [
        (raw, message)
        for raw, message in outbox_files(stack.outbox_dir, address)
        if message["List-Id"] is not None and str(message["Subject"]) == subject
    ]
    assert len(found) == 1, [str(m["Subject"]) for _, m in outbox_files(stack.outbox_dir, address)]
    return found[0]


def test_the_email_to_a_matching_subscriber_has_no_injected_header_and_no_markup(
    stack: Any, hostile: dict[str, Any]
) -> None:
    # Given a confirmed subscriber to Costa Rica when the hostile bulletin was published
    address = hostile["address"]
    # Then exactly one email about it reached them, its Subject the title as one line of text
    raw, email = list_email(stack, address, TITLE)
    assert_clean_email_headers(raw, email, address)
    # And the HTML part has nothing executable, and shows the title and summary as text
    markup = assert_no_executable_markup(html_part(email), tags=DOCUMENT_TAGS, attributes=DOCUMENT_ATTRIBUTES)
    assert TITLE in markup.plain
    assert view_summary_lines(hostile["view"]) <= set(markup.text)
    assert {tag for tag, _ in markup.tags} <= DOCUMENT_TAGS - {"form", "input", "button", "style"}
    # And the text part has the title as a line of text
    assert TITLE in text_of(email).splitlines()


def view_summary_lines(view: dict[str, Any]) -> set[str]:
    return {line for line in str(view["summary"]).split("\n") if line}


# --------------------------------------------------------------- corrections (PATCH) and withdrawal

TITLE_V2 = 'Costa Rica corrected <svg/onload=alert("v2")> \'"><script>alert(2)</script> labour migration'
BODY_V2 = (
    "Costa Rica and Panama agreed on labour migration. <script>alert('v2')</script>"
    "<a href=\"javascript:alert('v2')\">link</a> &lt;iframe src=javascript:alert(1)&gt;"
)
CHANGE_NOTE = '<img src=x onerror=alert("note")> & ]]> "figures" corrected'
REASON = '<script>alert("reason")</script> & ]]> withdrawn'


def test_a_hostile_correction_by_patch_and_withdrawal_stay_text_in_api_feeds_and_email(
    stack: Any, http: Http, hostile: dict[str, Any]
) -> None:
    # Given the subscriber received a first, harmless Costa Rica bulletin
    address, key = hostile["address"], hostile["key"]
    first = {
        "title": "Costa Rica opens a labour migration desk",
        "body": "Officials from Costa Rica met in San José about labour migration.",
        "published_on": "2021-11-29",
    }
    created = http.post("/bulletins", json_body=first, key=key)
    assert created.status == 201
    bulletin_id = created.json()["id"]
    stack.wait_until_idle(timeout=30)
    list_email(stack, address, first["title"])
    # When its office corrects it (a major change) with payloads in title, body and change note
    patched = http.request(
        "PATCH",
        f"/bulletins/{bulletin_id}",
        data=json.dumps(
            {"title": TITLE_V2, "body": BODY_V2, "change": "major", "change_note": CHANGE_NOTE}
        ).encode(),
        headers={"Content-Type": "application/merge-patch+json", "If-Match": '"1"'},
        key=key,
    )
    assert patched.status == 200, patched.body
    stack.wait_until_idle(timeout=30)
    # Then the API shows version 2 with the text as given and body_html sanitised
    view = http.get(f"/bulletins/{bulletin_id}").json()
    assert (view["version"], view["status"]) == (2, "published")
    assert (view["title"], view["last_change_note"]) == (TITLE_V2, CHANGE_NOTE)
    assert_safe_body_html(view["body_html"])
    assert "<script>alert('v2')</script>" not in view["body_html"]
    # And the feeds carry the corrected title as text and safe content
    root, _ = fetch_xml(http, "/feeds/all.atom")
    entry = atom_entry(root, f"urn:boletin:bulletin:{bulletin_id}")
    assert entry.findtext(f"{ATOM}title") == TITLE_V2
    assert_safe_body_html(entry.findtext(f"{ATOM}content") or "")
    # And the correction email has a one-line Subject, no injected header, the note as text only
    raw, email = list_email(stack, address, f"Correction: {TITLE_V2}")
    assert_clean_email_headers(raw, email, address)
    markup = assert_no_executable_markup(html_part(email), tags=DOCUMENT_TAGS, attributes=DOCUMENT_ATTRIBUTES)
    assert CHANGE_NOTE in markup.text
    assert TITLE_V2 in markup.plain
    assert CHANGE_NOTE in text_of(email).splitlines()

    # When the office withdraws it with a hostile reason
    withdrawn = http.request(
        "DELETE",
        f"/bulletins/{bulletin_id}",
        json_body={"reason": REASON},
        key=key,
        headers={"If-Match": '"2"'},
    )
    assert withdrawn.status == 200, withdrawn.body
    stack.wait_until_idle(timeout=30)
    # Then the tombstone is JSON with the reason as text, and the feeds drop the entry, still well formed
    tombstone = http.get(f"/bulletins/{bulletin_id}")
    assert tombstone.status == 410
    assert tombstone.header("Content-Type") == "application/json"
    assert tombstone.json()["reason"] == REASON
    root, _ = fetch_xml(http, "/feeds/all.xml")
    assert not [i for i in root.iter("item") if i.findtext("guid") == f"urn:boletin:bulletin:{bulletin_id}"]


# --------------------------------------------------------------- what an office cannot store at all

GOOD = {"title": "A perfectly fine title", "body": "Plain text.", "published_on": "2021-11-30"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Costa Rica\r\nBcc: victim@example.org"),
        ("title", "Costa Rica\nX-Injected: yes"),
        ("title", "Costa Rica\u2028<script>alert(1)</script>"),
        ("title", "Costa Rica\x85NEL in a subject"),
        ("title", "Costa Rica \x00 NUL in a title"),
        ("title", "Costa Rica \x1b[31m terminal escape"),
        ("title", "Costa Rica \ufffe non-character"),
        ("body", "text \x00 NUL"),
        ("body", "text \x0b vertical tab (not XML)"),
        ("body", "text \x1b[2J terminal escape"),
        ("body", "text \x9b C1 control"),
        ("body", "text \uffff non-character"),
        ("source_url", "javascript:alert(1)"),
        ("source_url", "JavaScript:alert(1)//https://example.org"),
        ("source_url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        ("source_url", "vbscript:msgbox(1)"),
        ("source_url", "http://example.org/plain-http"),
        ("source_url", "https:javascript:alert(1)"),
        ("source_url", "//evil.example/no-scheme"),
        ("source_url", "https://example.org/\r\nX-Injected: yes"),
        ("source_url", " https://example.org/leading-space"),
        ("countries", ["<script>"]),
        ("countries", ["CR\r\nBcc: x@example.org"]),
        ("language", "en<script>"),
        ("published_on", "2021-11-30<script>"),
        ("publish_at", "<img src=x onerror=alert(1)>"),
    ],
)
def test_hostile_values_an_office_cannot_store_are_refused_naming_the_field(
    http: Http, new_office: Any, field: str, value: Any
) -> None:
    # Given an office
    office, key = new_office()
    # When it submits a control character, a line break or a non-https URL in a field
    reply = http.post("/bulletins", json_body={**GOOD, field: value}, key=key)
    # Then it gets a problem naming that field, and nothing is stored
    assert_problem(reply, 422, field)
    assert http.get(f"/bulletins?office={office}", key=key).json()["items"] == []


@pytest.mark.parametrize("field", ["title", "body", "source_url"])
def test_a_lone_surrogate_in_a_text_field_is_refused_and_nothing_stored(
    http: Http, new_office: Any, field: str
) -> None:
    # Given an office, and a JSON string with a lone surrogate (valid JSON, not valid Unicode nor XML)
    office, key = new_office()
    value = "https://example.org/\ud800" if field == "source_url" else GOOD[field] + " \ud800"
    # When it is submitted in a text field
    reply = http.post("/bulletins", json_body={**GOOD, field: value}, key=key)
    # Then it is refused with a problem, and nothing is stored
    assert reply.status == 422
    assert reply.header("Content-Type") == "application/problem+json"
    assert http.get(f"/bulletins?office={office}", key=key).json()["items"] == []


@pytest.mark.parametrize("field", ["title", "source_url"])
def test_the_lone_surrogate_problem_names_the_field_that_holds_it(
    http: Http, new_office: Any, field: str
) -> None:
    # Given an office, and a lone surrogate in one text field
    _, key = new_office()
    value = "https://example.org/\ud800" if field == "source_url" else GOOD[field] + " \ud800"
    # When it is submitted
    reply = http.post("/bulletins", json_body={**GOOD, field: value}, key=key)
    # Then the problem names that field, and only it
    problem = assert_problem(reply, 422, field)
    assert [e["field"] for e in problem["errors"]] == [field]


def test_line_breaks_in_a_change_note_or_a_withdrawal_reason_are_refused(http: Http, new_office: Any) -> None:
    # Given a bulletin at version 1
    _, key = new_office()
    bulletin_id = http.post("/bulletins", json_body=GOOD, key=key).json()["id"]
    path = f"/bulletins/{bulletin_id}"
    # When a correction's note or a withdrawal's reason carries a line break or a control character
    for note in ("typo\r\nBcc: victim@example.org", "typo\u2028<script>", "typo\x00"):
        put = http.request(
            "PUT",
            path,
            json_body={**GOOD, "title": "A perfectly fine title, v2", "change": "major", "change_note": note},
            key=key,
            headers={"If-Match": '"1"'},
        )
        # Then each is refused naming the field
        assert_problem(put, 422, "change_note")
    for reason in ("spam\r\nX-Injected: yes", "spam\x1b[31m"):
        delete = http.request(
            "DELETE", path, json_body={"reason": reason}, key=key, headers={"If-Match": '"1"'}
        )
        assert_problem(delete, 422, "reason")
    # And the bulletin is unchanged
    assert http.get(path, key=key).json()["version"] == 1


# ------------------------------------------------------------------- subscriber-supplied values


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "reader@example.org\nBcc: victim@example.org"),
        ("email", "reader@example.org\rBcc: victim@example.org"),
        ("email", "reader@example.org\r\n"),
        ("email", "reader@example.org\u2028"),
        ("email", "reader@example.org\x85"),
        ("email", "reader\x00@example.org"),
        ("email", "reader@example.org, victim@example.org"),
        ("email", "reader@example.org>\r\nBcc: <victim@example.org"),
        ("email", "<script>alert(1)</script>@example.org"),
        ("email", '"<script>alert(1)</script>"@example.org'),
        ("email", "reader@[127.0.0.1]"),
        ("countries", ["<script>alert(1)</script>"]),
        ("countries", ["CR\r\nBcc: victim@example.org"]),
        ("topics", ["<img src=x onerror=alert(1)>"]),
        ("topics", ["labour-migration\r\nX-Injected: yes"]),
        ("timezone", "UTC\r\nBcc: victim@example.org"),
        ("timezone", "<script>alert(1)</script>"),
        ("timezone", "America/../../etc/passwd"),
        ("language", "en\r\n"),
        ("frequency", "<svg onload=alert(1)>"),
    ],
)
def test_hostile_subscriber_values_are_refused_with_a_problem_naming_the_field(
    stack: Any, http: Http, field: str, value: Any
) -> None:
    # Given a subscription request with a hostile value in one field
    address = fresh_address("hostile")
    body = {"email": address, "language": "en", "frequency": "immediate", field: value}
    # When it is posted
    reply = http.post("/subscriptions", json_body=body)
    # Then it is refused with a problem naming the field
    assert_problem(reply, 422, field)


def test_an_address_full_of_html_characters_is_escaped_in_the_confirmation_email_and_pages(
    stack: Any, http: Http
) -> None:
    # Given a valid address whose local part is made of characters HTML cares about
    address = f"x'onmouseover=alert`1`&{{y}}|{uuid.uuid4().hex[:6]}@example.org"
    # When it subscribes
    assert request_subscription(http, address).status == 202
    stack.wait_until_idle(timeout=20)
    # Then the confirmation goes to that one address, with no injected header
    ((raw, email),) = outbox_files(stack.outbox_dir, address)
    assert_clean_email_headers(raw, email, address)
    # And the HTML part shows the address as text: escaped, never an attribute or a handler
    html = html_part(email)
    markup = assert_no_executable_markup(html, tags=DOCUMENT_TAGS, attributes=DOCUMENT_ATTRIBUTES)
    assert address in markup.plain
    assert "x'onmouseover" not in html
    assert "x&#x27;onmouseover=alert`1`&amp;{y}" in html
    # And the text part has it as typed
    assert address in text_of(email)
    # And the page behind the confirm link is a safe HTML page, with a content security policy
    page = http.get(link(email, "confirm"))
    assert page.status == 200
    assert_safe_page(page)


def assert_safe_page(page: Reply) -> Markup:
    assert str(page.header("Content-Type")).startswith("text/html")
    assert "default-src 'none'" in str(page.header("Content-Security-Policy"))
    assert page.header("X-Content-Type-Options") == "nosniff"
    return assert_no_executable_markup(page.body.decode(), tags=DOCUMENT_TAGS, attributes=DOCUMENT_ATTRIBUTES)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_the_preferences_page_escapes_what_a_hostile_form_posts_and_changes_nothing(
    stack: Any, http: Http
) -> None:
    # Given a confirmed subscriber on their preferences page
    address = fresh_address("hostile")
    confirmed = subscribe_and_confirm(stack, http, address, language="en", countries=["GT"])
    manage = next(
        attrs["href"]
        for tag, attrs in Markup(confirmed.body.decode()).tags
        if tag == "a" and "/subscriptions/manage?token=" in attrs.get("href", "")
    )
    before = http.get(manage)
    assert before.status == 200
    assert_safe_page(before)
    # When hostile values are posted in each form field, and as a field name
    for form, reflected in (
        (b"countries=%3Cscript%3Ealert(1)%3C%2Fscript%3E&frequency=daily&language=en", "<script>alert(1)"),
        (b"topics=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&frequency=daily&language=en", "<img src=x"),
        (b"%3Csvg+onload%3Dalert(1)%3E=1&frequency=daily&language=en", "<svg onload"),
        (b"frequency=daily%0D%0AX-Injected%3A+yes&language=en", "X-Injected"),
        (b"frequency=daily&language=en%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", "<script>alert(1)"),
    ):
        reply = http.post(manage, data=form, headers=FORM)
        # Then each gets a 422 page: safe HTML, where a value it names appears only as escaped text
        assert reply.status == 422, form
        markup = assert_safe_page(reply)
        assert reflected not in reply.body.decode()
        assert "X-Injected" not in reply.headers
        assert "alert(1)" not in "".join(str(attrs) for _, attrs in markup.tags)
    # And the preferences are unchanged
    after = http.get(manage)
    assert after.body == before.body


@pytest.mark.parametrize("purpose", ["confirm", "manage", "unsubscribe"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_hostile_token_is_not_reflected_in_the_link_pages(http: Http, purpose: str, method: str) -> None:
    # Given a link whose token is a payload
    token = "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%3Csvg%20onload%3Dalert(2)%3E"
    # When it is opened (or posted, as a mail client's one-click does)
    reply = http.request(
        method,
        f"/subscriptions/{purpose}?token={token}",
        data=b"List-Unsubscribe=One-Click" if method == "POST" else None,
        headers=FORM if method == "POST" else None,
    )
    # Then the answer is a 4xx safe page that does not repeat the token
    assert 400 <= reply.status < 500
    assert_safe_page(reply)
    assert "alert(" not in reply.body.decode()
    assert "onload" not in reply.body.decode()


# ----------------------------------------------------------------------- hostile request headers


def head(method: str, path: str, key: str, extra: str) -> str:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\n{extra}"
    )


@pytest.mark.parametrize(
    ("raw_header", "needle"),
    [
        ("Idempotency-Key: retry-1\r\n X-Injected: yes\r\n", "X-Injected"),  # obs-fold: CRLF in the value
        ("Idempotency-Key: " + "k" * 10_000 + "\r\n", "k" * 256),
        ("Idempotency-Key: clé-é\r\n", "clé"),
        ("Idempotency-Key: two words\r\n", "two words"),
        ("Idempotency-Key: \t\r\n", None),
    ],
    ids=["obs-fold-crlf", "10k-chars", "non-ascii", "space", "blank"],
)
def test_a_hostile_idempotency_key_gets_a_problem_stores_nothing_and_is_never_echoed(
    stack: Any, new_office: Any, raw_header: str, needle: str | None
) -> None:
    # Given an office
    office, key = new_office()
    # When it submits with an Idempotency-Key that folds onto a second line, is huge or not ASCII
    body = json.dumps(GOOD).encode()
    reply = raw_request(stack.url, head("POST", "/bulletins", key, raw_header), body)
    # Then a 400 problem names the header, echoes nothing of it and injects no header
    assert_problem(reply, 400, "Idempotency-Key")
    assert "X-Injected" not in reply.headers
    if needle:
        assert needle not in response_text(reply)
    # And nothing is stored
    assert Http(stack.url).get(f"/bulletins?office={office}", key=key).json()["items"] == []


def test_a_printable_but_hostile_idempotency_key_works_and_is_not_echoed(http: Http, new_office: Any) -> None:
    # Given an Idempotency-Key made of printable ASCII that is also a payload
    _, key = new_office()
    idempotency_key = "<script>alert(1)</script>\"'&;"
    # When the same submission is sent twice with it
    first = http.post("/bulletins", json_body=GOOD, key=key, headers={"Idempotency-Key": idempotency_key})
    again = http.post("/bulletins", json_body=GOOD, key=key, headers={"Idempotency-Key": idempotency_key})
    # Then it deduplicates like any key, and no answer repeats it
    assert (first.status, again.status) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    for reply in (first, again):
        assert "<script>" not in response_text(reply)


@pytest.mark.parametrize(
    "raw_header",
    [
        'If-Match: "1"\r\n X-Injected: yes\r\n',  # obs-fold
        "If-Match: <script>alert(1)</script>\r\n",
        "If-Match: " + "9" * 8_000 + "\r\n",
        'If-Match: "99999999999999999999"\r\n',
        'If-Match: "1", "2"\r\n',
        "If-Match: \x0b\r\n",
    ],
    ids=["obs-fold-crlf", "script", "8k-digits", "20-digits", "list", "vertical-tab"],
)
def test_a_hostile_if_match_gets_a_problem_and_changes_nothing(
    stack: Any, http: Http, new_office: Any, raw_header: str
) -> None:
    # Given a bulletin at version 1
    _, key = new_office()
    bulletin_id = http.post("/bulletins", json_body=GOOD, key=key).json()["id"]
    update = {**GOOD, "title": "A perfectly fine title, corrected"}
    # When a correction names its version with a hostile If-Match
    reply = raw_request(
        stack.url, head("PUT", f"/bulletins/{bulletin_id}", key, raw_header), json.dumps(update).encode()
    )
    # Then it gets a 412 (or 428) problem naming If-Match, echoing nothing, injecting nothing
    assert_problem(reply, (412, 428), "If-Match")
    assert "X-Injected" not in reply.headers
    value = raw_header.split(":", 1)[1].strip()
    if len(value) > 3:
        assert value[:40] not in response_text(reply)
    # And the bulletin is unchanged
    assert http.get(f"/bulletins/{bulletin_id}", key=key).json()["version"] == 1


@pytest.mark.parametrize(
    "raw_header",
    [
        "Authorization: Bearer bol_AAAAAAAA_\r\n X-Injected: yes\r\n",
        "Authorization: Bearer <script>alert(1)</script>\r\n",
        "Authorization: Bearer " + "A" * 8_000 + "\r\n",
    ],
    ids=["obs-fold-crlf", "script", "8k-chars"],
)
def test_a_hostile_authorization_header_gets_a_401_problem(stack: Any, raw_header: str) -> None:
    # When a request carries a folded, scripted or huge Authorization header
    request = f"POST /bulletins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{raw_header}"
    reply = raw_request(stack.url, request, json.dumps(GOOD).encode())
    # Then the answer is a 401 problem that repeats none of it
    assert reply.status == 401
    assert reply.header("Content-Type") == "application/problem+json"
    assert "X-Injected" not in reply.headers
    assert "<script>" not in response_text(reply)
    assert "A" * 100 not in response_text(reply)


STEERING_HEADERS = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "javascript",
    "X-Forwarded-Prefix": "/<script>alert(1)</script>",
    "X-Original-URL": "/evil",
    "Forwarded": 'host=evil.example;proto="javascript"',
}


def test_forwarding_headers_do_not_steer_links_in_answers_or_emails(
    stack: Any, http: Http, new_office: Any
) -> None:
    # Given requests that claim another host and scheme through every forwarding header
    _, key = new_office()
    # When an office submits
    created = http.post("/bulletins", json_body=GOOD, key=key, headers=STEERING_HEADERS)
    # Then Location and links still name the configured base URL, and nothing is echoed
    assert created.status == 201
    assert str(created.header("Location")).startswith(stack.url + "/bulletins/")
    assert all(link.startswith(stack.url + "/") for link in created.json()["links"].values())
    assert "evil.example" not in response_text(created)
    assert "<script>" not in response_text(created)
    # When someone subscribes with the same headers
    address = fresh_address("hostile")
    subscribed = http.post(
        "/subscriptions",
        json_body={"email": address, "language": "en", "frequency": "immediate"},
        headers=STEERING_HEADERS,
    )
    assert subscribed.status == 202
    stack.wait_until_idle(timeout=20)
    # Then the confirmation link in the email points at the real site, not the claimed host
    ((_, email),) = outbox_files(stack.outbox_dir, address)
    assert link(email, "confirm").startswith(stack.url + "/subscriptions/confirm?token=")
    assert "evil.example" not in text_of(email) + html_part(email)
