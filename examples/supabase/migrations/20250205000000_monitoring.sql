-- Alerts and monitoring: system alerts, thresholds, circuit breakers, error log.

create table public.alert_history (
    id uuid primary key default gen_random_uuid(),
    alert_type text not null,
    severity text not null check (severity in ('info', 'warning', 'error', 'critical')),
    message text not null,
    metadata jsonb not null default '{}'::jsonb,
    resolved boolean not null default false,
    resolved_at timestamptz,
    resolved_by uuid,
    created_at timestamptz not null default now()
);
create index alert_history_type_created_idx on public.alert_history (alert_type, created_at desc);
create index alert_history_severity_idx on public.alert_history (severity);
create index alert_history_resolved_idx on public.alert_history (resolved);

create table public.alert_thresholds (
    id uuid primary key default gen_random_uuid(),
    metric_name text not null,
    comparison text not null check (comparison in ('greater_than', 'less_than', 'equals')),
    threshold_value numeric not null,
    severity text not null,
    notification_channels text[] not null default '{}',
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index alert_thresholds_metric_active_idx on public.alert_thresholds (metric_name, active);

create table public.circuit_breaker_telemetry (
    id uuid primary key default gen_random_uuid(),
    service_name text not null,
    state text not null check (state in ('closed', 'open', 'half_open')),
    failure_count integer not null default 0,
    success_count integer not null default 0,
    last_failure_at timestamptz,
    last_success_at timestamptz,
    state_changed_at timestamptz not null default now(),
    created_at timestamptz not null default now()
);
create index circuit_breaker_telemetry_service_created_idx
    on public.circuit_breaker_telemetry (service_name, created_at desc);
create index circuit_breaker_telemetry_state_idx on public.circuit_breaker_telemetry (state);

create table public.error_logs (
    id uuid primary key default gen_random_uuid(),
    error_type text not null,
    error_message text not null,
    stack_trace text,
    context jsonb not null default '{}'::jsonb,
    user_id uuid,
    customer_id uuid,
    request_id text,
    severity text not null,
    created_at timestamptz not null default now()
);
create index error_logs_type_created_idx on public.error_logs (error_type, created_at desc);
create index error_logs_severity_idx on public.error_logs (severity);
create index error_logs_customer_id_idx on public.error_logs (customer_id);
-- DRIFT 4 (index_missing): the documented GIN index on error_logs.context was
-- never created: the table is write-heavy and nobody has searched it yet.

-- RLS ------------------------------------------------------------------------

alter table public.alert_history enable row level security;
alter table public.alert_thresholds enable row level security;
alter table public.error_logs enable row level security;
-- DRIFT 6 (rls_disabled): circuit_breaker_telemetry is documented as service-role
-- only, but row-level security is never enabled on it, so anon and authenticated
-- (which have table privileges through Supabase's default grants) see every row.

create policy "Admins can view alert history"
    on public.alert_history for select to authenticated
    using ((select public.is_admin()));

create policy "Admins manage alert thresholds"
    on public.alert_thresholds for all to authenticated
    using ((select public.is_admin()))
    with check ((select public.is_admin()));

create policy "Admins can view error logs"
    on public.error_logs for select to authenticated
    using ((select public.is_admin()));
