"""Code scanners: which code reads and writes each table (`schemaverify usage`)."""
