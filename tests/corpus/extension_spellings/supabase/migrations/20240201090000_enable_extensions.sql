-- Enable what the app needs, spelled the ways the dashboard, the docs and
-- `supabase db diff` write it.  uuid-ossp and pgcrypto are already enabled on
-- a new project (so these two are no-ops there); vector, pg_trgm and citext are
-- only available until a migration enables them.
create extension if not exists "uuid-ossp" with schema extensions;
CREATE EXTENSION IF NOT EXISTS "pgcrypto" WITH SCHEMA "extensions";

-- Plain CREATE EXTENSION: an error on Supabase only if vector was already enabled.
create extension vector with schema extensions;

-- Trigram search installed into public, as many older projects did.
create extension if not exists pg_trgm with schema public;

create extension if not exists citext with schema extensions;
