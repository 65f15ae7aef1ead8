"""Local stand-in for AWS Glue's `awsglue` package (part of the local Glue runtime; never uploaded).

Same module paths, class names and signatures as the subset of AWS's package that the project's
job scripts use (tests/unit/local_runtime/awsglue/test_awsglue_contract.py checks them against the real
AWSGlueDataplanePython 5.1.0), implemented on a plain local SparkSession instead of Glue's Java
classes. Importing it prepares Spark the way the Glue service does before a script starts: see
localglue.services.environment.
"""

from localglue.services.environment import configure as _configure_local_glue_environment

_configure_local_glue_environment()

from .dynamicframe import DynamicFrame  # noqa: E402  (Spark must be configured first)

__all__ = ["DynamicFrame"]
