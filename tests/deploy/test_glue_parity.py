"""The uploaded code imports only what AWS Glue 5.1 gives a job: checked on every import, every run."""

from __future__ import annotations

from pathlib import Path

from etl_deploy.glue_parity import foreign_imports, glue_modules

REPO = Path(__file__).resolve().parents[2]
UPLOADED = sorted((REPO / "src" / "glue").glob("*.py")) + sorted((REPO / "src" / "etl_pipeline").rglob("*.py"))


def test_every_import_of_the_uploaded_code_is_on_glue_5_1():
    assert len(UPLOADED) > 15
    assert foreign_imports(UPLOADED, {"etl_pipeline"}) == []


def test_the_list_is_aws_glue_5_1s_own():
    modules = glue_modules()

    assert {"boto3", "pyarrow", "pandas", "numpy", "requests", "dateutil"} <= modules
    assert not {"yaml", "duckdb", "pyiceberg", "psycopg", "moto"} & modules


def test_imports_glue_lacks_are_found_wherever_they_hide(tmp_path):
    module = tmp_path / "job_helpers.py"
    module.write_text("import json\nimport yaml as y\n\ndef load():\n    from duckdb import connect\n"
                      "    import pyspark.sql.functions\n    from . import sibling\n    import awsgluedq.transforms\n")

    found = foreign_imports([module], {"etl_pipeline"})

    assert [(f.line, f.module) for f in found] == [(2, "yaml"), (5, "duckdb")]
    assert found[0].describe(tmp_path) == "job_helpers.py:2 imports yaml"
