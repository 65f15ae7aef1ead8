"""Local stand-in for AWS Glue's `awsgluedq` package (Glue Data Quality in ETL jobs).

AWS ships `awsgluedq` only inside Glue's job runtime: neither PyPI nor AWS's local images have it.
This stand-in has the same module path and names (`awsgluedq.transforms.EvaluateDataQuality`) and
evaluates DQDL with Deequ's open-source DQDL evaluator, the engine Glue Data Quality is built on.
"""
