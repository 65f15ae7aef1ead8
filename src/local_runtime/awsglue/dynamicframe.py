"""`awsglue.dynamicframe`: DynamicFrame and the readers/writers hung off GlueContext.

Locally a DynamicFrame wraps a Spark DataFrame. Glue's frames are schema-on-read records with
choice types; the project's code converts to DataFrames straight away (`toDF`), so what matters here
is that the conversions, the field transforms it may use and the reader/writer entry points exist
with Glue's names and signatures.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


class DynamicFrame(object):
    def __init__(self, jdf, glue_ctx, name=""):
        if not isinstance(jdf, DataFrame):
            raise TypeError(f"the local DynamicFrame wraps a pyspark DataFrame, got {type(jdf).__name__}")
        self._jdf = jdf
        self.glue_ctx = glue_ctx
        self.name = name

    @classmethod
    def fromDF(cls, dataframe, glue_ctx, name=""):
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options=None):
        return self._jdf

    def count(self):
        return self._jdf.count()

    def printSchema(self):
        self._jdf.printSchema()

    def show(self, num_rows=20):
        self._jdf.show(num_rows)

    def getNumPartitions(self):
        return self._jdf.rdd.getNumPartitions()

    def errorsCount(self):
        """Records that failed to parse; locally they surface as `_corrupt_record` values instead."""
        return 0

    def _derived(self, dataframe, transformation_ctx):
        return DynamicFrame(dataframe, self.glue_ctx, transformation_ctx or self.name)

    def select_fields(self, paths, transformation_ctx="", info="", stageThreshold=0, totalThreshold=0):
        return self._derived(self._jdf.select(*[F.col(f"`{p}`") for p in paths]), transformation_ctx)

    def drop_fields(self, paths, transformation_ctx="", info="", stageThreshold=0, totalThreshold=0):
        return self._derived(self._jdf.drop(*paths), transformation_ctx)

    def rename_field(self, oldName, newName, transformation_ctx="", info="", stageThreshold=0, totalThreshold=0):
        return self._derived(self._jdf.withColumnRenamed(oldName, newName), transformation_ctx)

    def apply_mapping(self, mappings, case_sensitive=False, transformation_ctx="", info="", stageThreshold=0,
                      totalThreshold=0):
        """Select, rename and cast: mappings are (source, source_type, target, target_type) tuples."""
        columns = [F.col(f"`{source}`").cast(target_type).alias(target)
                   for source, _source_type, target, target_type in mappings]
        return self._derived(self._jdf.select(*columns), transformation_ctx)

    def repartition(self, num_partitions, transformation_ctx="", info="", stageThreshold=0, totalThreshold=0):
        return self._derived(self._jdf.repartition(num_partitions), transformation_ctx)

    def coalesce(self, num_partitions, shuffle=False, transformation_ctx="", info="", stageThreshold=0,
                 totalThreshold=0):
        frame = self._jdf.repartition(num_partitions) if shuffle else self._jdf.coalesce(num_partitions)
        return self._derived(frame, transformation_ctx)


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
