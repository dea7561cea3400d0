-- Helpers for `supabase test db`, built on pgTAP's assertions.
create schema if not exists tests;
grant usage on schema tests to postgres, service_role;

create function tests.rls_enabled(schema_name text)
returns text
language sql stable
as $$
    select extensions.ok(
        coalesce(bool_and(c.relrowsecurity), true),
        'every table in ' || schema_name || ' has row level security'
    )
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = schema_name and c.relkind = 'r'
$$;

create function tests.has_token_table()
returns text
language sql stable
as $$
    select extensions.has_table('public'::name, 'api_tokens'::name, 'api_tokens exists')
$$;

create function tests.token_policies()
returns text
language sql stable
as $$
    select extensions.policies_are(
        'public', 'api_tokens',
        array['Users see their own tokens', 'Users revoke their own tokens']::name[],
        'api_tokens has exactly its two policies'
    )
$$;

-- Dropping an extension the project never enabled is harmless.
drop extension if exists pg_hashids;
