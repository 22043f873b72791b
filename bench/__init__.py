"""Benchmarks of healthcode, run with `python -m bench` (`make bench`) against DynamoDB Local.

Every target is a ratio against a floor measured in the same run, never an absolute time:
verify against raw GetItem + PutItem + ES256 verify, the cold import of `app` against that of
boto3, and the QR version of a live code token. Figures go to stdout and bench/results/latest.json.
"""
