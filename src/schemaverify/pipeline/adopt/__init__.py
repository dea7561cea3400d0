"""`schemaverify adopt`: write the database's facts into the specs.

Split like alembic's autogenerate, so that what to change is decided apart from how a file
is rewritten: `plan.py` compares one spec with its live table and returns edit operations
(`model/edits.py`, frozen values a test can compare); `sources/specs/rewrite.py` applies them
to the YAML text with ruamel.yaml's round-trip mode, so that comments, key order, quoting and
layout survive; `run.py` checks every rewritten file loads and verifies, stamps the tables
whose every fact then holds, and writes specs for live tables that have none (`newspec.py`).
"""
