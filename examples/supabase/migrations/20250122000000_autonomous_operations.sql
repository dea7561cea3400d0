-- Autonomous operations: consent, credentials, the operation log and its audit trail.

create table public.autonomous_consent (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    user_identifier text not null,
    consent_type text not null check (
        consent_type in ('autonomous_quotes', 'autonomous_recommendations', 'autonomous_ordering')
    ),
    granted boolean not null default false,
    granted_at timestamptz,
    revoked_at timestamptz,
    ip_address text,
    user_agent text,
    metadata jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now()
);
-- One active consent per user and type; revoked rows are kept for the GDPR trail.
create unique index autonomous_consent_active_key
    on public.autonomous_consent (customer_id, user_identifier, consent_type)
    where revoked_at is null;
create index autonomous_consent_consent_type_idx on public.autonomous_consent (consent_type);

create table public.autonomous_credentials (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null unique references public.customer_configs (id) on delete cascade,
    encrypted_credentials jsonb not null,
    credential_types text[] not null default '{}',
    last_used_at timestamptz,
    expires_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table public.autonomous_operations (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    conversation_id uuid references public.conversations (id) on delete set null,
    operation_type text not null
        check (operation_type in ('quote_generated', 'recommendation_sent', 'order_placed')),
    user_identifier text not null,
    consent_verified boolean not null default false,
    operation_data jsonb not null default '{}'::jsonb,
    success boolean not null,
    error_message text,
    performed_at timestamptz not null default now(),
    audit_log jsonb not null default '[]'::jsonb
);
create index autonomous_operations_customer_performed_idx
    on public.autonomous_operations (customer_id, performed_at desc);
create index autonomous_operations_operation_type_idx
    on public.autonomous_operations (operation_type);
create index autonomous_operations_success_idx on public.autonomous_operations (success);
create index autonomous_operations_operation_data_idx
    on public.autonomous_operations using gin (operation_data);

create table public.autonomous_operations_audit (
    id uuid primary key default gen_random_uuid(),
    operation_id uuid not null references public.autonomous_operations (id) on delete cascade,
    audit_event text not null
        check (audit_event in ('consent_checked', 'api_call_made', 'result_verified')),
    event_data jsonb not null default '{}'::jsonb,
    "timestamp" timestamptz not null default now()
);
create index autonomous_operations_audit_operation_timestamp_idx
    on public.autonomous_operations_audit (operation_id, "timestamp");

-- RLS ------------------------------------------------------------------------

alter table public.autonomous_consent enable row level security;
alter table public.autonomous_credentials enable row level security;
alter table public.autonomous_operations enable row level security;
alter table public.autonomous_operations_audit enable row level security;

-- Domain-based: consent is given on one of the customer's domains.
create policy "Domain members can view consent records"
    on public.autonomous_consent for select to authenticated
    using (
        customer_id in (
            select d.customer_id from public.domains d
            join public.customer_configs cc on cc.id = d.customer_id
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

-- Credentials and the audit trail never reach a client: only the backend.
create policy "Service role manages autonomous credentials"
    on public.autonomous_credentials for all to service_role
    using (true) with check (true);

create policy "Organization members can view autonomous operations"
    on public.autonomous_operations for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Service role manages the operations audit"
    on public.autonomous_operations_audit for all to service_role
    using (true) with check (true);
