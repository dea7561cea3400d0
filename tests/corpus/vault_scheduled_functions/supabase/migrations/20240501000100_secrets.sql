-- Secrets live in Vault, never in a migration's plain tables.
select vault.create_secret('https://example.invalid', 'project_url');
select vault.create_secret('s3cr3t', 'api_key', 'Key the sync function is called with');
