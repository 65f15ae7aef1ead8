"""The demo's rows-per-table summary: the extract's problem files are listed with where their copy went."""

from __future__ import annotations

from localglue.runner.demo import print_tables


class ReportedRun:
    """A workflow run as print_tables reads it: one run report per stage."""

    def __init__(self, reports: dict):
        self.reports = reports

    def report(self, stage: str) -> dict | None:
        return self.reports.get(stage)


def test_files_set_aside_and_files_not_utf8_are_listed_with_their_copies(capsys):
    extract = {"trips": {
        "rows_read": 4,
        "set_aside": [{"file": "s3://raw/trips/t.csv.gz", "copy": "s3://q/trips/unreadable/batch_id=b1/t.csv.gz",
                       "reason": "java.io.EOFException: Unexpected end of input stream"}],
        "not_utf8": [{"file": "s3://raw/trips/latin1.csv", "copy": "s3://q/trips/not_utf8/batch_id=b1/latin1.csv",
                      "rules": ["carrier_invalid_utf8"]}],
    }}
    transform = {"trips": {"rows_read": 4, "rows_quarantined": 1, "rule_failures": {"carrier_invalid_utf8": 1}}}

    assert print_tables(ReportedRun({"extract": {"datasets": extract}, "transform": {"datasets": transform}}))

    lines = capsys.readouterr().out.splitlines()
    assert "  quarantined trips: carrier_invalid_utf8 1" in lines
    assert ("  file set aside trips: s3://raw/trips/t.csv.gz -> s3://q/trips/unreadable/batch_id=b1/t.csv.gz "
            "(java.io.EOFException: Unexpected end of input stream)") in lines
    assert ("  file not UTF-8 trips: s3://raw/trips/latin1.csv -> s3://q/trips/not_utf8/batch_id=b1/latin1.csv "
            "(rows quarantined as carrier_invalid_utf8)") in lines
