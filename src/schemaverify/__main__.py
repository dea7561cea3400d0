from schemaverify.cli import entry

entry()
