"""DynamoDB for the local runtime: moto's DynamoDB server on 127.0.0.1, the parallel-segment scan with
which the `awsglue` stand-in reads a table the way Glue 5.1's scan reader does, and the point-in-time
export with which it reads a table the way Glue's export connector does.

Glue's reader is a JVM connector that cannot be pointed at an endpoint here, so the stand-in scans
through boto3 instead, honouring the same options: `dynamodb.splits` parallel scan segments (one
thread each, as Glue runs one task per split), and `dynamodb.throughput.read.percent` as a share of
a provisioned table's read capacity that the segments together stay under, paced by the capacity
DynamoDB reports per page. On-demand tables have no capacity to share: then the share is not a limit
(on AWS too, Glue assumes 40,000 RCU for them). GLUE_LOCAL_DYNAMODB_URL names the endpoint (default
http://127.0.0.1:8900); `ensure_server` starts moto's server there when nothing answers, in this
process; `start_detached` starts it as a process of its own that outlives the caller (`make demo`).

The export connector (`dynamodb.export`: `ddb` asks DynamoDB for a new ExportTableToPointInTime into
`dynamodb.s3.bucket`/`dynamodb.s3.prefix`, `s3` reads a past export there;
https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-connect-dynamodb-home.html) is
emulated against the same server: moto serves S3 beside DynamoDB, writes the export's gzipped
DynamoDB JSON files into its S3 (`<prefix>/AWSDynamoDB/<export id>/data/`, one `{"Item": ...}` per
line, as DynamoDB does: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html),
and `export_items` reads them back from there. So the export path needs moto's server (DynamoDB
Local has no S3), and the table needs point-in-time recovery enabled, as on AWS.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# A fixed port that is rarely taken (8000, DynamoDB Local's, often is); GLUE_LOCAL_DYNAMODB_URL names another.
DEFAULT_DYNAMODB_URL = "http://127.0.0.1:8900"
_servers: dict[str, object] = {}
_lock = threading.Lock()


class DynamoDbError(RuntimeError):
    """A DynamoDB table cannot be read; the message says which and what to check."""


def endpoint() -> str:
    return os.environ.get("GLUE_LOCAL_DYNAMODB_URL", DEFAULT_DYNAMODB_URL)


def client(url: str | None = None, service: str = "dynamodb"):
    """A DynamoDB client for the local endpoint (or, with service="s3", moto's S3 there: one moto server
    answers for every service). moto takes any credentials: local ones are used when the environment has
    none, so a developer's real AWS credentials are never needed or sent."""
    return boto3.client(service, endpoint_url=url or endpoint(),
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
                        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
                        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
                        # connect: a server that is not running is known at once (the demo then reads
                        # weather's JSON lines files); read: one page of moto's scan can take minutes
                        # on a loaded laptop or CI machine, and a timeout would fail the extract.
                        config=Config(connect_timeout=3, read_timeout=600, retries={"max_attempts": 2}))


# The variables route_job_clients set, with the values they had before (None: unset), until
# end_job_routing puts them back.
_ROUTED_VARIABLES = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
_before_routing: dict[str, str | None] | None = None


def route_job_clients() -> None:
    """Point a job's own boto3 DynamoDB clients at the local endpoint (boto3's AWS_ENDPOINT_URL_DYNAMODB),
    as a job on Glue reaches DynamoDB with its role: the extract asks DynamoDB for a table's ARN. An
    endpoint the user set is kept; local credentials are used when the environment names none.

    The variables last as long as the job's run, as a Glue job's environment lasts as long as its
    process: `end_job_routing` (called when a local run ends) restores them, so nothing the process
    does afterwards (the demo, other tests, `etl-glue`) is sent to the local endpoint."""
    global _before_routing
    if _before_routing is None:
        _before_routing = {name: os.environ.get(name) for name in _ROUTED_VARIABLES}
    if _before_routing["AWS_ENDPOINT_URL_DYNAMODB"] is None:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    if not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
        os.environ["AWS_ACCESS_KEY_ID"] = os.environ["AWS_SECRET_ACCESS_KEY"] = "local"


def end_job_routing() -> None:
    """Give the process back the AWS variables route_job_clients found (a no-op when none were set)."""
    global _before_routing
    for name, value in (_before_routing or {}).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _before_routing = None


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


def start_detached(state_dir: Path, url: str | None = None, wait_seconds: float = 20.0) -> str:
    """Start moto's server at the endpoint as a process of its own, which keeps its tables after the
    caller ends (the next `make demo` finds them), unless something answers there already. Its pid and
    log go to state_dir; `stop_detached` ends it. Raises DynamoDbError saying why it could not start."""
    url = url or endpoint()
    if is_reachable(url):
        return url
    address = urlparse(url)
    if address.hostname not in ("127.0.0.1", "localhost") or not address.port:
        raise DynamoDbError(f"no DynamoDB endpoint answers at {url}, and only a 127.0.0.1:<port> one can be started here")
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / "moto-server.log"
    with open(log, "ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", address.hostname, "-p", str(address.port)],
                                   stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    waited = 0.0
    while not is_reachable(url):
        if process.poll() is not None or waited > wait_seconds:
            if process.poll() is None:
                process.terminate()
            last = (log.read_text(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise DynamoDbError(f"moto's server did not start at {url} ({last}; log {log})")
        time.sleep(0.25)
        waited += 0.25
    (state_dir / "moto-server.pid").write_text(f"{process.pid}\n")
    return url


def stop_detached(state_dir: Path) -> int | None:
    """End the server `start_detached` started (its tables go with it); the pid it ended, if any."""
    pid_file = state_dir / "moto-server.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip())
    pid_file.unlink()
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        command = None  # no /proc (macOS): trust the pid file
    if command is not None and "moto.server" not in command:
        return None  # the process ended and its pid was reused: not ours to stop
    try:
        os.kill(pid, signal.SIGTERM)
        # Gone before this returns, so a `make demo` right after starts a fresh server; moto may take
        # seconds to finish a request first, and a server that ignores SIGTERM is killed.
        for _ in range(80):
            time.sleep(0.25)
            os.kill(pid, 0)
            if _ended(pid):
                return pid
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return pid


def _ended(pid: int) -> bool:
    """A process that exited but is not yet reaped by its parent (a zombie) has ended."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


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


def plain_item(item: dict, deserializer: TypeDeserializer | None = None) -> dict:
    """An item in DynamoDB JSON ({"temp": {"N": "39.02"}}) as plain JSON-ready values ({"temp": 39.02})."""
    deserializer = deserializer or TypeDeserializer()
    return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}


def _describe(dynamodb, table: str, url: str | None) -> dict:
    """The table's description, or one line that says why the table cannot be read and what to check."""
    try:
        return dynamodb.describe_table(TableName=table)["Table"]
    except ClientError as error:
        raise DynamoDbError(f"cannot read DynamoDB table {table} at {url or endpoint()}: "
                            f"{error.response['Error'].get('Message', error)}. Check source.table and that the "
                            f"table exists in this account and region") from error
    except BotoCoreError as error:
        raise DynamoDbError(f"cannot read DynamoDB table {table}: no DynamoDB answers at {url or endpoint()} "
                            f"({error}). Check GLUE_LOCAL_DYNAMODB_URL (locally) or the jobs' DynamoDB "
                            f"VPC endpoint (on AWS)") from error


def scan(table: str, splits: int, read_percent: float, url: str | None = None) -> list[dict]:
    """Every item of a table, by `splits` parallel scan segments, within `read_percent` of its read capacity."""
    dynamodb = client(url)
    description = _describe(dynamodb, table, url)
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
            items += [plain_item(item, deserializer) for item in page["Items"]]
            consumed = page.get("ConsumedCapacity", {}).get("CapacityUnits", 0)
            if per_segment and consumed:
                # Stay under this segment's share: a page of `consumed` units may take consumed/share seconds.
                time.sleep(max(0.0, consumed / per_segment - (time.monotonic() - started)))
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                return items

    with ThreadPoolExecutor(max_workers=min(splits, 32)) as pool:
        return [item for part in pool.map(segment, range(splits)) for item in part]


def count_items(table: str, url: str | None = None) -> int:
    """How many items the table holds (a COUNT scan: DescribeTable's ItemCount lags on AWS)."""
    dynamodb, total, start_key = client(url), 0, None
    while True:
        request = {"TableName": table, "Select": "COUNT", **({"ExclusiveStartKey": start_key} if start_key else {})}
        page = dynamodb.scan(**request)
        total += page["Count"]
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return total


def put_items(table: str, items: list[dict], url: str | None = None) -> None:
    """Write items in DynamoDB JSON, 25 per BatchWriteItem, retrying what DynamoDB leaves unprocessed."""
    dynamodb = client(url)
    for start in range(0, len(items), 25):
        requests = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        for attempt in range(10):
            requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            if not requests:
                break
            time.sleep(0.05 * 2 ** attempt)
        if requests:
            raise DynamoDbError(f"DynamoDB table {table} left {len(requests[table])} items unwritten after 10 attempts")


EXPORT_POLL_SECONDS = 0.2
EXPORT_TIMEOUT_SECONDS = float(os.environ.get("GLUE_LOCAL_DYNAMODB_EXPORT_TIMEOUT", 600))


def _export_data_files(s3, bucket: str, prefix: str) -> dict[str, list[str]]:
    """The data files of each export under the prefix: {export folder: [keys]}."""
    root = f"{prefix.strip('/')}/AWSDynamoDB/" if prefix.strip("/") else "AWSDynamoDB/"
    exports: dict[str, list[str]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=root):
        for entry in page.get("Contents", []):
            folder, _, rest = entry["Key"][len(root):].partition("/")
            if rest.startswith("data/") and entry["Key"].endswith(".gz"):
                exports.setdefault(folder, []).append(entry["Key"])
    return exports


def _request_export(dynamodb, s3, table: str, table_arn: str, bucket: str, prefix: str) -> list[str]:
    """ExportTableToPointInTime into bucket/prefix, waited for; the data files it wrote."""
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        # The temp bucket Terraform creates on AWS; moto's S3 starts empty.
        s3.create_bucket(Bucket=bucket)
    before = _export_data_files(s3, bucket, prefix)
    try:
        export = dynamodb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket=bucket, S3Prefix=prefix.strip("/"),
                                                        ExportFormat="DYNAMODB_JSON")["ExportDescription"]
    except ClientError as error:
        code = error.response["Error"].get("Code", "")
        hint = (f"enable point-in-time recovery on DynamoDB table {table} (the export connector needs it), or read "
                f"it with source.read: scan") if "PointInTimeRecovery" in code else "check dynamodb.tableArn"
        raise DynamoDbError(f"cannot export DynamoDB table {table} to s3://{bucket}/{prefix}: "
                            f"{error.response['Error'].get('Message', code)}; {hint}") from error
    waited = 0.0
    while export["ExportStatus"] == "IN_PROGRESS":
        if waited > EXPORT_TIMEOUT_SECONDS:
            raise DynamoDbError(f"the export of DynamoDB table {table} ({export['ExportArn']}) is still in progress "
                                f"after {EXPORT_TIMEOUT_SECONDS:.0f} s; check it with describe-export")
        time.sleep(EXPORT_POLL_SECONDS)
        waited += EXPORT_POLL_SECONDS
        export = dynamodb.describe_export(ExportArn=export["ExportArn"])["ExportDescription"]
    if export["ExportStatus"] != "COMPLETED":
        raise DynamoDbError(f"the export of DynamoDB table {table} to s3://{bucket}/{prefix} failed: "
                            f"{export.get('FailureCode')}: {export.get('FailureMessage')}")
    new = {folder: keys for folder, keys in _export_data_files(s3, bucket, prefix).items() if folder not in before}
    return [key for keys in new.values() for key in keys]


def _latest_export(s3, table: str, bucket: str, prefix: str) -> list[str]:
    """The data files of the newest export already under bucket/prefix (dynamodb.export: s3)."""
    exports = _export_data_files(s3, bucket, prefix)
    if not exports:
        raise DynamoDbError(f"no export of DynamoDB table {table} under s3://{bucket}/{prefix}/AWSDynamoDB/: "
                            f"check dynamodb.s3.bucket and dynamodb.s3.prefix, or export anew (dynamodb.export: ddb)")

    def written(folder: str) -> object:
        return max(s3.head_object(Bucket=bucket, Key=key)["LastModified"] for key in exports[folder])

    return exports[max(exports, key=written)]


def export_items(table_arn: str, bucket: str, prefix: str, fresh: bool, url: str | None = None) -> list[dict]:
    """Every item of a table, as Glue's export connector reads it: a new point-in-time export (`fresh`,
    dynamodb.export ddb) or the newest one under the prefix (dynamodb.export s3); items in DynamoDB JSON."""
    table = table_arn.rsplit("/", 1)[-1]
    dynamodb, s3 = client(url), client(url, "s3")
    if fresh:
        _describe(dynamodb, table, url)
        keys = _request_export(dynamodb, s3, table, table_arn, bucket, prefix)
    else:
        keys = _latest_export(s3, table, bucket, prefix)
    items = []
    for key in sorted(keys):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        for line in gzip.decompress(body).decode("utf-8").splitlines():
            if line.strip():
                items.append(json.loads(line)["Item"])
    return items
