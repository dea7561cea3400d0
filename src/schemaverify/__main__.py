from schemaverify.cli import main

main()
