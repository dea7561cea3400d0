-- Translation and localization.

create table public.language_preferences (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    user_identifier text not null,
    language_code text not null,
    auto_detected boolean not null default true,
    manually_set boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (customer_id, user_identifier)
);
create index language_preferences_language_code_idx
    on public.language_preferences (language_code);

create table public.translation_cache (
    id uuid primary key default gen_random_uuid(),
    source_language text not null,
    target_language text not null,
    source_text text not null,
    translated_text text not null,
    translation_service text not null
        check (translation_service in ('google', 'deepl', 'openai')),
    quality_score numeric(4, 3),
    created_at timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    unique (source_language, target_language, source_text)
);
-- For LRU eviction.
create index translation_cache_last_used_at_idx on public.translation_cache (last_used_at);

create table public.translation_statistics (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    language_pair text not null,
    "date" date not null,
    translations_count integer not null default 0,
    cache_hits integer not null default 0,
    cache_misses integer not null default 0,
    api_cost_usd numeric(10, 4) not null default 0,
    created_at timestamptz not null default now(),
    unique (customer_id, language_pair, "date")
);

create table public.supported_languages (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    language_code text not null,
    language_name text not null,
    enabled boolean not null default true,
    is_default boolean not null default false,
    created_at timestamptz not null default now(),
    unique (customer_id, language_code)
);
create index supported_languages_enabled_idx on public.supported_languages (enabled);

-- RLS ------------------------------------------------------------------------

alter table public.language_preferences enable row level security;
alter table public.translation_cache enable row level security;
alter table public.translation_statistics enable row level security;
alter table public.supported_languages enable row level security;

create policy "Organization members can view language preferences"
    on public.language_preferences for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

-- Cached translations are not tenant data: anyone may read them; only the
-- backend (service role, which bypasses RLS) writes.
create policy "Anyone can read cached translations"
    on public.translation_cache for select to anon, authenticated
    using (true);

create policy "Organization members can view translation statistics"
    on public.translation_statistics for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view supported languages"
    on public.supported_languages for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization admins can manage supported languages"
    on public.supported_languages for all to authenticated
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
