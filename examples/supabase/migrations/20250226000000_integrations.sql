-- Messaging integrations: WhatsApp Business and Instagram.

create table public.whatsapp_templates (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    template_id text not null,
    name text not null,
    language text not null,
    category text not null,
    components jsonb not null default '[]'::jsonb,
    status text not null default 'pending' check (status in ('approved', 'pending', 'rejected')),
    created_at timestamptz not null default now(),
    unique (customer_id, template_id)
);
create index whatsapp_templates_status_idx on public.whatsapp_templates (status);

create table public.whatsapp_sessions (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    phone_number text not null,
    window_opened_at timestamptz not null default now(),
    window_expires_at timestamptz not null default now() + interval '24 hours',
    last_message_at timestamptz not null default now(),
    messages_sent integer not null default 0,
    active boolean not null default true,
    created_at timestamptz not null default now()
);
-- One open 24-hour window per phone number.
create unique index whatsapp_sessions_active_phone_key
    on public.whatsapp_sessions (customer_id, phone_number)
    where active = true;
create index whatsapp_sessions_window_expires_at_idx
    on public.whatsapp_sessions (window_expires_at);

create table public.whatsapp_webhooks (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid,
    event_type text not null,
    payload jsonb not null,
    processed boolean not null default false,
    processed_at timestamptz,
    error_message text,
    received_at timestamptz not null default now()
);
create index whatsapp_webhooks_event_received_idx
    on public.whatsapp_webhooks (event_type, received_at desc);
create index whatsapp_webhooks_processed_idx on public.whatsapp_webhooks (processed);
create index whatsapp_webhooks_payload_idx on public.whatsapp_webhooks using gin (payload);

create table public.whatsapp_oauth_tokens (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null unique references public.customer_configs (id) on delete cascade,
    access_token_encrypted text not null,
    refresh_token_encrypted text,
    token_type text not null default 'bearer',
    expires_at timestamptz not null,
    scopes text[] not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index whatsapp_oauth_tokens_expires_at_idx on public.whatsapp_oauth_tokens (expires_at);

create table public.instagram_credentials (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null unique references public.customer_configs (id) on delete cascade,
    instagram_business_account_id text not null,
    access_token_encrypted text not null,
    token_expires_at timestamptz not null,
    scopes text[] not null default '{}',
    connected_at timestamptz not null default now(),
    last_used_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index instagram_credentials_token_expires_at_idx
    on public.instagram_credentials (token_expires_at);

-- RLS ------------------------------------------------------------------------

alter table public.whatsapp_templates enable row level security;
alter table public.whatsapp_sessions enable row level security;
alter table public.whatsapp_webhooks enable row level security;
alter table public.whatsapp_oauth_tokens enable row level security;
alter table public.instagram_credentials enable row level security;

create policy "Organization members can view WhatsApp templates"
    on public.whatsapp_templates for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view WhatsApp sessions"
    on public.whatsapp_sessions for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

-- Webhook payloads and OAuth tokens: backend only.
create policy "Service role manages WhatsApp webhooks"
    on public.whatsapp_webhooks for all to service_role
    using (true) with check (true);

create policy "Service role manages WhatsApp OAuth tokens"
    on public.whatsapp_oauth_tokens for all to service_role
    using (true) with check (true);

create policy "Service role manages Instagram credentials"
    on public.instagram_credentials for all to service_role
    using (true) with check (true);
