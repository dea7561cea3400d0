"""schemaverify: prove database documentation true against the live PostgreSQL catalog."""

__version__ = "0.1.0"
