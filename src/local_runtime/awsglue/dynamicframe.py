"""`awsglue.dynamicframe`: DynamicFrame and the readers/writers hung off GlueContext.

Locally a DynamicFrame wraps a Spark DataFrame. Glue's frames are schema-on-read records with
choice types; the project's code converts to DataFrames straight away (`toDF`) and back (`fromDF`),
so the conversions, `count` and the reader/writer entry points are what exists here, with Glue's
names and signatures. A script that needs another DynamicFrame transform adds it here, and the
contract test checks it against AWS's package.
"""

from __future__ import annotations

from pyspark.sql import DataFrame


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
