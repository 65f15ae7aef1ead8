"""The local Glue runtime: everything that makes the Glue job scripts run on a laptop or in CI.

Never uploaded to AWS. The `awsglue` package beside this one is the stand-in for AWS's own; this
package holds what backs it (lake paths, Data Catalog, bookmarks, crawler, connections) and the
tools built on it (job runner, workflow runner, demo).
"""
