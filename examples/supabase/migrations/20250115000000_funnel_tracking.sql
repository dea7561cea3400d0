-- Funnel tracking: per-conversation progress, custom funnels and their alerts.

create table public.conversation_funnel (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null unique references public.conversations (id) on delete cascade,
    current_stage text not null default 'initial'
        check (current_stage in ('initial', 'engaged', 'qualified', 'converted')),
    stage_timestamps jsonb not null default '{}'::jsonb,
    conversion_events jsonb[] not null default '{}',
    drop_off_stage text,
    drop_off_reason text,
    total_messages integer not null default 0,
    duration_seconds integer not null default 0,
    converted boolean not null default false,
    conversion_value numeric(12, 2),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index conversation_funnel_current_stage_idx on public.conversation_funnel (current_stage);
create index conversation_funnel_converted_idx on public.conversation_funnel (converted);
create index conversation_funnel_stage_timestamps_idx
    on public.conversation_funnel using gin (stage_timestamps);

create table public.custom_funnels (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    name text not null,
    description text,
    stages jsonb not null default '[]'::jsonb,
    active boolean not null default true,
    created_by uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index custom_funnels_customer_active_idx on public.custom_funnels (customer_id, active);

create table public.funnel_alert_rules (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    -- DRIFT 5 (fk_mismatch): the documentation says ON DELETE CASCADE; we keep the
    -- rules when a funnel is deleted, so the reference is cleared instead.
    funnel_id uuid references public.custom_funnels (id) on delete set null,
    metric_name text not null
        check (metric_name in ('conversion_rate', 'drop_off_rate', 'avg_time')),
    comparison text not null check (comparison in ('greater_than', 'less_than', 'equals')),
    threshold numeric not null,
    time_window interval not null default interval '1 day',
    recipients text[] not null default '{}',
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index funnel_alert_rules_customer_active_idx
    on public.funnel_alert_rules (customer_id, active);
create index funnel_alert_rules_funnel_id_idx on public.funnel_alert_rules (funnel_id);

create table public.funnel_alert_history (
    id uuid primary key default gen_random_uuid(),
    alert_rule_id uuid not null references public.funnel_alert_rules (id) on delete cascade,
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    triggered_at timestamptz not null default now(),
    metric_value numeric not null,
    threshold_value numeric not null,
    alert_sent boolean not null default false,
    recipients text[] not null default '{}',
    message text not null,
    metadata jsonb not null default '{}'::jsonb
);
create index funnel_alert_history_rule_triggered_idx
    on public.funnel_alert_history (alert_rule_id, triggered_at desc);
create index funnel_alert_history_customer_triggered_idx
    on public.funnel_alert_history (customer_id, triggered_at desc);

-- RLS ------------------------------------------------------------------------

alter table public.conversation_funnel enable row level security;
alter table public.custom_funnels enable row level security;
alter table public.funnel_alert_rules enable row level security;
alter table public.funnel_alert_history enable row level security;

-- Domain-based: a conversation belongs to the domain it happened on.
create policy "Domain members can view conversation funnels"
    on public.conversation_funnel for select to authenticated
    using (
        conversation_id in (
            select c.id from public.conversations c
            join public.domains d on d.id = c.domain_id
            join public.customer_configs cc on cc.id = d.customer_id
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view custom funnels"
    on public.custom_funnels for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization admins can manage custom funnels"
    on public.custom_funnels for all to authenticated
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

create policy "Organization members can view funnel alert rules"
    on public.funnel_alert_rules for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view funnel alert history"
    on public.funnel_alert_history for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );
