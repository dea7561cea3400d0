-- Tenancy model: organizations own customer configurations (one per storefront
-- or assistant deployment); users belong to organizations through
-- organization_members; a customer serves one or more web domains; chat
-- conversations happen on a domain.
--
-- These tables are referenced by the documented tables (docs/UNDOCUMENTED_TABLES.md)
-- but are not documented there themselves, so `schemaverify check` lists them
-- as undocumented (info).

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists vector with schema extensions;

create table public.organizations (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    slug text not null unique,
    created_at timestamptz not null default now()
);

create table public.organization_members (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references public.organizations (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    role text not null default 'member' check (role in ('owner', 'admin', 'member')),
    created_at timestamptz not null default now(),
    unique (organization_id, user_id)
);
create index organization_members_user_id_idx on public.organization_members (user_id);

create table public.customer_configs (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references public.organizations (id) on delete cascade,
    business_name text not null,
    settings jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index customer_configs_organization_id_idx on public.customer_configs (organization_id);

create table public.domains (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    domain text not null unique,
    verified boolean not null default false,
    created_at timestamptz not null default now()
);
create index domains_customer_id_idx on public.domains (customer_id);

create table public.conversations (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    domain_id uuid references public.domains (id) on delete set null,
    session_id text not null,
    started_at timestamptz not null default now(),
    ended_at timestamptz
);
create index conversations_customer_id_idx on public.conversations (customer_id);
create index conversations_domain_id_idx on public.conversations (domain_id);

-- Platform administrators carry app_metadata.role = 'admin' in their JWT.
create function public.is_admin() returns boolean
language sql stable
set search_path = ''
as $$
    select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'role', '') = 'admin'
$$;

-- Row-level security on the tenancy tables -----------------------------------

alter table public.organizations enable row level security;
alter table public.organization_members enable row level security;
alter table public.customer_configs enable row level security;
alter table public.domains enable row level security;
alter table public.conversations enable row level security;

create policy "Members can view their organizations"
    on public.organizations for select to authenticated
    using (
        id in (
            select om.organization_id from public.organization_members om
            where om.user_id = (select auth.uid())
        )
    );

create policy "Members can view their own memberships"
    on public.organization_members for select to authenticated
    using ((select auth.uid()) = user_id);

create policy "Members can view their customer configs"
    on public.customer_configs for select to authenticated
    using (
        organization_id in (
            select om.organization_id from public.organization_members om
            where om.user_id = (select auth.uid())
        )
    );

create policy "Members can view their domains"
    on public.domains for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Members can view conversations on their domains"
    on public.conversations for select to authenticated
    using (
        domain_id in (
            select d.id from public.domains d
            join public.customer_configs cc on cc.id = d.customer_id
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );
