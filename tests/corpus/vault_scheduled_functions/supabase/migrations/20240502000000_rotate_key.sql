-- Rotating the key: update the secret in place, by its id.
select vault.update_secret(
    (select id from vault.secrets where name = 'api_key'),
    'r0tated-s3cr3t'
);

select cron.unschedule('invoke-sync-every-ten-minutes');

select cron.schedule(
    'invoke-sync-hourly',
    '0 * * * *',
    $$select public.request_sync()$$
);
