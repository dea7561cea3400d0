create table public.contacts (
    id uuid primary key default extensions.uuid_generate_v4(),
    owner_id uuid not null references auth.users (id) on delete cascade,
    email extensions.citext not null,
    display_name text,
    created_at timestamptz not null default now(),
    unique (owner_id, email)
);

create table public.documents (
    id uuid primary key default gen_random_uuid(),
    owner_id uuid not null references auth.users (id) on delete cascade,
    contact_id uuid references public.contacts (id) on delete set null,
    title text not null,
    body text not null default '',
    embedding extensions.vector(1536),
    checksum text not null default encode(extensions.digest('', 'sha256'), 'hex'),
    created_at timestamptz not null default now()
);

create index documents_owner_id_idx on public.documents (owner_id);
create index documents_contact_id_idx on public.documents (contact_id);
create index documents_title_trgm_idx on public.documents using gin (title gin_trgm_ops);
create index documents_embedding_idx on public.documents
    using hnsw (embedding extensions.vector_cosine_ops);

alter table public.contacts enable row level security;
alter table public.documents enable row level security;

create policy "Owners manage their contacts" on public.contacts
    for all to authenticated
    using ((select auth.uid()) = owner_id)
    with check ((select auth.uid()) = owner_id);

create policy "Owners read their documents" on public.documents
    for select to authenticated
    using ((select auth.uid()) = owner_id);

create policy "Owners write their documents" on public.documents
    for insert to authenticated
    with check ((select auth.uid()) = owner_id);

-- Fuzzy title search: the `%` operator and similarity() come from pg_trgm in public.
create function public.search_documents(query text, max_results integer default 10)
returns setof public.documents
language sql stable
as $$
    select *
    from public.documents
    where title % query
    order by public.similarity(title, query) desc
    limit max_results
$$;

create function public.match_documents(query_embedding extensions.vector(1536), match_count integer)
returns table (id uuid, title text, distance double precision)
language sql stable
as $$
    select d.id, d.title, d.embedding operator(extensions.<=>) query_embedding
    from public.documents d
    order by d.embedding operator(extensions.<=>) query_embedding
    limit match_count
$$;
