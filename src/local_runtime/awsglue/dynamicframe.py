"""`awsglue.dynamicframe`: DynamicFrame and the readers/writers hung off GlueContext.

Locally a DynamicFrame wraps a Spark DataFrame. Glue's frames are schema-on-read records with
choice types; the project's code converts to DataFrames straight away (`toDF`) and back (`fromDF`),
so the conversions, `count` and the reader/writer entry points are what exists here, with Glue's
names and signatures. A script that needs another DynamicFrame transform adds it here, and the
contract test checks it against AWS's package.

Choice types: when Parquet files read together hold one column as different types (a batch written
before a type widening, one after), Glue's frame gives that column a choice type, which `toDF`
turns into a struct with one field per type. The local reader does the same (one field per type,
named as Glue names it: `int`, `long`, `decimal(12,2)`, ...), and `resolveChoice` with `cast:<type>`
specs turns such a column, or any other, into one type
(https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-pyspark-extensions-dynamic-frame.html#aws-glue-api-crawler-pyspark-extensions-dynamic-frame-resolveChoice).
"""

from __future__ import annotations

import re

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

# Glue's names of the types a `cast:` action takes, as Spark SQL types.
_GLUE_CAST_TYPES = {"byte": "tinyint", "short": "smallint", "int": "int", "long": "bigint", "float": "float",
                    "double": "double", "string": "string", "boolean": "boolean", "date": "date",
                    "timestamp": "timestamp"}
_DECIMAL = re.compile(r"^decimal\(\d+,\d+\)$")


def _glue_type_name(spark_type: str) -> str:
    """Glue's name of a Spark SQL type (a choice column's struct field is named after it)."""
    names = {spark: glue for glue, spark in _GLUE_CAST_TYPES.items()}
    return names.get(spark_type, spark_type)


def _cast_type(action: str) -> str:
    kind = action[len("cast:"):]
    if kind in _GLUE_CAST_TYPES:
        return _GLUE_CAST_TYPES[kind]
    if _DECIMAL.match(kind):
        return kind
    raise NotImplementedError(f"resolveChoice action {action!r}: the local runtime casts to "
                              f"{', '.join(_GLUE_CAST_TYPES)} or decimal(p,s)")


class DynamicFrame(object):
    def __init__(self, jdf, glue_ctx, name=""):
        if not isinstance(jdf, DataFrame):
            raise TypeError(f"the local DynamicFrame wraps a pyspark DataFrame, got {type(jdf).__name__}")
        self._jdf = jdf
        self.glue_ctx = glue_ctx
        self.name = name
        self._choices: dict[str, list[str]] = {}   # choice column -> its types (Spark SQL names)

    @classmethod
    def fromDF(cls, dataframe, glue_ctx, name=""):
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options=None):
        return self._jdf

    def count(self):
        return self._jdf.count()

    def resolveChoice(self, specs=None, choice="", database=None, table_name=None, transformation_ctx="", info="",
                      stageThreshold=0, totalThreshold=0, catalog_id=None):
        """Only `cast:<type>` actions are emulated, per column in `specs` or, with `choice`, for every
        choice column (Glue: "a single resolution for all ChoiceTypes"): a choice column becomes the
        first non-null of its types' values cast to <type>; a plain column in specs is cast; a path
        the frame lacks is left alone."""
        if database or table_name or bool(specs) == bool(choice):
            raise NotImplementedError("the local resolveChoice takes specs=[(column, 'cast:<type>')] or "
                                      "choice='cast:<type>' only")
        if choice:
            specs = [(name, choice) for name in self._choices]
        frame = self._jdf
        for path, action in specs:
            if not action.startswith("cast:"):
                raise NotImplementedError(f"resolveChoice action {action!r} is not emulated locally (only cast:<type>)")
            target = _cast_type(action)
            if path not in frame.columns:
                continue
            column = F.col(f"`{path}`")
            if path in self._choices:
                values = [column.getField(_glue_type_name(kind)).cast(target) for kind in self._choices[path]]
                frame = frame.withColumn(path, F.coalesce(*values))
            else:
                frame = frame.withColumn(path, column.cast(target))
        resolved = DynamicFrame(frame, self.glue_ctx, transformation_ctx or self.name)
        resolved._choices = {name: kinds for name, kinds in self._choices.items()
                             if name not in {path for path, _ in specs}}
        return resolved

    @classmethod
    def _with_choices(cls, parts: list[DataFrame], glue_ctx, name: str) -> "DynamicFrame":
        """One frame of parts whose columns may differ in type: such a column becomes a choice."""
        kinds: dict[str, list[str]] = {}
        for part in parts:
            for field in part.schema.fields:
                kind = field.dataType.simpleString()
                if kind not in kinds.setdefault(field.name, []):
                    kinds[field.name].append(kind)
        choices = {name: types for name, types in kinds.items() if len(types) > 1}
        frame = None
        for part in parts:
            own = {f.name: f.dataType.simpleString() for f in part.schema.fields}
            for column, types in choices.items():
                if column in own:
                    part = part.withColumn(column, F.struct(*[
                        (F.col(f"`{column}`") if kind == own[column] else F.lit(None).cast(kind))
                        .alias(_glue_type_name(kind)) for kind in types]))
            frame = part if frame is None else frame.unionByName(part, allowMissingColumns=True)
        result = cls(frame, glue_ctx, name)
        result._choices = choices
        return result


class DynamicFrameReader(object):
    def __init__(self, glue_context):
        self._glue_context = glue_context

    def from_options(self, connection_type, connection_options={}, format=None, format_options={},
                     transformation_ctx="", push_down_predicate="", **kwargs):
        return self._glue_context.create_dynamic_frame_from_options(
            connection_type, connection_options, format, format_options, transformation_ctx, push_down_predicate,
            **kwargs)

    def from_catalog(self, database=None, table_name=None, redshift_tmp_dir="", transformation_ctx="",
                     push_down_predicate="", additional_options={}, catalog_id=None, **kwargs):
        if database is None:
            raise Exception("Parameter name_space or database is missing.")
        if table_name is None:
            raise Exception("Parameter table_name is missing.")
        return self._glue_context.create_dynamic_frame_from_catalog(
            database, table_name, redshift_tmp_dir, transformation_ctx, push_down_predicate, additional_options,
            catalog_id, **kwargs)


class DynamicFrameWriter(object):
    def __init__(self, glue_context):
        self._glue_context = glue_context

    def from_options(self, frame, connection_type, connection_options={}, format=None, format_options={},
                     transformation_ctx=""):
        return self._glue_context.write_dynamic_frame_from_options(
            frame, connection_type, connection_options, format, format_options, transformation_ctx)

    def from_catalog(self, frame, database=None, table_name=None, redshift_tmp_dir="", transformation_ctx="",
                     additional_options={}, catalog_id=None, **kwargs):
        if database is None:
            raise Exception("Parameter name_space or database is missing.")
        if table_name is None:
            raise Exception("Parameter table_name is missing.")
        return self._glue_context.write_dynamic_frame_from_catalog(
            frame, database, table_name, redshift_tmp_dir, transformation_ctx, additional_options, catalog_id)

    def from_jdbc_conf(self, frame, catalog_connection, connection_options={}, redshift_tmp_dir="",
                       transformation_ctx=""):
        return self._glue_context.write_dynamic_frame_from_jdbc_conf(
            frame, catalog_connection, connection_options, redshift_tmp_dir, transformation_ctx)


class DynamicFrameCollection(object):
    """Named DynamicFrames, as multi-output transforms (e.g. EvaluateDataQuality.process_rows) return them."""

    def __init__(self, dynamic_frames, glue_ctx):
        self._df_dict = dict(dynamic_frames)
        self._glue_ctx = glue_ctx

    def __getitem__(self, key):
        return self._df_dict[key]

    def __len__(self):
        return len(self._df_dict)

    def keys(self):
        return self._df_dict.keys()

    def values(self):
        return self._df_dict.values()

    def select(self, key, transformation_ctx=""):
        return self._df_dict[key]
