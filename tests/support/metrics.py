"""Reading the CloudWatch EMF documents functions print (Powertools Metrics), as CloudWatch Logs would."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any


def emf_records(output: str) -> list[dict[str, Any]]:
    """The EMF documents among the output lines (Powertools prints one JSON object per flush)."""
    records = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        document = json.loads(line)
        if isinstance(document, dict) and "_aws" in document:
            records.append(document)
    return records


def totals(records: list[dict[str, Any]]) -> Counter[str]:
    summed: Counter[str] = Counter()
    for record in records:
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                summed[metric["Name"]] += int(sum(value) if isinstance(value, list) else value)
    return summed
