"""`make bench`: the pipeline measured against one well-written PySpark job and DuckDB on TPC-H
lineitem (local only, never uploaded to Glue). See docs/performance.md."""
