-- Extensions that reach out of the database, and the test framework, enabled
-- the way Supabase's extension docs spell them.
create extension http with schema extensions;
create extension if not exists pg_net with schema extensions;
create extension pgjwt with schema extensions;
create extension pgtap with schema extensions;
