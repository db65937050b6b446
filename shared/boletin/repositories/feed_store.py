"""The feeds bucket: static feed documents under feeds/, served through CloudFront."""

from __future__ import annotations

from typing import Any

from boletin.aws import LazyClient
from boletin.repositories.dynamo import error_code

FEEDS_PREFIX = "feeds/"
SITE_PREFIX = "site/"  # the public pages, served by the same distribution at the site's root
CACHE_CONTROL = "public, max-age=60"


class FeedStore:
    client = LazyClient("s3")

    def __init__(self, bucket: str, client: Any = None, *, prefix: str = FEEDS_PREFIX) -> None:
        self._bucket = bucket
        self.client = client
        self._prefix = prefix

    def put(self, path: str, body: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self._bucket,
            Key=self._prefix + path,
            Body=body,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )

    def get(self, path: str) -> bytes | None:
        try:
            response = self.client.get_object(Bucket=self._bucket, Key=self._prefix + path)
        except Exception as error:
            if error_code(error) in ("NoSuchKey", "404"):
                return None
            raise
        body: bytes = response["Body"].read()
        return body
