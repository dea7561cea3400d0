-- Cart analytics: abandonments, daily rollups, raw operations, per-session metrics.

create table public.cart_abandonments (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    session_id text not null,
    cart_data jsonb not null default '{}'::jsonb,
    abandoned_at timestamptz not null default now(),
    recovered_at timestamptz,
    recovery_email_sent_at timestamptz,
    total_value numeric(12, 2) not null default 0,
    created_at timestamptz not null default now()
);
create index cart_abandonments_customer_id_idx on public.cart_abandonments (customer_id);
create index cart_abandonments_abandoned_at_idx on public.cart_abandonments (abandoned_at);
create index cart_abandonments_unrecovered_idx on public.cart_abandonments (recovered_at)
    where recovered_at is null;
create index cart_abandonments_cart_data_idx on public.cart_abandonments using gin (cart_data);

create table public.cart_analytics_daily (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    "date" date not null,
    total_carts integer not null default 0,
    abandoned_carts integer not null default 0,
    recovered_carts integer not null default 0,
    abandonment_rate numeric(5, 4) not null default 0,
    recovery_rate numeric(5, 4) not null default 0,
    total_value_abandoned numeric(14, 2) not null default 0,
    total_value_recovered numeric(14, 2) not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint cart_analytics_daily_customer_date_key unique (customer_id, "date")
);
create index cart_analytics_daily_date_idx on public.cart_analytics_daily ("date" desc);

create table public.cart_operations (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    session_id text not null,
    operation_type text not null check (operation_type in ('add', 'remove', 'update', 'clear')),
    product_id text,
    quantity integer,
    price numeric(12, 2),
    metadata jsonb not null default '{}'::jsonb,
    "timestamp" timestamptz not null default now()
);
create index cart_operations_customer_timestamp_idx
    on public.cart_operations (customer_id, "timestamp" desc);
create index cart_operations_session_id_idx on public.cart_operations (session_id);
create index cart_operations_operation_type_idx on public.cart_operations (operation_type);

create table public.cart_session_metrics (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    session_id text not null unique,
    started_at timestamptz not null default now(),
    last_activity_at timestamptz not null default now(),
    total_operations integer not null default 0,
    items_added integer not null default 0,
    items_removed integer not null default 0,
    final_cart_value numeric(12, 2) not null default 0,
    abandoned boolean not null default false,
    converted boolean not null default false,
    conversion_value numeric(12, 2),
    duration_seconds integer not null default 0
);
create index cart_session_metrics_customer_started_idx
    on public.cart_session_metrics (customer_id, started_at desc);
create index cart_session_metrics_abandoned_idx on public.cart_session_metrics (abandoned)
    where abandoned;

-- RLS: members of the customer's organization --------------------------------

alter table public.cart_abandonments enable row level security;
alter table public.cart_analytics_daily enable row level security;
alter table public.cart_operations enable row level security;
alter table public.cart_session_metrics enable row level security;

create policy "Organization members can view cart abandonments"
    on public.cart_abandonments for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view daily cart analytics"
    on public.cart_analytics_daily for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view cart operations"
    on public.cart_operations for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view cart session metrics"
    on public.cart_session_metrics for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );
