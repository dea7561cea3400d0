-- Push new notifications to clients, and schedule housekeeping jobs.

alter publication supabase_realtime add table public.notifications;

-- pg_cron is available on Supabase, not enabled: enable it before scheduling jobs.
create extension if not exists pg_cron;

select cron.schedule(
    'evict-stale-translations',
    '0 4 * * *',
    $$delete from public.translation_cache where last_used_at < now() - interval '90 days'$$
);

select cron.schedule(
    'expire-whatsapp-windows',
    '*/5 * * * *',
    $$update public.whatsapp_sessions set active = false
      where active and window_expires_at < now()$$
);
