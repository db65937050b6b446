"""The project's XSS corpus and its oracles: hostile text an office or a subscriber can send, and
what may come out of the system (the allowed tags and schemes are written here, independently of
boletin's sanitiser). Used by the feed and page unit tests and the hostile-content e2e tests."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.support.pages import assert_valid_html5

# Every C0 control except tab, LF and CR, plus the other characters XML 1.0 forbids.
ILLEGAL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\ufffe\uffff\ud800\udfff"

# ------------------------------------------------------------------------------------------ payloads

HOSTILE_OFFICE_NAME = 'IOM <script>alert("office")</script> & "Co" ]]>'
TITLE = (
    'Costa Rica <script>alert("title")</script> <img src=x onerror=alert(1)> & "labour migration" ]]> '
    "<a href=\"javascript:alert('t')\">x</a> <![CDATA[ ]]>"
)
BODY = """\
Officials from Costa Rica and Panama met in San José to discuss labour migration. \
&lt;script&gt;alert("entity")&lt;/script&gt; and `<img src=x onerror=alert("code")>` were quoted.

<script>alert("raw")</script>
<img src=x onerror=alert("img")>
<iframe src="javascript:alert('iframe')"></iframe>
<svg onload=alert("svg")><circle r=1 /></svg>
<math><mtext><script>alert("math")</script></mtext></math>
<style>body{background:url("javascript:alert('css')")}</style>
<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>
<form action="javascript:alert('form')"><button formaction="javascript:alert(1)">go</button></form>
<meta http-equiv="refresh" content="0;url=javascript:alert('meta')">
<base href="javascript:alert('base')//">
<![CDATA[<script>alert("cdata")</script>]]>
<!--[if IE]><script>alert("comment")</script><![endif]-->

[markdown js](javascript:alert("md")) [entity js](&#106;avascript:alert("ent"))
[upper js](JaVaScRiPt:alert("case")) [vb](vbscript:msgbox("vb"))
[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
![image](javascript:alert("image")) <javascript:alert("autolink")>
<a href="java&#x09;script:alert('tab')">tab</a> <a href=" javascript:alert('space')">space</a>
<a href="https://example.org/ok" onclick="alert('click')" style="color:red">a safe link</a>
[titled](https://example.org/t "x\\" onmouseover=\\"alert('title')")
<p onmouseover="alert('p')">hover</p> <div style="background:url(javascript:alert('style'))">div</div>

A tab\there, and the CDATA terminator ]]> in plain text.
"""
SOURCE_URL = "https://example.org/news?q=\"><script>alert('src')</script>&x=<img/src/onerror=alert(1)>"

# ------------------------------------------------------------------------------------------ oracles

# What a sanitised bulletin body may contain (formatting only), and which attributes.
BODY_TAGS = {
    *("p", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "ul", "ol", "li"),
    *("blockquote", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"),
}
BODY_ATTRIBUTES = {"href", "title", "rel", "start", "align", "colspan", "rowspan"}
# What an email's HTML part or a subscription page may contain: a document, text and links.
DOCUMENT_TAGS = {
    *("html", "head", "meta", "title", "body", "main", "div", "p", "h1", "h2", "a", "hr", "br", "ul"),
    *("li", "span", "strong", "em", "form", "fieldset", "legend", "label", "input", "button", "style"),
}
DOCUMENT_ATTRIBUTES = {
    *("lang", "dir", "charset", "name", "content", "style", "href", "class", "role", "method"),
    *("action", "enctype", "type", "value", "checked"),
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "xlink:href", "data", "poster"}


class Markup(HTMLParser):
    """Every start tag with its (entity-decoded) attributes, the text, and anything else."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.other: list[str] = []  # comments, CDATA sections, processing instructions
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"<!--{data}-->")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"<?{data}>")

    @property
    def plain(self) -> str:
        return "".join(self.text)


def scheme_of(url: str) -> str:
    """The scheme a browser would use: it drops ASCII controls and spaces before parsing."""
    cleaned = re.sub(r"[\x00-\x20]", "", url)
    return urlsplit(cleaned).scheme.lower() if ":" in cleaned.split("/", 1)[0] else ""


def assert_no_executable_markup(document: str, *, tags: set[str], attributes: set[str]) -> Markup:
    """No script of any kind: only `tags`, only `attributes`, no on* handler, no javascript:/data:
    URL (after entity decoding), no comment or CDATA section, no meta refresh, no CSS expressions."""
    assert not re.search(r"<\s*/?\s*(script|iframe|svg|math|object|embed|img|base)\b", document, re.I)
    markup = Markup(document)
    assert markup.other == [], markup.other
    for tag, attrs in markup.tags:
        assert tag in tags, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name in attributes, (tag, name, value)
            if name in URL_ATTRIBUTES:
                assert scheme_of(value) in SAFE_SCHEMES, (tag, name, value)
            if name == "style":
                assert not re.search(r"expression|url\s*\(|javascript|@import", value, re.I), value
            if tag == "meta":
                assert "http-equiv" not in attrs, attrs
    return markup


def assert_safe_body_html(fragment: str) -> Markup:
    markup = assert_no_executable_markup(fragment, tags=BODY_TAGS, attributes=BODY_ATTRIBUTES)
    for tag, attrs in markup.tags:
        if tag == "a" and "href" in attrs:
            assert scheme_of(attrs["href"]) in {"http", "https", "mailto"}, attrs
    return markup


PAGE_TAGS = {
    *BODY_TAGS,
    *DOCUMENT_TAGS,
    *("article", "header", "nav", "footer", "time", "dl", "dt", "dd", "section", "ol", "link"),
}
PAGE_ATTRIBUTES = {
    *BODY_ATTRIBUTES,
    *DOCUMENT_ATTRIBUTES,
    *("id", "rel", "hreflang", "title", "datetime", "property", "aria-label"),
}
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def assert_safe_site_page(page: bytes) -> str:
    """Valid HTML5; its one script is JSON-LD data that cannot end its element; nothing else runs."""
    assert_valid_html5(page)
    document = page.decode()
    scripts = _JSON_LD.findall(document)
    assert len(scripts) <= 1
    for data in scripts:
        assert "<" not in data
        assert ">" not in data
        json.loads(data)
    assert_no_executable_markup(_JSON_LD.sub("", document), tags=PAGE_TAGS, attributes=PAGE_ATTRIBUTES)
    body = re.search(r'<div class="body">(.*?)</div><(?:p class="source"|dl)', document, re.S)
    if body:
        assert_safe_body_html(body.group(1))
    return document
