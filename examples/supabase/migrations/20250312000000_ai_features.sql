-- AI features: quotes, quote rate limits, recommendations, follow-ups.

create table public.ai_quotes (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null references public.conversations (id) on delete cascade,
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    quote_number text not null unique,
    items jsonb not null default '[]'::jsonb,
    subtotal numeric(12, 2) not null,
    tax numeric(12, 2) not null default 0,
    total numeric(12, 2) not null,
    valid_until timestamptz not null,
    status text not null default 'draft'
        check (status in ('draft', 'sent', 'accepted', 'rejected', 'expired')),
    generated_at timestamptz not null default now(),
    sent_at timestamptz,
    accepted_at timestamptz
);
create index ai_quotes_customer_generated_idx on public.ai_quotes (customer_id, generated_at desc);
create index ai_quotes_status_idx on public.ai_quotes (status);

create table public.quote_rate_limits (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    user_identifier text not null,
    quotes_generated_today integer not null default 0,
    last_quote_at timestamptz not null default now(),
    "date" date not null default current_date,
    unique (customer_id, user_identifier, "date")
);

create table public.recommendation_events (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null references public.conversations (id) on delete cascade,
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    recommendation_type text not null
        check (recommendation_type in ('product', 'service', 'article')),
    recommended_items jsonb not null default '[]'::jsonb,
    reason text not null,
    confidence_score numeric(4, 3) not null,
    user_action text check (user_action in ('clicked', 'purchased', 'ignored')),
    created_at timestamptz not null default now()
);
create index recommendation_events_customer_created_idx
    on public.recommendation_events (customer_id, created_at desc);
create index recommendation_events_type_idx on public.recommendation_events (recommendation_type);
create index recommendation_events_items_idx
    on public.recommendation_events using gin (recommended_items);

create table public.follow_up_messages (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null references public.conversations (id) on delete cascade,
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    message_template text not null,
    scheduled_for timestamptz not null,
    sent_at timestamptz,
    status text not null default 'pending' check (status in ('pending', 'sent', 'cancelled')),
    created_at timestamptz not null default now()
);
create index follow_up_messages_pending_idx
    on public.follow_up_messages (status, scheduled_for)
    where status = 'pending';
create index follow_up_messages_conversation_id_idx
    on public.follow_up_messages (conversation_id);

-- RLS ------------------------------------------------------------------------

alter table public.ai_quotes enable row level security;
alter table public.quote_rate_limits enable row level security;
alter table public.recommendation_events enable row level security;
alter table public.follow_up_messages enable row level security;

create policy "Organization members can view quotes"
    on public.ai_quotes for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Service role manages quote rate limits"
    on public.quote_rate_limits for all to service_role
    using (true) with check (true);

create policy "Organization members can view recommendation events"
    on public.recommendation_events for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view follow-up messages"
    on public.follow_up_messages for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );
