"""DynamoDB for the local runtime: moto's DynamoDB server on 127.0.0.1, and the parallel-segment scan
with which the `awsglue` stand-in reads a table the way Glue 5.1's scan reader does.

Glue's reader is a JVM connector that cannot be pointed at an endpoint here, so the stand-in scans
through boto3 instead, honouring the same options: `dynamodb.splits` parallel scan segments (one
thread each, as Glue runs one task per split), and `dynamodb.throughput.read.percent` as a share of
a provisioned table's read capacity that the segments together stay under, paced by the capacity
DynamoDB reports per page. On-demand tables have no capacity to share: then the share is not a limit
(on AWS too, Glue assumes 40,000 RCU for them). GLUE_LOCAL_DYNAMODB_URL names the endpoint (default
http://127.0.0.1:8000); `ensure_server` starts moto's server there when nothing answers.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlparse

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_DYNAMODB_URL = "http://127.0.0.1:8000"
_servers: dict[str, object] = {}
_lock = threading.Lock()


class DynamoDbError(RuntimeError):
    """A DynamoDB table cannot be read; the message says which and what to check."""


def endpoint() -> str:
    return os.environ.get("GLUE_LOCAL_DYNAMODB_URL", DEFAULT_DYNAMODB_URL)


def client(url: str | None = None):
    """A DynamoDB client for the local endpoint. moto takes any credentials: local ones are used when
    the environment has none, so a developer's real AWS credentials are never needed or sent."""
    return boto3.client("dynamodb", endpoint_url=url or endpoint(),
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
                        config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2}))


def is_reachable(url: str | None = None) -> bool:
    try:
        client(url).list_tables(Limit=1)
        return True
    except (BotoCoreError, ClientError):
        return False


def ensure_server(url: str | None = None) -> str:
    """Start moto's DynamoDB server at the endpoint (a 127.0.0.1 address) unless something answers."""
    url = url or endpoint()
    with _lock:
        if url in _servers or is_reachable(url):
            return url
        address = urlparse(url)
        if address.hostname not in ("127.0.0.1", "localhost"):
            raise DynamoDbError(f"no DynamoDB endpoint answers at {url}, and only a 127.0.0.1 one can be started here")
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        server = ThreadedMotoServer(ip_address=address.hostname, port=address.port or 80, verbose=False)
        server.start()
        _servers[url] = server
    return url


def stop_servers() -> None:
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()


def _plain(value):
    """A deserialized DynamoDB value as JSON-ready Python: numbers as int or float, sets as lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode()
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def scan(table: str, splits: int, read_percent: float, url: str | None = None) -> list[dict]:
    """Every item of a table, by `splits` parallel scan segments, within `read_percent` of its read capacity."""
    dynamodb = client(url)
    try:
        description = dynamodb.describe_table(TableName=table)["Table"]
    except ClientError as error:
        raise DynamoDbError(f"cannot read DynamoDB table {table} at {url or endpoint()}: "
                            f"{error.response['Error'].get('Message', error)}. Check source.table and that the "
                            f"table exists in this account and region") from error
    except BotoCoreError as error:
        raise DynamoDbError(f"cannot read DynamoDB table {table}: no DynamoDB answers at {url or endpoint()} "
                            f"({error}). Check GLUE_LOCAL_DYNAMODB_URL (locally) or the jobs' DynamoDB "
                            f"VPC endpoint (on AWS)") from error
    capacity = description.get("ProvisionedThroughput", {}).get("ReadCapacityUnits") or 0
    per_segment = capacity * read_percent / splits if capacity else None
    deserializer = TypeDeserializer()

    def segment(number: int) -> list[dict]:
        items, start_key = [], None
        while True:
            started = time.monotonic()
            request = {"TableName": table, "Segment": number, "TotalSegments": splits,
                       "ReturnConsumedCapacity": "TOTAL"}
            if start_key:
                request["ExclusiveStartKey"] = start_key
            page = dynamodb.scan(**request)
            items += [{k: _plain(deserializer.deserialize(v)) for k, v in item.items()} for item in page["Items"]]
            consumed = page.get("ConsumedCapacity", {}).get("CapacityUnits", 0)
            if per_segment and consumed:
                # Stay under this segment's share: a page of `consumed` units may take consumed/share seconds.
                time.sleep(max(0.0, consumed / per_segment - (time.monotonic() - started)))
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return items

    with ThreadPoolExecutor(max_workers=min(splits, 32)) as pool:
        return [item for part in pool.map(segment, range(splits)) for item in part]
