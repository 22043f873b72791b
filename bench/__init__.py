"""Benchmarks of healthcode, run with `python -m bench` (`make bench`) against DynamoDB Local.

Every target is a ratio against a floor measured in the same run, never an absolute time:
verify against raw GetItem + PutItem + ES256 verify, the cold import of `app` against that of
boto3, and the QR version of a live code token. The records import is held to a count, the
DynamoDB items written per applied record; recompare's persons per second are for information
(bench/epidemic.py, on 10,000 persons unless --persons says otherwise). Figures go to stdout and
bench/results/latest.json.
"""
