-- The key the integration tokens are encrypted with, created once.
set check_function_bodies = on;

create or replace function public.ensure_integration_key()
returns uuid
language sql
security definer
set search_path = ''
as $$
    select coalesce(
        (select k.id from pgsodium.valid_key k where k.name = 'integration_tokens'),
        (select (pgsodium.create_key(name := 'integration_tokens')).id)
    )
$$;

grant execute on function public.ensure_integration_key() to pgsodium_keyiduser, service_role;
revoke execute on function public.ensure_integration_key() from anon, authenticated;
