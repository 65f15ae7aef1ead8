"""Loading and validating config/: the real files, and every kind of mistake a user can make."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from etl_pipeline.config import CONFIG_BUNDLE, ConfigError, DynamoDbSource, FileSource, JdbcSource, load_config, parse_config, parse_dataset
from etl_pipeline.schema_evolution import SourceSchemaPlan

CONFIG_DIR = Path(__file__).resolve().parents[3] / "config"
FLIGHTS_YAML = CONFIG_DIR / "datasets" / "flights.yaml"


def flights_document() -> dict:
    return yaml.safe_load(FLIGHTS_YAML.read_text())


def test_the_repository_config_loads_with_all_five_datasets(project_config):
    config = project_config

    assert config.project == "etl-glue-pipeline"
    assert [(s.name, s.kind) for s in config.workflow] == [
        ("raw", "crawler"), ("extract", "job"), ("transform", "job"), ("load", "job")]
    assert sorted(config.datasets) == ["airlines", "airports", "flights", "planes", "weather"]
    flights = config.datasets["flights"]
    assert flights.source == FileSource("csv", "flights/", {"separator": ",", "header": True})
    assert flights.primary_key == ("year", "month", "day", "carrier", "flight", "origin")
    assert flights.partition_by == ("months(flight_date)",)
    assert flights.column_type("scheduled_departure_utc") == "timestamp"
    assert [c.source for c in flights.columns if c.name == "scheduled_departure_utc"] == ["time_hour"]
    airlines = config.datasets["airlines"]
    assert airlines.source == JdbcSource("postgresql", "reference-db", "reference.airlines", ("change_seq",))
    assert airlines.fallback == FileSource("csv", "reference/airlines/", {"separator": ",", "header": True})
    weather = config.datasets["weather"]
    assert weather.source == DynamoDbSource("weather_observations", "scan", 4, 0.5, "updated_at", True)
    assert weather.fallback == FileSource("json", "weather/", {})


def test_select_names_datasets_or_all_and_rejects_unknown_ones(project_config):
    config = project_config

    assert [d.name for d in config.select("weather, flights")] == ["weather", "flights"]
    assert len(config.select("all")) == 5
    with pytest.raises(ConfigError, match=r"unknown dataset\(s\) \['fligths'\].*configured: airlines"):
        config.select("fligths")


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("primary_key"), r"flights.yaml: primary_key: is required"),
    (lambda d: d.update(primary_key=["year", "tail"]), r"primary_key: names columns that are not in columns: \['tail'\]"),
    (lambda d: d["columns"][0].update(type="integer"), r"columns\[0\].type: 'integer' is not supported"),
    (lambda d: d["columns"][3].update(case="title"), r"columns\[3\].case: must be 'upper' or 'lower'"),
    (lambda d: d["columns"][9].update(max_length="two"), r"columns\[9\].max_length: must be a int, got str"),
    (lambda d: d["columns"].append({"name": "year", "type": "int"}), r"columns: names appear more than once: \['year'\]"),
    (lambda d: d["source"].update(format="xml"), r"source.format: 'xml' is not one of csv, json, parquet"),
    (lambda d: d["source"].update(prefix="s3://bucket/flights/"), r"source.prefix: is a key prefix inside the raw bucket"),
    (lambda d: d["source"].update(type="ftp"), r"source.type: 'ftp' is not 's3', 'jdbc' or 'dynamodb'"),
    (lambda d: d.update(partition_by=["nope"]), r"partition_by\[0\]: 'nope' is not one of the dataset's columns"),
    (lambda d: d.update(partition_by=["months(dest)"]), r"partition_by\[0\]: months\(dest\) needs a date or timestamp column; dest is string"),
    (lambda d: d.update(partition_by=["hours(flight_date)"]), r"partition_by\[0\]: hours\(flight_date\) needs a timestamp column"),
    (lambda d: d.update(partition_by=["weeks(flight_date)"]), r"partition_by\[0\]: 'weeks\(flight_date\)' is not a column or a partition transform"),
    (lambda d: d["quality"]["rules"].append({"name": "Bad Name", "outcome": "warn", "dqdl": "RowCount > 0"}),
     r"quality.rules\[7\].name: 'Bad Name' is not a valid name"),
    (lambda d: d["quality"]["rules"].append({"name": "x", "outcome": "drop", "dqdl": "RowCount > 0"}),
     r"quality.rules\[7\].outcome: 'drop' is not one of quarantine, fail, warn"),
    (lambda d: d["quality"]["rules"].append({"name": "x", "outcome": "warn", "dqdl": "month > 1"}),
     r"quality.rules\[7\].dqdl: 'month' is not a DQDL rule type"),
    (lambda d: d["quality"]["rules"].append({"name": "x", "outcome": "quarantine", "dqdl": "RowCount > 10"}),
     r"quality.rules\[7\].outcome: RowCount measures the whole batch, so it has no failing rows to quarantine"),
    (lambda d: d["quality"]["rules"].append({"name": "x", "outcome": "warn", "dqdl": 'IsComplete "tail"'}),
     r"quality.rules\[7\].dqdl: column \"tail\" is not one of the dataset's columns or derived columns"),
    (lambda d: d["quality"]["rules"].append(
        {"name": "x", "outcome": "warn", "dqdl": '(IsComplete "dest") AND (IsComplete "origin")'}),
     r"quality.rules\[7\].dqdl: write one condition per rule \(no AND/OR composite rules\)"),
    (lambda d: d["quality"]["rules"].append({"name": "month_in_range", "outcome": "warn", "dqdl": "RowCount > 1"}),
     r"quality.rules\[7\].name: 'month_in_range' names another rule already"),
    (lambda d: d["columns"][9].update(round=True), r"columns\[9\].round: applies to decimal columns only"),
    (lambda d: d["columns"][9].update(mask="sha256", type="int"), r"columns\[9\].mask: masking applies to string columns"),
])
def test_invalid_dataset_definitions_name_the_file_and_the_key(mutate, message):
    document = copy.deepcopy(flights_document())
    mutate(document)

    with pytest.raises(ConfigError, match=message):
        parse_dataset(document, str(FLIGHTS_YAML))


def test_a_datasets_rules_make_one_dqdl_ruleset_in_config_order(project_config):
    weather = project_config.datasets["weather"]

    assert weather.ruleset == (
        'Rules = [\n'
        '  ColumnValues "humid" >= 0 where "humid is not null",\n'
        '  ColumnValues "humid" <= 100 where "humid is not null",\n'
        '  ColumnValues "wind_speed" < 250 where "wind_speed is not null",\n'
        '  ColumnValues "temp" between -61 and 141 where "temp is not null",\n'
        '  RowCount > 0\n'
        ']\n')
    assert [(r.name, r.outcome) for r in weather.quality_rules][-1] == ("batch_not_empty", "fail")


def _read_from(tmp_path: Path, bundle_text: str | None):
    if bundle_text is not None:
        (tmp_path / CONFIG_BUNDLE).write_text(bundle_text)

    def read_text(uri):
        if not Path(uri).exists():
            raise FileNotFoundError(uri)
        return Path(uri).read_text()

    return read_text


def test_the_jobs_read_the_config_as_one_json_bundle_naming_the_yaml_files(tmp_path, project_config):
    pipeline = yaml.safe_load((CONFIG_DIR / "pipeline.yaml").read_text())
    bundle = {"pipeline": {"file": "config/pipeline.yaml", "document": pipeline},
              "datasets": [{"file": "config/datasets/flights.yaml", "document": flights_document()}]}

    config = load_config(_read_from(tmp_path, json.dumps(bundle)), str(tmp_path))

    assert list(config.datasets) == ["flights"]
    assert config.datasets["flights"] == project_config.datasets["flights"]
    assert config.iceberg_catalog == "glue_catalog"
    bundle["datasets"][0]["document"]["columns"][0]["type"] = "integer"
    with pytest.raises(ConfigError, match=r"^config/datasets/flights.yaml: columns\[0\].type: 'integer' is not supported"):
        load_config(_read_from(tmp_path, json.dumps(bundle)), str(tmp_path))


def test_a_missing_bundle_says_what_config_path_must_point_at(tmp_path):
    with pytest.raises(ConfigError, match=r"pipeline-config.json: not found; --config_path must be the folder holding"):
        load_config(_read_from(tmp_path, None), str(tmp_path))


def test_a_broken_or_foreign_bundle_says_to_rebuild_it(tmp_path):
    with pytest.raises(ConfigError, match=r"pipeline-config.json: not valid JSON .*rebuild it with `make package`"):
        load_config(_read_from(tmp_path, "{"), str(tmp_path))
    with pytest.raises(ConfigError, match=r"pipeline-config.json: not a config bundle"):
        load_config(_read_from(tmp_path, '{"project": "x"}'), str(tmp_path))


def test_duplicate_dataset_names_and_no_datasets_are_reported_with_the_file():
    pipeline = {"file": "config/pipeline.yaml", "document": yaml.safe_load((CONFIG_DIR / "pipeline.yaml").read_text())}
    flights = {"file": "config/datasets/a.yaml", "document": flights_document()}

    with pytest.raises(ConfigError, match=r"^config/datasets/b.yaml: dataset name 'flights' is already defined"):
        parse_config({"pipeline": pipeline, "datasets": [flights, {**flights, "file": "config/datasets/b.yaml"}]})
    with pytest.raises(ConfigError, match=r"^config/pipeline.yaml: no dataset definitions found"):
        parse_config({"pipeline": pipeline, "datasets": []})


def test_a_dataset_without_a_warehouse_target_is_valid_and_gets_no_warehouse_rule(spark):
    with_remark = flights_document()
    with_remark["columns"].append({"name": "remark", "type": "string"})  # no max_length
    document = copy.deepcopy(with_remark)
    del document["targets"]["warehouse"]
    dataset = parse_dataset(document, str(FLIGHTS_YAML))

    assert dataset.warehouse_table is None
    assert dataset.curated_table == "flights"
    # No warehouse column to fit: a string without max_length gets no `<col>_fits_warehouse` rule.
    plan = SourceSchemaPlan(dataset, None, {}, (), [])
    assert plan.failures() == []
    with_warehouse = parse_dataset(with_remark, str(FLIGHTS_YAML))
    assert with_warehouse.warehouse_table == "flights"
    assert SourceSchemaPlan(with_warehouse, None, {}, (), []).failures() != []


@pytest.mark.parametrize("targets, message", [
    ({"curated": {"table": "f"}, "warehouse": {"table": "f", "schema": "x"}},
     r"targets.warehouse.schema: is not a setting of the warehouse target \(table, varchar_bytes\)"),
    ({"curated": {"table": "f"}, "warehouse": {"varchar_bytes": 10}}, r"targets.warehouse.table: is required"),
    ({"curated": {"table": "f"}, "lake": {"table": "f"}}, r"targets.lake: is not a target \(curated, and optionally warehouse\)"),
    ({"warehouse": {"table": "f"}}, r"targets.curated: is required"),
    ({"curated": {"table": "f", "merge-mode": "merge-on-read"}},
     r"targets.curated.merge-mode: is not a setting of the curated target \(table, merge_mode\)"),
    ({"curated": {"table": "f", "merge_mode": "merge_on_read"}},
     r"targets.curated.merge_mode: 'merge_on_read' is not one of copy-on-write, merge-on-read"),
])
def test_invalid_targets_name_the_setting(targets, message):
    document = {**flights_document(), "targets": targets}

    with pytest.raises(ConfigError, match=message):
        parse_dataset(document, str(FLIGHTS_YAML))


def test_the_curated_merge_mode_is_copy_on_write_unless_merge_on_read_is_chosen():
    document = flights_document()
    assert parse_dataset(document, str(FLIGHTS_YAML)).curated_merge_mode == "copy-on-write"

    document["targets"]["curated"]["merge_mode"] = "merge-on-read"
    assert parse_dataset(document, str(FLIGHTS_YAML)).curated_merge_mode == "merge-on-read"


@pytest.mark.parametrize("order_by, expected", [
    ("dep_delay", [("dep_delay", False)]),
    ("dep_delay desc", [("dep_delay", True)]),
    (["dep_delay DESC", "arr_delay"], [("dep_delay", True), ("arr_delay", False)]),
    ([{"column": "flight_date", "direction": "desc"}, {"column": "arr_delay"}], [("flight_date", True), ("arr_delay", False)]),
    ({"column": "is_delayed_15", "direction": "asc"}, [("is_delayed_15", False)]),
])
def test_deduplicate_order_by_takes_a_column_a_direction_or_a_list(order_by, expected):
    document = {**flights_document(), "deduplicate": {"order_by": order_by}}

    dataset = parse_dataset(document, str(FLIGHTS_YAML))

    assert [(k.column, k.descending) for k in dataset.dedupe_order] == expected
    assert parse_dataset(flights_document(), str(FLIGHTS_YAML)).dedupe_order == ()


@pytest.mark.parametrize("deduplicate, message", [
    ({"order_by": "tail desc"}, r"deduplicate.order_by: 'tail' is not one of the dataset's columns or derived columns"),
    ({"order_by": "dep_delay newest"}, r"deduplicate.order_by: direction 'newest' is not asc or desc"),
    ({"order_by": ["dep_delay", "dep_delay desc"]}, r"deduplicate.order_by\[1\]: 'dep_delay' is listed twice"),
    ({"order_by": [{"col": "dep_delay"}]}, r"deduplicate.order_by\[0\]: \{'col': 'dep_delay'\} is not a column"),
    ({"order_by": "a b c"}, r"deduplicate.order_by: 'a b c' is not a column, \"column desc\""),
    ({"order_by": []}, r"deduplicate.order_by: lists no column"),
    ({"keep": "last"}, r"deduplicate.keep: is not a setting of deduplicate \(order_by\)"),
])
def test_an_invalid_deduplicate_order_names_the_setting(deduplicate, message):
    document = {**flights_document(), "deduplicate": deduplicate}

    with pytest.raises(ConfigError, match=message):
        parse_dataset(document, str(FLIGHTS_YAML))


def test_a_derived_column_may_use_the_derived_columns_before_it():
    document = flights_document()
    document["derived"] += [{"name": "delay_hours", "type": "double", "expr": "arr_delay / 60.0"},
                            {"name": "very_late", "type": "boolean", "expr": "is_delayed_15 AND delay_hours > 3"}]

    dataset = parse_dataset(document, str(FLIGHTS_YAML))

    assert [d.name for d in dataset.derived][-2:] == ["delay_hours", "very_late"]


@pytest.mark.parametrize("derived, message", [
    ([{"name": "a", "type": "int", "expr": "b + 1"}, {"name": "b", "type": "int", "expr": "dep_delay"}],
     r"flights.yaml: derived\[4\].expr: uses 'b', which is derived later \(derived\[5\]\): a derived column may use "
     r"the columns and the derived columns before it; move it below derived\[5\]"),
    ([{"name": "a", "type": "int", "expr": "coalesce(dep_dealy, 0)"}],
     r"derived\[4\].expr: uses 'dep_dealy', which is not a column or a derived column before it"),
    ([{"name": "a", "type": "int", "expr": "a + 1"}], r"derived\[4\].expr: uses 'a', which is derived later \(derived\[4\]\)"),
    ([{"name": "flight_date", "type": "int", "expr": "1"}], r"derived\[4\].name: 'flight_date' is already derived\[0\]"),
])
def test_a_derived_column_using_a_later_or_unknown_one_names_the_setting(derived, message):
    document = flights_document()
    document["derived"] += derived

    with pytest.raises(ConfigError, match=message):
        parse_dataset(document, str(FLIGHTS_YAML))


@pytest.mark.parametrize("expr, references", [
    ("CAST(round((temp - 32) * 5 / 9, 1) AS DECIMAL(5,1))", ["temp"]),
    ("transform(items, x -> x * 1e3) ", ["items"]),
    ("aggregate(items, 0, (acc, v) -> acc + v)", ["items"]),
    ("point.x + `odd name` + length('quoted text') + 1.5BD", ["point", "odd name"]),
    ("date_add(d, 1) > DATE '2024-01-01' AND d IS NOT NULL", ["d"]),
])
def test_the_columns_an_expression_uses_are_its_identifiers_outside_quotes_and_calls(expr, references):
    from etl_pipeline.config import sql_column_references

    assert sql_column_references(expr) == references


def test_the_landing_metadata_a_derived_column_may_use_is_what_extract_adds():
    from etl_pipeline.columns import LANDING_METADATA
    from etl_pipeline.config import LANDING_METADATA_NAMES

    assert LANDING_METADATA_NAMES == LANDING_METADATA
