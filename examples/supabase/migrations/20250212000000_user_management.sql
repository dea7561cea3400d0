-- User management: sessions, in-app notifications, product feedback.

create table public.customer_sessions (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    session_id text not null unique,
    user_identifier text not null,
    started_at timestamptz not null default now(),
    last_activity_at timestamptz not null default now(),
    ip_address text,
    user_agent text,
    metadata jsonb not null default '{}'::jsonb,
    expired boolean not null default false
);
create index customer_sessions_customer_activity_idx
    on public.customer_sessions (customer_id, last_activity_at desc);
create index customer_sessions_expired_idx on public.customer_sessions (expired);

create table public.notifications (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null,
    type text not null,
    title text not null,
    message text not null,
    data jsonb,
    read boolean not null default false,
    read_at timestamptz,
    sent_at timestamptz not null default now(),
    expires_at timestamptz
);
create index notifications_user_read_sent_idx
    on public.notifications (user_id, read, sent_at desc);

create table public.feedback (
    id uuid primary key default gen_random_uuid(),
    user_id uuid,
    customer_id uuid,
    type text not null check (type in ('bug', 'feature_request', 'improvement', 'other')),
    title text not null,
    description text not null,
    status text not null default 'open'
        check (status in ('open', 'in_progress', 'resolved', 'closed')),
    priority text,
    metadata jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index feedback_status_created_idx on public.feedback (status, created_at desc);
create index feedback_type_idx on public.feedback (type);

-- RLS ------------------------------------------------------------------------

alter table public.customer_sessions enable row level security;
alter table public.notifications enable row level security;
alter table public.feedback enable row level security;

create policy "Organization members can view customer sessions"
    on public.customer_sessions for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Users read their own notifications"
    on public.notifications for select to authenticated
    using ((select auth.uid()) = user_id);

create policy "Users mark their own notifications read"
    on public.notifications for update to authenticated
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create policy "Users read their own feedback"
    on public.feedback for select to authenticated
    using ((select auth.uid()) = user_id);

create policy "Users submit their own feedback"
    on public.feedback for insert to authenticated
    with check ((select auth.uid()) = user_id);

create policy "Admins read all feedback"
    on public.feedback for select to authenticated
    using ((select public.is_admin()));
