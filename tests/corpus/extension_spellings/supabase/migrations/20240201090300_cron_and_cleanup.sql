-- pg_cron as the README and the dashboard enable it, then a nightly job.
create extension pg_cron;

select cron.schedule(
    'purge-old-documents',
    '15 3 * * *',
    $$delete from public.documents where created_at < now() - interval '1 year'$$
);

-- Upgrading an extension the project enabled itself.
alter extension vector update;

-- Re-running the quoted spelling is harmless once vector is enabled.
CREATE EXTENSION IF NOT EXISTS "vector" WITH SCHEMA "extensions";

-- citext turned out not to be needed: back to text, then drop it.
alter table public.contacts alter column email type text;
drop extension if exists citext;
drop extension if exists pg_hashids;
