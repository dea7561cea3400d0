-- SQL bodies are checked when created: every auth table they read must exist.
set check_function_bodies = on;

-- Does the caller have a verified second factor?
create or replace function public.has_verified_factor()
returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1
        from auth.mfa_factors f
        where f.user_id = (select auth.uid())
          and f.status = 'verified'
    )
$$;

-- The assurance level the caller must reach: aal2 once a factor is verified.
create or replace function public.required_aal()
returns text
language sql stable security definer
set search_path = ''
as $$
    select case when public.has_verified_factor() then 'aal2' else 'aal1' end
$$;

-- The assurance level of the session the JWT belongs to, as auth recorded it.
create or replace function public.session_aal()
returns text
language sql stable security definer
set search_path = ''
as $$
    select coalesce(
        (select s.aal::text from auth.sessions s where s.id = ((select auth.jwt()) ->> 'session_id')::uuid),
        (select auth.jwt()) ->> 'aal',
        'aal1'
    )
$$;

-- Factors for a settings page.
create or replace function public.my_factors()
returns table (id uuid, friendly_name text, factor_type text, status text, created_at timestamptz)
language sql stable security definer
set search_path = ''
as $$
    select f.id, f.friendly_name, f.factor_type::text, f.status::text, f.created_at
    from auth.mfa_factors f
    where f.user_id = (select auth.uid())
    order by f.created_at
$$;

-- Which providers the caller signed in with.
create or replace function public.my_providers()
returns text[]
language sql stable security definer
set search_path = ''
as $$
    select coalesce(array_agg(distinct i.provider order by i.provider), '{}')
    from auth.identities i
    where i.user_id = (select auth.uid())
$$;

-- Sign out everywhere else: revoke the other sessions' refresh tokens, then end them.
create or replace function public.sign_out_other_sessions()
returns integer
language sql volatile security definer
set search_path = ''
as $$
    update auth.refresh_tokens rt
    set revoked = true, updated_at = now()
    where rt.user_id = (select auth.uid())::text
      and rt.session_id is distinct from ((select auth.jwt()) ->> 'session_id')::uuid
      and not coalesce(rt.revoked, false);

    with ended as (
        delete from auth.sessions s
        where s.user_id = (select auth.uid())
          and s.id <> ((select auth.jwt()) ->> 'session_id')::uuid
        returning 1
    )
    select count(*)::integer from ended
$$;

create or replace function public.recent_sign_ins(max_rows integer default 20)
returns table (created_at timestamptz, ip_address text, action text)
language sql stable security definer
set search_path = ''
as $$
    select a.created_at, a.ip_address::text, a.payload ->> 'action'
    from auth.audit_log_entries a
    where a.payload ->> 'actor_id' = (select auth.uid())::text
    order by a.created_at desc
    limit max_rows
$$;

revoke execute on function public.sign_out_other_sessions() from anon;
revoke execute on function public.recent_sign_ins(integer) from anon;
