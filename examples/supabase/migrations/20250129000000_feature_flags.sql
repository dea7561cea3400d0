-- Feature management: customer and organization flags, their audit log, rollouts.

create table public.customer_feature_flags (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    flag_key text not null,
    enabled boolean not null default false,
    configuration jsonb,
    enabled_at timestamptz,
    disabled_at timestamptz,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (customer_id, flag_key)
);
create index customer_feature_flags_flag_key_idx on public.customer_feature_flags (flag_key);

create table public.organization_feature_flags (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references public.organizations (id) on delete cascade,
    flag_key text not null,
    enabled boolean not null default false,
    configuration jsonb,
    enabled_at timestamptz,
    disabled_at timestamptz,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organization_id, flag_key)
);
create index organization_feature_flags_flag_key_idx
    on public.organization_feature_flags (flag_key);

create table public.feature_flag_changes (
    id uuid primary key default gen_random_uuid(),
    flag_type text not null check (flag_type in ('customer', 'organization')),
    flag_id uuid not null,
    changed_by uuid not null,
    change_type text not null check (change_type in ('enabled', 'disabled', 'config_updated')),
    old_value jsonb not null,
    new_value jsonb not null,
    reason text,
    changed_at timestamptz not null default now()
);
create index feature_flag_changes_flag_idx
    on public.feature_flag_changes (flag_type, flag_id, changed_at desc);
create index feature_flag_changes_changed_by_idx on public.feature_flag_changes (changed_by);

create table public.feature_rollouts (
    id uuid primary key default gen_random_uuid(),
    flag_key text not null,
    rollout_percentage integer not null default 0
        check (rollout_percentage between 0 and 100),
    target_audience jsonb not null default '{}'::jsonb,
    start_date date not null,
    end_date date,
    status text not null default 'planned'
        check (status in ('planned', 'active', 'completed', 'paused')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index feature_rollouts_flag_key_status_idx on public.feature_rollouts (flag_key, status);
create index feature_rollouts_status_idx on public.feature_rollouts (status);

-- RLS ------------------------------------------------------------------------

alter table public.customer_feature_flags enable row level security;
alter table public.organization_feature_flags enable row level security;
alter table public.feature_flag_changes enable row level security;
alter table public.feature_rollouts enable row level security;

create policy "Organization members can view customer feature flags"
    on public.customer_feature_flags for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization admins can manage customer feature flags"
    on public.customer_feature_flags for all to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid()) and om.role in ('owner', 'admin')
        )
    )
    with check (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid()) and om.role in ('owner', 'admin')
        )
    );

create policy "Organization members can view organization feature flags"
    on public.organization_feature_flags for select to authenticated
    using (
        organization_id in (
            select om.organization_id from public.organization_members om
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view flag changes"
    on public.feature_flag_changes for select to authenticated
    using (
        (flag_type = 'organization' and flag_id in (
            select off.id from public.organization_feature_flags off
            join public.organization_members om on om.organization_id = off.organization_id
            where om.user_id = (select auth.uid())
        ))
        or (flag_type = 'customer' and flag_id in (
            select cff.id from public.customer_feature_flags cff
            join public.customer_configs cc on cc.id = cff.customer_id
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        ))
    );

create policy "Admins manage feature rollouts"
    on public.feature_rollouts for all to authenticated
    using ((select public.is_admin()))
    with check ((select public.is_admin()));
