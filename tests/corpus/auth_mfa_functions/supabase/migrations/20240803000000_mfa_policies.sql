-- Vault items are readable only from an aal2 session once a factor is enrolled.
create policy "Enrolled users need aal2" on public.vault_items
    as restrictive
    for all to authenticated
    using (
        array[(select auth.jwt() ->> 'aal')] <@ (
            select case when count(f.id) > 0 then array['aal2'] else array['aal1', 'aal2'] end
            from auth.mfa_factors f
            where f.user_id = (select auth.uid()) and f.status = 'verified'
        )
    );

create policy "Vaults that require MFA need aal2" on public.team_vaults
    as restrictive
    for select to authenticated
    using (not requires_mfa or public.session_aal() = public.required_aal());

-- Keep a user's own audit trail of factor changes.
create table public.factor_events (
    id bigint generated always as identity primary key,
    user_id uuid not null references auth.users (id) on delete cascade,
    factor_id uuid not null,
    event text not null check (event in ('enrolled', 'verified', 'removed')),
    created_at timestamptz not null default now()
);

create index factor_events_user_id_idx on public.factor_events (user_id);

alter table public.factor_events enable row level security;

create policy "Users read their factor events" on public.factor_events
    for select to authenticated
    using ((select auth.uid()) = user_id);
