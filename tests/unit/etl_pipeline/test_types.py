"""The config's type vocabulary and each type's Redshift column type."""

from __future__ import annotations

import pytest

from etl_pipeline.types import SIMPLE_TYPES, is_supported_type, redshift_type


@pytest.mark.parametrize("type_name", [*SIMPLE_TYPES, "decimal(10,2)", "decimal(38,0)"])
def test_the_vocabulary_holds_the_simple_types_and_decimals(type_name):
    assert is_supported_type(type_name)


@pytest.mark.parametrize("type_name", ["integer", "varchar", "float", "decimal(100,2)", "decimal(10, 2)",
                                       "decimal", "String"])
def test_other_names_are_not_supported(type_name):
    assert not is_supported_type(type_name)


@pytest.mark.parametrize("type_name, redshift", [
    ("int", "INTEGER"), ("bigint", "BIGINT"), ("double", "DOUBLE PRECISION"), ("boolean", "BOOLEAN"),
    ("date", "DATE"), ("timestamp", "TIMESTAMP"), ("decimal(10,2)", "DECIMAL(10,2)"), ("decimal(38,0)", "DECIMAL(38,0)"),
])
def test_each_type_has_its_redshift_type(type_name, redshift):
    assert redshift_type(type_name) == redshift


@pytest.mark.parametrize("max_length, varchar", [
    (None, "VARCHAR(1024)"),      # the default 256 characters
    (1, "VARCHAR(4)"),
    (16383, "VARCHAR(65532)"),
    (16384, "VARCHAR(65535)"),    # Redshift's largest VARCHAR
    (100000, "VARCHAR(65535)"),
])
def test_strings_get_four_bytes_a_character_up_to_redshifts_largest_varchar(max_length, varchar):
    assert redshift_type("string", max_length) == varchar


@pytest.mark.parametrize("type_name", ["decimal(39,2)", "decimal(2,5)", "decimal(0,0)"])
def test_decimals_spark_and_redshift_cannot_hold_are_not_supported(type_name):
    assert not is_supported_type(type_name)
