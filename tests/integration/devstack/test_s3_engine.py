"""The S3 object engine answers as moto does (where moto is faithful) for what the feeds repository
and the local CloudFront call, keeps objects on disk across a restart, and pages listings by key."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from devstack.aws.s3 import S3Engine
from tests.integration.devstack.engine_harness import client, error_of, served_client, serving, unique

FEED = b'<?xml version="1.0"?><rss><channel><title>Bolet\xc3\xadn</title></channel></rss>'


@pytest.fixture
def engine_s3(tmp_path: Path) -> Iterator[Any]:
    yield from served_client("s3", S3Engine(tmp_path / "s3"))


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[Any]:
    yield from served_client("s3")


def bucket(s3: Any, *, versioned: bool = False) -> str:
    name = unique("feeds")
    s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


OBJECT_FIELDS = (
    "ETag",
    "ContentType",
    "ContentLength",
    "CacheControl",
    "ContentEncoding",
    "ContentDisposition",
    "ContentLanguage",
    "Metadata",
    "AcceptRanges",
)


def seen(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: answer.get(key) for key in OBJECT_FIELDS}


def put_and_read(s3: Any) -> dict[str, Any]:
    name = bucket(s3)
    put = s3.put_object(
        Bucket=name,
        Key="feeds/all.xml",
        Body=FEED,
        ContentType="application/rss+xml; charset=utf-8",
        CacheControl="public, max-age=60",
        ContentDisposition="inline",
        ContentLanguage="es",
        Metadata={"Generator": "boletin"},
    )
    s3.put_object(Bucket=name, Key="feeds/gz.json", Body=b"{}", ContentEncoding="gzip")
    got = s3.get_object(Bucket=name, Key="feeds/all.xml")
    head = s3.head_object(Bucket=name, Key="feeds/all.xml")
    gz = s3.head_object(Bucket=name, Key="feeds/gz.json")
    return {
        "put etag": put["ETag"],
        "body": got["Body"].read(),
        "get": seen(got),
        "head": seen(head),
        "default type and encoding": (gz["ContentType"], gz["ContentEncoding"]),
        "modified": (got["LastModified"] == head["LastModified"], got["LastModified"].microsecond),
    }


def test_put_get_and_head_answer_as_moto_does(engine_s3: Any, moto_s3: Any) -> None:
    # Given a feed put with its headers and metadata, on the engine and on moto
    # When it is read and its headers asked for
    ours, theirs = put_and_read(engine_s3), put_and_read(moto_s3)
    # Then the answers agree, and the ETag is the quoted MD5 of the bytes
    assert ours == theirs
    assert ours["put etag"] == f'"{hashlib.md5(FEED, usedforsecurity=False).hexdigest()}"'


def errors(s3: Any) -> dict[str, tuple[str, int]]:
    name = bucket(s3)
    s3.put_object(Bucket=name, Key="there", Body=b"x")
    etag = s3.head_object(Bucket=name, Key="there")["ETag"]
    return {
        "missing key": error_of(lambda: s3.get_object(Bucket=name, Key="missing")),
        "head missing": error_of(lambda: s3.head_object(Bucket=name, Key="missing")),
        "missing bucket": error_of(lambda: s3.get_object(Bucket=unique("nobucket"), Key="x")),
        "put to missing bucket": error_of(
            lambda: s3.put_object(Bucket=unique("nobucket"), Key="x", Body=b"")
        ),
        "if-none-match * on existing": error_of(
            lambda: s3.put_object(Bucket=name, Key="there", Body=b"y", IfNoneMatch="*")
        ),
        "if-match other etag": error_of(
            lambda: s3.put_object(Bucket=name, Key="there", Body=b"y", IfMatch='"0123"')
        ),
        "get if-match other": error_of(lambda: s3.get_object(Bucket=name, Key="there", IfMatch='"0123"')),
        "get if-none-match same": error_of(lambda: s3.get_object(Bucket=name, Key="there", IfNoneMatch=etag)),
        "bad range": error_of(lambda: s3.get_object(Bucket=name, Key="there", Range="bytes=5-9")),
    }


def test_errors_answer_as_moto_does(engine_s3: Any, moto_s3: Any) -> None:
    # Given a bucket with one object on each side
    # When missing keys and buckets are read and conditions fail
    ours, theirs = errors(engine_s3), errors(moto_s3)
    # Then each fails with S3's code and status, as moto's does
    assert ours == theirs
    assert ours["missing key"] == ("NoSuchKey", 404)
    assert ours["if-none-match * on existing"] == ("PreconditionFailed", 412)
    assert ours["get if-none-match same"] == ("304", 304)


def test_conditional_reads_follow_s3s_order(engine_s3: Any) -> None:
    # Given an object
    name = bucket(engine_s3)
    engine_s3.put_object(Bucket=name, Key="k", Body=b"v")
    head = engine_s3.head_object(Bucket=name, Key="k")
    etag, modified = head["ETag"], head["LastModified"]
    later, earlier = modified + timedelta(hours=1), modified - timedelta(hours=1)
    # When it is read on conditions
    # Then If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since
    assert (
        engine_s3.get_object(Bucket=name, Key="k", IfMatch=etag, IfUnmodifiedSince=earlier)["Body"].read()
        == b"v"
    )
    assert error_of(lambda: engine_s3.get_object(Bucket=name, Key="k", IfUnmodifiedSince=earlier))[1] == 412
    assert error_of(lambda: engine_s3.get_object(Bucket=name, Key="k", IfModifiedSince=later))[1] == 304
    assert (
        engine_s3.get_object(Bucket=name, Key="k", IfNoneMatch='"other"', IfModifiedSince=later)["ETag"]
        == etag
    )
    assert engine_s3.get_object(Bucket=name, Key="k", IfModifiedSince=earlier)["ETag"] == etag


def test_conditional_writes_create_once_and_replace_only_what_was_read(engine_s3: Any) -> None:
    # Given a key written with If-None-Match: * (create only)
    name = bucket(engine_s3)
    first = engine_s3.put_object(Bucket=name, Key="k", Body=b"1", IfNoneMatch="*")["ETag"]
    # When it is replaced on the ETag that was read, then again on that stale ETag
    second = engine_s3.put_object(Bucket=name, Key="k", Body=b"2", IfMatch=first)["ETag"]
    stale = error_of(lambda: engine_s3.put_object(Bucket=name, Key="k", Body=b"3", IfMatch=first))
    # Then the first replace wins, the stale one is refused and changes nothing
    assert stale == ("PreconditionFailed", 412)
    assert engine_s3.get_object(Bucket=name, Key="k")["Body"].read() == b"2"
    assert second != first
    assert error_of(lambda: engine_s3.put_object(Bucket=name, Key="new", Body=b"x", IfMatch=first)) == (
        "NoSuchKey",
        404,
    )


def test_ranges_as_moto_gives_them(engine_s3: Any, moto_s3: Any) -> None:
    answers = []
    for s3 in (engine_s3, moto_s3):
        name = bucket(s3)
        s3.put_object(Bucket=name, Key="k", Body=b"0123456789")
        answers.append(
            [
                (r["Body"].read(), r["ContentRange"], r["ContentLength"])
                for r in (
                    s3.get_object(Bucket=name, Key="k", Range=spec)
                    for spec in ("bytes=2-4", "bytes=7-", "bytes=-3")
                )
            ]
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == (b"234", "bytes 2-4/10", 3)


def listing(s3: Any, **kwargs: Any) -> tuple[list[str], list[str], int]:
    """Every key and common prefix of a listing, page by page; how many pages it took."""
    keys: list[str] = []
    prefixes: list[str] = []
    pages = 0
    for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
        pages += 1
        keys += [entry["Key"] for entry in page.get("Contents", [])]
        prefixes += [entry["Prefix"] for entry in page.get("CommonPrefixes", [])]
    return keys, prefixes, pages


KEYS = [
    "feeds/all.xml",
    "feeds/all.json",
    "feeds/country/GT.xml",
    "feeds/country/BZ.xml",
    "feeds/topic/x y.json",
    "feeds/ñ.xml",
    "feeds/z+plus.xml",
    "other/readme.txt",
    "top.txt",
]


def test_listings_page_prefix_and_delimiter_as_moto_does(engine_s3: Any, moto_s3: Any) -> None:
    # Given the same keys on each side
    names = []
    for s3 in (engine_s3, moto_s3):
        name = bucket(s3)
        for key in KEYS:
            s3.put_object(Bucket=name, Key=key, Body=key.encode())
        names.append(name)
    # When they are listed whole, by prefix, by folder, two at a time, and after a key
    cases: list[dict[str, Any]] = [
        {},
        {"Prefix": "feeds/"},
        {"Prefix": "feeds/", "Delimiter": "/"},
        {"Delimiter": "/"},
        {"Prefix": "feeds/", "Delimiter": "/", "PaginationConfig": {"PageSize": 2}},
        {"PaginationConfig": {"PageSize": 3}},
        {"StartAfter": "feeds/country/GT.xml"},
        {"Prefix": "nothing/"},
    ]
    # Then every listing agrees with moto's: keys in byte order, common prefixes, page count
    for case in cases:
        ours = listing(engine_s3, Bucket=names[0], **case)
        theirs = listing(moto_s3, Bucket=names[1], **case)
        assert ours == theirs, case
    keys, prefixes, pages = listing(engine_s3, Bucket=names[0], Prefix="feeds/", Delimiter="/",
                                    PaginationConfig={"PageSize": 2})  # fmt: skip
    assert prefixes == ["feeds/country/", "feeds/topic/"]
    assert pages == 3  # six entries, two a page
    assert keys == sorted(keys, key=str.encode)


def test_a_listing_reads_only_its_page(engine_s3: Any) -> None:
    # Given 120 objects in a folder and 1 elsewhere
    name = bucket(engine_s3)
    for index in range(120):
        engine_s3.put_object(Bucket=name, Key=f"feeds/country/{index:04d}.xml", Body=b"x")
    engine_s3.put_object(Bucket=name, Key="feeds/all.xml", Body=b"x")
    # When the top folder is listed with a delimiter, one key a page
    keys, prefixes, pages = listing(engine_s3, Bucket=name, Prefix="feeds/", Delimiter="/",
                                    PaginationConfig={"PageSize": 1})  # fmt: skip
    # Then the 120 objects under country/ are one common prefix, and it takes two pages, not 121
    assert (keys, prefixes, pages) == (["feeds/all.xml"], ["feeds/country/"], 2)


def test_delete_and_delete_objects(engine_s3: Any) -> None:
    name = bucket(engine_s3)
    for key in ("a", "b", "c"):
        engine_s3.put_object(Bucket=name, Key=key, Body=b"x")
    engine_s3.delete_object(Bucket=name, Key="a")
    deleted = engine_s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "b"}, {"Key": "nothing"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["b", "nothing"]
    assert listing(engine_s3, Bucket=name)[0] == ["c"]
    assert error_of(lambda: engine_s3.delete_bucket(Bucket=name)) == ("BucketNotEmpty", 409)
    engine_s3.delete_object(Bucket=name, Key="c")
    engine_s3.delete_bucket(Bucket=name)  # empty: moto deletes it
    assert error_of(lambda: engine_s3.get_object(Bucket=name, Key="c"))[0] == "NoSuchBucket"


def test_copy_keeps_or_replaces_metadata(engine_s3: Any) -> None:
    name = bucket(engine_s3)
    engine_s3.put_object(Bucket=name, Key="src", Body=b"data", ContentType="text/plain", Metadata={"a": "1"})
    engine_s3.copy_object(Bucket=name, Key="kept", CopySource={"Bucket": name, "Key": "src"})
    engine_s3.copy_object(
        Bucket=name,
        Key="replaced",
        CopySource=f"{name}/src",
        MetadataDirective="REPLACE",
        ContentType="application/json",
        Metadata={"b": "2"},
    )
    kept, replaced = (engine_s3.get_object(Bucket=name, Key=k) for k in ("kept", "replaced"))
    assert (kept["Body"].read(), kept["ContentType"], kept["Metadata"]) == (b"data", "text/plain", {"a": "1"})
    assert (replaced["ContentType"], replaced["Metadata"]) == ("application/json", {"b": "2"})


def test_a_versioned_bucket_keeps_only_the_current_version(engine_s3: Any, tmp_path: Path) -> None:
    # Given a versioned bucket whose feed is rewritten three times
    name = bucket(engine_s3, versioned=True)
    versions = [
        engine_s3.put_object(Bucket=name, Key="f", Body=str(i).encode())["VersionId"] for i in range(3)
    ]
    # Then each write has its version id, the current one reads, an older one is gone (by design)
    assert len(set(versions)) == 3
    assert engine_s3.get_object(Bucket=name, Key="f", VersionId=versions[-1])["Body"].read() == b"2"
    assert (
        error_of(lambda: engine_s3.get_object(Bucket=name, Key="f", VersionId=versions[0]))[0]
        == "NoSuchVersion"
    )
    listed = engine_s3.list_object_versions(Bucket=name)["Versions"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed] == [("f", versions[-1], True)]
    # And only one file is on disk for it
    assert len([p for p in (tmp_path / "s3" / name).rglob("*") if p.is_file()]) == 1


def test_objects_survive_a_restart(tmp_path: Path) -> None:
    # Given a feed put on an engine that is then stopped
    with serving(S3Engine(tmp_path)) as endpoint:
        s3 = client(endpoint, "s3")
        name = bucket(s3)
        etag = s3.put_object(Bucket=name, Key="feeds/all.xml", Body=FEED, ContentType="application/rss+xml")[
            "ETag"
        ]
    # When a new engine opens the same folder (the stack's builder creates the bucket in moto again)
    with serving(S3Engine(tmp_path)) as endpoint:
        s3 = client(endpoint, "s3")
        got = s3.get_object(Bucket=name, Key="feeds/all.xml")
        # Then the object, its type and its ETag are there, and listed
        assert (got["Body"].read(), got["ContentType"], got["ETag"]) == (FEED, "application/rss+xml", etag)
        assert listing(s3, Bucket=name)[0] == ["feeds/all.xml"]


def test_concurrent_writers_and_readers_never_see_a_torn_object(engine_s3: Any, tmp_path: Path) -> None:
    # Given a feed rewritten by 4 threads while 4 threads read it
    name = bucket(engine_s3)
    bodies = [bytes([65 + i]) * 5000 for i in range(4)]
    engine_s3.put_object(Bucket=name, Key="f", Body=bodies[0])
    etags = {f'"{hashlib.md5(b, usedforsecurity=False).hexdigest()}"': b for b in bodies}
    problems: list[str] = []

    def write(body: bytes) -> None:
        for _ in range(20):
            engine_s3.put_object(Bucket=name, Key="f", Body=body)

    def read() -> None:
        for _ in range(20):
            got = engine_s3.get_object(Bucket=name, Key="f")
            data = got["Body"].read()
            if etags.get(got["ETag"]) != data:
                problems.append(got["ETag"])

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies] + [
        threading.Thread(target=read) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every read got one whole body with its own ETag, and one file is left
    assert problems == []
    assert engine_s3.get_object(Bucket=name, Key="f")["Body"].read() in bodies
    assert len([p for p in (tmp_path / "s3" / name).rglob("*") if p.is_file()]) == 1
