"""`etl-glue`: operate the pipeline from a terminal (run and follow, history and cost, recovery).

Runs on an operator's machine, never uploaded to Glue: against AWS through boto3 (the standard
credential chain and AWS_ENDPOINT_URL), or against the local runtime with `--local`.
"""
