-- Product embedding cache for semantic search; chart annotations; metric goals.

create table public.product_embeddings (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    product_id text not null,
    product_name text not null,
    product_description text not null,
    embedding extensions.vector(1536) not null,
    metadata jsonb not null default '{}'::jsonb,
    content_hash text not null,  -- MD5 of name + description, for cache validation
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (customer_id, product_id)
);
create index product_embeddings_embedding_idx
    on public.product_embeddings using hnsw (embedding extensions.vector_cosine_ops);
create index product_embeddings_content_hash_idx on public.product_embeddings (content_hash);

create table public.chart_annotations (
    id uuid primary key default gen_random_uuid(),
    customer_id uuid not null references public.customer_configs (id) on delete cascade,
    chart_type text not null check (chart_type in ('revenue', 'conversations', 'conversion_rate')),
    "date" date not null,
    annotation_text text not null,
    annotation_type text not null check (annotation_type in ('event', 'milestone', 'anomaly')),
    created_by uuid not null,
    created_at timestamptz not null default now()
);
create index chart_annotations_customer_chart_date_idx
    on public.chart_annotations (customer_id, chart_type, "date");

create table public.metric_goals (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references public.organizations (id) on delete cascade,
    metric_name text not null,
    target_value numeric not null,
    current_value numeric,
    time_period text not null check (time_period in ('daily', 'weekly', 'monthly', 'quarterly')),
    start_date date not null,
    end_date date not null,
    status text not null default 'active'
        check (status in ('active', 'achieved', 'missed', 'abandoned')),
    created_by uuid not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index metric_goals_org_status_end_idx
    on public.metric_goals (organization_id, status, end_date desc);
create index metric_goals_metric_name_idx on public.metric_goals (metric_name);

-- RLS ------------------------------------------------------------------------

alter table public.product_embeddings enable row level security;
alter table public.chart_annotations enable row level security;
alter table public.metric_goals enable row level security;

create policy "Organization members can view product embeddings"
    on public.product_embeddings for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view chart annotations"
    on public.chart_annotations for select to authenticated
    using (
        customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can add chart annotations"
    on public.chart_annotations for insert to authenticated
    with check (
        created_by = (select auth.uid())
        and customer_id in (
            select cc.id from public.customer_configs cc
            join public.organization_members om on om.organization_id = cc.organization_id
            where om.user_id = (select auth.uid())
        )
    );

create policy "Organization members can view metric goals"
    on public.metric_goals for select to authenticated
    using (
        organization_id in (
            select om.organization_id from public.organization_members om
            where om.user_id = (select auth.uid())
        )
    );
