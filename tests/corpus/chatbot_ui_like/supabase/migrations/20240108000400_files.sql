create extension if not exists vector with schema extensions;

create table if not exists public.files (
    id uuid primary key default uuid_generate_v4(),
    user_id uuid not null references auth.users (id) on delete cascade,
    name text not null check (char_length(name) <= 100),
    description text not null default '',
    file_path text not null,
    size integer not null,
    tokens integer not null default 0,
    type text not null,
    sharing text not null default 'private',
    created_at timestamptz not null default now(),
    updated_at timestamptz
);

create index idx_files_user_id on public.files (user_id);

create table if not exists public.file_items (
    id uuid primary key default uuid_generate_v4(),
    file_id uuid not null references public.files (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    content text not null,
    tokens integer not null,
    openai_embedding extensions.vector(1536),
    local_embedding extensions.vector(384),
    created_at timestamptz not null default now(),
    updated_at timestamptz
);

create index idx_file_items_file_id on public.file_items (file_id);
create index file_items_openai_embedding_idx on public.file_items
    using hnsw (openai_embedding extensions.vector_cosine_ops);
create index file_items_local_embedding_idx on public.file_items
    using hnsw (local_embedding extensions.vector_cosine_ops);

alter table public.files enable row level security;
alter table public.file_items enable row level security;

create policy "Owners manage their files" on public.files
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create policy "Owners manage their file items" on public.file_items
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create trigger update_files_updated_at
    before update on public.files
    for each row execute procedure public.update_updated_at_column();

create or replace function public.index_new_file()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform public.notify_file_indexer(new.id);
    return new;
end;
$$;

create trigger index_new_file
    after insert on public.files
    for each row execute procedure public.index_new_file();

create or replace function public.match_file_items_openai(
    query_embedding extensions.vector(1536),
    match_count integer default null,
    file_ids uuid[] default null
) returns table (id uuid, file_id uuid, content text, tokens integer, similarity double precision)
language sql stable
as $$
    select fi.id, fi.file_id, fi.content, fi.tokens,
           1 - (fi.openai_embedding operator(extensions.<=>) query_embedding) as similarity
    from public.file_items fi
    where file_ids is null or fi.file_id = any (file_ids)
    order by fi.openai_embedding operator(extensions.<=>) query_embedding
    limit match_count
$$;

insert into storage.buckets (id, name, public, file_size_limit)
values ('files', 'files', false, 52428800);

create policy "Users read their own files" on storage.objects
    for select to authenticated
    using (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid())::text);

create policy "Users upload their own files" on storage.objects
    for insert to authenticated
    with check (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid())::text);

create policy "Users delete their own files" on storage.objects
    for delete to authenticated
    using (bucket_id = 'files' and (storage.foldername(name))[1] = (select auth.uid())::text);

create or replace function public.delete_file_object()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform public.delete_storage_object_from_bucket('files', old.file_path);
    return old;
end;
$$;

create trigger delete_file_object
    after delete on public.files
    for each row execute procedure public.delete_file_object();
