"""S3 objects on disk under the state folder: the feeds bucket survives a restart.

REST-XML, path-style requests (`/<bucket>/<key>`, as boto3 sends them to an IP endpoint). Each object
is a file under `s3/<bucket>/`, written to a temporary file, fsynced and renamed, then its metadata
(ETag, size, headers, user metadata) is committed in `s3/objects.sqlite3`, indexed by (bucket, key)
so a list page reads only its own rows. Buckets themselves (creation, versioning, encryption, policy,
public access block...) stay in moto, in the same process; this engine asks moto which exist, and the
resource builder creates the template's again on each start.

Deliberate difference: a versioned bucket keeps only the current version of each object (storage stays
bounded); its version id is returned, and an older one is NoSuchVersion. Multipart uploads, object
tagging, ACLs and the other object sub-resources are answered NotImplemented rather than left to moto
(they would split an object's state between two stores).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from werkzeug.wrappers import Request, Response

from devstack.aws.durable import ACCOUNT_ID, Database, write_atomically
from devstack.http_dates import parse_http_date

__all__ = ["S3Engine"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL,
    key BLOB NOT NULL,
    file TEXT NOT NULL,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    version_id TEXT,
    headers TEXT NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
"""
_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# Headers stored with an object and returned by GetObject/HeadObject as they were put.
_STORED_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Content-Encoding",
    "Content-Disposition",
    "Content-Language",
    "Expires",
    "x-amz-website-redirect-location",
    "x-amz-storage-class",
    "x-amz-server-side-encryption",
)
_RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
}
# Object sub-resources this engine does not emulate (see the module's docstring).
_UNSUPPORTED_OBJECT_QUERIES = {
    "uploads", "uploadId", "partNumber", "tagging", "acl", "retention", "legal-hold", "attributes",
    "restore", "torrent", "select",
}  # fmt: skip
_LIST_QUERIES = {
    "list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after", "encoding-type",
    "fetch-owner", "marker", "versions", "key-marker", "version-id-marker",
}  # fmt: skip


class _Error(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def _no_such_key(key: str) -> _Error:
    return _Error(404, "NoSuchKey", "The specified key does not exist.", Key=key)


def _failed_precondition() -> _Error:
    return _Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")


def _http_date(seconds: int) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_http_date(value: str | None) -> float | None:
    parsed = parse_http_date(value)
    return None if parsed is None else parsed.timestamp()


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def _after(prefix: bytes) -> bytes:
    """The smallest byte string greater than every string that starts with `prefix`."""
    stripped = prefix.rstrip(b"\xff")
    return stripped[:-1] + bytes([stripped[-1] + 1]) if stripped else b"\xff" * (len(prefix) + 1)


class S3Engine:
    """Object operations of S3, committed (bytes and metadata) before each answer."""

    def __init__(self, directory: Path, buckets: Any = None) -> None:
        self.directory = Path(directory)
        self.db = Database(self.directory / "objects.sqlite3", _SCHEMA)
        self._buckets = buckets  # name -> moto bucket; None: moto's S3 backend of the local account

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ routing
    def _bucket(self, name: str) -> Any:
        buckets = self._buckets
        if buckets is None:
            from moto.s3.models import s3_backends

            buckets = s3_backends[ACCOUNT_ID]["aws"].buckets
        return buckets.get(name)

    @staticmethod
    def _split(request: Request) -> tuple[str, str]:
        bucket, _, key = request.path.lstrip("/").partition("/")
        return bucket, key

    def handles(self, service: str, request: Request) -> bool:
        if service != "s3":
            return False
        bucket, key = self._split(request)
        if not bucket:
            return False  # ListBuckets
        queries = set(request.args)
        method = request.method
        if key:
            return True
        if method == "GET":
            return queries <= _LIST_QUERIES
        if method == "POST":
            return queries == {"delete"}
        if method == "DELETE" and not queries:
            return self._has_objects(bucket)  # moto deletes an empty bucket; a full one is refused here
        return False

    def handle(self, request: Request) -> Response:
        bucket, key = self._split(request)
        try:
            if self._bucket(bucket) is None:
                raise _Error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket)
            method = request.method
            if not key:
                if method == "GET" and "versions" in request.args:
                    return self._list(bucket, request, versions=True)
                if method == "GET":
                    return self._list(bucket, request)
                if method == "POST":
                    return self._delete_objects(bucket, request)
                raise _Error(
                    409, "BucketNotEmpty", "The bucket you tried to delete is not empty", BucketName=bucket
                )
            unsupported = set(request.args) & _UNSUPPORTED_OBJECT_QUERIES
            if unsupported:
                raise _Error(
                    501, "NotImplemented", f"The local stack's S3 does not emulate ?{min(unsupported)}."
                )
            if method == "PUT" and "x-amz-copy-source" in request.headers:
                return self._copy(bucket, key, request)
            if method == "PUT":
                return self._put(bucket, key, request)
            if method in ("GET", "HEAD"):
                return self._get(bucket, key, request)
            if method == "DELETE":
                return self._delete(bucket, key)
            raise _Error(
                405, "MethodNotAllowed", "The specified method is not allowed against this resource."
            )
        except _Error as error:
            return self._error(error, head=request.method == "HEAD")

    @staticmethod
    def _error(error: _Error, *, head: bool = False) -> Response:
        request_id = uuid.uuid4().hex.upper()
        if head:  # S3 answers HEAD errors with no body
            return Response(b"", status=error.status, headers={"x-amz-request-id": request_id})
        extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in error.extra.items())
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{error.code}</Code>'
            f"<Message>{escape(error.message)}</Message>{extra}<RequestId>{request_id}</RequestId></Error>"
        )
        return Response(body, status=error.status, content_type="application/xml",
                        headers={"x-amz-request-id": request_id})  # fmt: skip

    # ------------------------------------------------------------------ storage
    def _row(self, bucket: str, key: str) -> Any:
        return self.db.one("SELECT * FROM objects WHERE bucket = ? AND key = ?", (bucket, key.encode()))

    def _has_objects(self, bucket: str) -> bool:
        return self.db.one("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", (bucket,)) is not None

    def _path(self, bucket: str, file: str) -> Path:
        return self.directory / bucket / file[:2] / file

    def _store(
        self, bucket: str, key: str, data: bytes, headers: dict[str, str], metadata: dict[str, str],
        condition: Any = None,
    ) -> Any:  # fmt: skip
        """Write the bytes to a new file, then commit its row (replacing, and removing, the previous
        file); `condition(old_row)` runs inside the transaction and may raise."""
        file = f"{hashlib.sha256(f'{bucket}/{key}'.encode()).hexdigest()[:40]}-{uuid.uuid4().hex[:12]}"
        path = self._path(bucket, file)
        write_atomically(path, data)
        etag = f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"'
        versioned = getattr(self._bucket(bucket), "versioning_status", None) == "Enabled"
        version_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=") if versioned else None
        try:
            with self.db.transaction() as connection:
                old = connection.execute(
                    "SELECT * FROM objects WHERE bucket = ? AND key = ?", (bucket, key.encode())
                ).fetchone()
                if condition is not None:
                    condition(old)
                connection.execute(
                    "INSERT OR REPLACE INTO objects (bucket, key, file, etag, size, modified, version_id,"
                    " headers, metadata) VALUES (?,?,?,?,?,?,?,?,?)",
                    (bucket, key.encode(), file, etag, len(data), int(time.time()), version_id,
                     json.dumps(headers), json.dumps(metadata)),
                )  # fmt: skip
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if old is not None:
            self._path(bucket, old["file"]).unlink(missing_ok=True)
        return self._row(bucket, key)

    def _read(self, bucket: str, key: str) -> tuple[Any, bytes]:
        for _ in range(5):  # a concurrent put may remove the file between the row and the read
            row = self._row(bucket, key)
            if row is None:
                raise _no_such_key(key)
            try:
                return row, self._path(bucket, row["file"]).read_bytes()
            except FileNotFoundError:
                continue
        raise _Error(503, "SlowDown", "Please reduce your request rate.")

    # ------------------------------------------------------------------ objects
    @staticmethod
    def _object_headers(row: Any) -> dict[str, str]:
        headers = {
            "ETag": row["etag"],
            "Last-Modified": _http_date(row["modified"]),
            "Accept-Ranges": "bytes",
            **json.loads(row["headers"]),
        }
        headers.setdefault("Content-Type", "binary/octet-stream")
        for name, value in json.loads(row["metadata"]).items():
            headers[f"x-amz-meta-{name}"] = value
        if row["version_id"]:
            headers["x-amz-version-id"] = row["version_id"]
        return headers

    def _put(self, bucket: str, key: str, request: Request) -> Response:
        data = request.get_data()
        md5 = request.headers.get("Content-MD5")
        if md5 and base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode() != md5:
            raise _Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        headers = {name: request.headers[name] for name in _STORED_HEADERS if request.headers.get(name)}
        for name, value in request.headers.items():
            if name.lower().startswith("x-amz-checksum-") and name.lower() != "x-amz-checksum-type":
                headers[name.lower()] = value
        metadata = {
            name.lower()[len("x-amz-meta-") :]: value
            for name, value in request.headers.items()
            if name.lower().startswith("x-amz-meta-")
        }
        if_none_match = request.headers.get("If-None-Match")
        if_match = request.headers.get("If-Match")

        def condition(old: Any) -> None:
            if if_none_match is not None and if_none_match.strip() == "*" and old is not None:
                raise _failed_precondition()
            if if_match is not None:
                if old is None:
                    raise _no_such_key(key)
                if if_match.strip() != "*" and old["etag"] not in _etags(if_match):
                    raise _failed_precondition()

        row = self._store(bucket, key, data, headers, metadata, condition)
        answer = {"ETag": row["etag"]}
        answer.update({k: v for k, v in headers.items() if k.startswith("x-amz-checksum-")})
        if row["version_id"]:
            answer["x-amz-version-id"] = row["version_id"]
        return Response(b"", status=200, headers=answer)

    def _get(self, bucket: str, key: str, request: Request) -> Response:
        row, data = self._read(bucket, key)
        version = request.args.get("versionId")
        if version is not None and version not in (
            row["version_id"],
            "null" if not row["version_id"] else None,
        ):
            raise _Error(
                404, "NoSuchVersion", "The specified version does not exist.", Key=key, VersionId=version
            )
        headers = self._object_headers(row)
        checksums = {k: headers.pop(k) for k in list(headers) if k.startswith("x-amz-checksum-")}
        status = self._precondition(request, row)
        if status == 304:
            kept = ("ETag", "Last-Modified", "Cache-Control", "Expires", "x-amz-version-id")
            return Response(b"", status=304, headers={k: v for k, v in headers.items() if k in kept})
        for parameter, header in _RESPONSE_OVERRIDES.items():
            if request.args.get(parameter):
                headers[header] = request.args[parameter]
        body, status = data, 200
        byte_range = self._range(request.headers.get("Range"), len(data))
        if byte_range is not None:
            start, end = byte_range
            body, status = data[start : end + 1], 206
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
        elif request.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED" and checksums:
            headers.update(checksums)
            headers["x-amz-checksum-type"] = "FULL_OBJECT"
        content_type = headers.pop("Content-Type")
        if request.method == "HEAD":
            response = Response(b"", status=status, headers=headers, content_type=content_type)
            response.headers["Content-Length"] = str(len(body))
            response.automatically_set_content_length = False
            return response
        return Response(body, status=status, headers=headers, content_type=content_type)

    @staticmethod
    def _precondition(request: Request, row: Any) -> int:
        """S3's order: If-Match, else If-Unmodified-Since (412); If-None-Match, else If-Modified-Since
        (304). 200: none stops the read."""
        etag, modified = row["etag"], row["modified"]
        if_match = request.headers.get("If-Match")
        if if_match is not None:
            if if_match.strip() != "*" and etag not in _etags(if_match):
                raise _failed_precondition()
        else:
            since = _parse_http_date(request.headers.get("If-Unmodified-Since"))
            if since is not None and modified > since:
                raise _failed_precondition()
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            if if_none_match.strip() == "*" or etag in _etags(if_none_match):
                return 304
        else:
            since = _parse_http_date(request.headers.get("If-Modified-Since"))
            if since is not None and modified <= since:
                return 304
        return 200

    @staticmethod
    def _range(header: str | None, size: int) -> tuple[int, int] | None:
        if not header or not header.startswith("bytes=") or "," in header:
            return None
        first, _, last = header[len("bytes=") :].strip().partition("-")
        try:
            if first == "":
                length = int(last)
                start, end = max(0, size - length), size - 1
            else:
                start, end = int(first), min(int(last), size - 1) if last else size - 1
        except ValueError:
            return None
        if start >= size or start > end:
            raise _Error(416, "InvalidRange", "The requested range is not satisfiable", RangeRequested=header)
        return start, end

    def _delete(self, bucket: str, key: str) -> Response:
        with self.db.transaction() as connection:
            old = connection.execute(
                "SELECT file FROM objects WHERE bucket = ? AND key = ?", (bucket, key.encode())
            ).fetchone()
            connection.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key.encode()))
        if old is not None:
            self._path(bucket, old["file"]).unlink(missing_ok=True)
        return Response(b"", status=204)

    def _delete_objects(self, bucket: str, request: Request) -> Response:
        try:
            document = ElementTree.fromstring(request.get_data())  # noqa: S314 - boto3's own request
        except ElementTree.ParseError as error:
            raise _Error(400, "MalformedXML", "The XML you provided was not well-formed.") from error
        keys = [(element.text or "") for element in document.iter() if element.tag.endswith("Key")]
        quiet = any((e.text or "").lower() == "true" for e in document.iter() if e.tag.endswith("Quiet"))
        for key in keys:
            self._delete(bucket, key)
        deleted = "" if quiet else "".join(f"<Deleted><Key>{escape(k)}</Key></Deleted>" for k in keys)
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="{_NS}">{deleted}</DeleteResult>'
        return Response(body, status=200, content_type="application/xml")

    def _copy(self, bucket: str, key: str, request: Request) -> Response:
        source = unquote(request.headers["x-amz-copy-source"]).lstrip("/")
        source, _, query = source.partition("?")
        source_bucket, _, source_key = source.partition("/")
        if self._bucket(source_bucket) is None:
            raise _Error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=source_bucket)
        row, data = self._read(source_bucket, source_key)
        if query.startswith("versionId=") and query[len("versionId=") :] != (row["version_id"] or "null"):
            raise _Error(404, "NoSuchVersion", "The specified version does not exist.")
        for header, test in (
            ("x-amz-copy-source-if-match", lambda v: row["etag"] in _etags(v)),
            ("x-amz-copy-source-if-none-match", lambda v: row["etag"] not in _etags(v)),
            ("x-amz-copy-source-if-modified-since", lambda v: row["modified"] > (_parse_http_date(v) or 0)),
            (
                "x-amz-copy-source-if-unmodified-since",
                lambda v: row["modified"] <= (_parse_http_date(v) or 0),
            ),
        ):
            value = request.headers.get(header)
            if value is not None and not test(value):
                raise _failed_precondition()
        if request.headers.get("x-amz-metadata-directive", "COPY").upper() == "REPLACE":
            headers = {name: request.headers[name] for name in _STORED_HEADERS if request.headers.get(name)}
            metadata = {
                name.lower()[len("x-amz-meta-") :]: value
                for name, value in request.headers.items()
                if name.lower().startswith("x-amz-meta-")
            }
        else:
            if (source_bucket, source_key) == (bucket, key):
                raise _Error(
                    400,
                    "InvalidRequest",
                    "This copy request is illegal because it is trying to copy an object to itself without"
                    " changing the object's metadata, storage class, website redirect location or encryption"
                    " attributes.",
                )
            headers, metadata = json.loads(row["headers"]), json.loads(row["metadata"])
        copied = self._store(bucket, key, data, headers, metadata)
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="{_NS}">'
            f"<LastModified>{_iso(copied['modified'])}</LastModified><ETag>{escape(copied['etag'])}</ETag>"
            "</CopyObjectResult>"
        )
        answer = {"x-amz-version-id": copied["version_id"]} if copied["version_id"] else {}
        return Response(body, status=200, content_type="application/xml", headers=answer)

    # ------------------------------------------------------------------ listing
    def _page(
        self, bucket: str, prefix: bytes, start: bytes, delimiter: bytes, limit: int
    ) -> tuple[list[Any], list[bytes], bytes | None]:
        """Up to `limit` keys and common prefixes from `start` (inclusive) under `prefix`, and where the
        next page starts (None: no more). Reads only the rows of the page, plus one per common prefix."""
        rows: list[Any] = []
        prefixes: list[bytes] = []
        end = _after(prefix) if prefix else None
        cursor = max(start, prefix)
        while len(rows) + len(prefixes) < limit:
            wanted = limit - len(rows) - len(prefixes) + 1
            batch = self.db.query(
                "SELECT * FROM objects WHERE bucket = ? AND key >= ?"  # noqa: S608 - fixed clauses
                + (" AND key < ?" if end is not None else "")
                + " ORDER BY key LIMIT ?",
                (bucket, cursor, *((end,) if end is not None else ()), wanted),
            )
            if not batch:
                return rows, prefixes, None
            for row in batch:
                key: bytes = row["key"]
                cut = key.find(delimiter, len(prefix)) if delimiter else -1
                if len(rows) + len(prefixes) == limit:
                    return rows, prefixes, (key if cut < 0 else key[: cut + len(delimiter)])
                if cut >= 0:
                    common = key[: cut + len(delimiter)]
                    prefixes.append(common)
                    cursor = _after(common)
                    break
                rows.append(row)
                cursor = key + b"\x00"
            else:
                if len(batch) < wanted:
                    return rows, prefixes, None
        following = self.db.one(
            "SELECT key FROM objects WHERE bucket = ? AND key >= ?"  # noqa: S608 - fixed clauses
            + (" AND key < ?" if end is not None else "")
            + " LIMIT 1",
            (bucket, cursor, *((end,) if end is not None else ())),
        )
        return rows, prefixes, (cursor if following is not None else None)

    def _list(self, bucket: str, request: Request, *, versions: bool = False) -> Response:
        args = request.args
        v2 = args.get("list-type") == "2"
        encode = args.get("encoding-type") == "url"

        def text(value: str) -> str:
            return escape(quote(value, safe="/~") if encode else value)

        try:
            limit = max(0, min(1000, int(args.get("max-keys", 1000))))
        except ValueError as error:
            raise _Error(400, "InvalidArgument", "max-keys must be an integer.") from error
        prefix = args.get("prefix", "")
        delimiter = args.get("delimiter", "")
        start = b""
        if v2 and args.get("continuation-token"):
            try:
                start = base64.urlsafe_b64decode(args["continuation-token"].encode())
            except ValueError as error:
                raise _Error(
                    400, "InvalidArgument", "The continuation token provided is incorrect"
                ) from error
        elif v2 and args.get("start-after"):
            start = args["start-after"].encode() + b"\x00"
        elif not v2 and args.get("key-marker" if versions else "marker"):
            start = args["key-marker" if versions else "marker"].encode() + b"\x00"
        rows, prefixes, following = (
            self._page(bucket, prefix.encode(), start, delimiter.encode(), limit) if limit else ([], [], None)
        )
        parts = [f"<Name>{escape(bucket)}</Name>", f"<Prefix>{text(prefix)}</Prefix>"]
        if delimiter:
            parts.append(f"<Delimiter>{text(delimiter)}</Delimiter>")
        parts.append(f"<MaxKeys>{limit}</MaxKeys>")
        if encode:
            parts.append("<EncodingType>url</EncodingType>")
        parts.append(f"<IsTruncated>{'true' if following is not None else 'false'}</IsTruncated>")
        if v2:
            parts.append(f"<KeyCount>{len(rows) + len(prefixes)}</KeyCount>")
            if args.get("continuation-token"):
                parts.append(f"<ContinuationToken>{escape(args['continuation-token'])}</ContinuationToken>")
            if args.get("start-after"):
                parts.append(f"<StartAfter>{text(args['start-after'])}</StartAfter>")
            if following is not None:
                token = base64.urlsafe_b64encode(following).decode()
                parts.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        else:
            marker = args.get("key-marker" if versions else "marker", "")
            marker_tag = "KeyMarker" if versions else "Marker"
            parts.append(f"<{marker_tag}>{text(marker)}</{marker_tag}>")
            last = max([r["key"] for r in rows] + prefixes, default=None)
            if following is not None and last is not None and (delimiter or versions):
                tag = "NextKeyMarker" if versions else "NextMarker"
                parts.append(f"<{tag}>{text(last.decode())}</{tag}>")
        for row in rows:
            key = row["key"].decode()
            common = (
                f"<Key>{text(key)}</Key><LastModified>{_iso(row['modified'])}</LastModified>"
                f"<ETag>{escape(row['etag'])}</ETag><Size>{row['size']}</Size>"
            )
            if versions:
                parts.append(
                    f"<Version>{common}<VersionId>{row['version_id'] or 'null'}</VersionId>"
                    "<IsLatest>true</IsLatest><StorageClass>STANDARD</StorageClass></Version>"
                )
            else:
                algorithms = "".join(
                    f"<ChecksumAlgorithm>{name[len('x-amz-checksum-') :].upper()}</ChecksumAlgorithm>"
                    for name in json.loads(row["headers"])
                    if name.startswith("x-amz-checksum-")
                )
                parts.append(
                    f"<Contents>{common}{algorithms}<StorageClass>STANDARD</StorageClass></Contents>"
                )
        parts.extend(
            f"<CommonPrefixes><Prefix>{text(p.decode())}</Prefix></CommonPrefixes>" for p in prefixes
        )
        root = "ListVersionsResult" if versions else "ListBucketResult"
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{_NS}">{"".join(parts)}</{root}>'
        return Response(body, status=200, content_type="application/xml")
