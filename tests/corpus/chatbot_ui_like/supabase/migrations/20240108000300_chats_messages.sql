create table if not exists public.chats (
    id uuid primary key default uuid_generate_v4(),
    user_id uuid not null references auth.users (id) on delete cascade,
    workspace_id uuid not null references public.workspaces (id) on delete cascade,
    name text not null check (char_length(name) <= 200),
    model text not null,
    prompt text not null default '',
    temperature real not null default 0.5,
    sharing text not null default 'private',
    created_at timestamptz not null default now(),
    updated_at timestamptz
);

create index idx_chats_user_id on public.chats (user_id);
create index idx_chats_workspace_id on public.chats (workspace_id);

create table if not exists public.messages (
    id uuid primary key default uuid_generate_v4(),
    chat_id uuid not null references public.chats (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    role text not null check (role in ('system', 'user', 'assistant')),
    content text not null check (char_length(content) <= 1000000),
    model text not null,
    image_paths text[] not null default '{}',
    sequence_number integer not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (chat_id, sequence_number)
);

create index idx_messages_chat_id on public.messages (chat_id);

alter table public.chats enable row level security;
alter table public.messages enable row level security;

create policy "Owners manage their chats" on public.chats
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create policy "Owners manage their messages" on public.messages
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create policy "Anyone reads messages of shared chats" on public.messages
    for select
    using (exists (
        select 1 from public.chats c
        where c.id = messages.chat_id and c.sharing <> 'private'
    ));

create trigger update_chats_updated_at
    before update on public.chats
    for each row execute procedure public.update_updated_at_column();

create trigger update_messages_updated_at
    before update on public.messages
    for each row execute procedure public.update_updated_at_column();

-- Message images live in a private bucket, under <user id>/<message id>/.
insert into storage.buckets (id, name, public)
values ('message_images', 'message_images', false);

create policy "Users read their own message images" on storage.objects
    for select to authenticated
    using (
        bucket_id = 'message_images'
        and (
            (storage.foldername(name))[1] = (select auth.uid())::text
            or exists (
                select 1
                from public.chats c
                join public.messages m on m.chat_id = c.id
                where m.id::text = (storage.foldername(name))[2]
                  and c.sharing <> 'private'
            )
        )
    );

create policy "Users write their own message images" on storage.objects
    for insert to authenticated
    with check (
        bucket_id = 'message_images'
        and (storage.foldername(name))[1] = (select auth.uid())::text
    );

create policy "Users delete their own message images" on storage.objects
    for delete to authenticated
    using (
        bucket_id = 'message_images'
        and (storage.foldername(name))[1] = (select auth.uid())::text
    );

create or replace function public.delete_message_images()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    path text;
begin
    foreach path in array old.image_paths loop
        perform public.delete_storage_object_from_bucket('message_images', path);
    end loop;
    return old;
end;
$$;

create trigger delete_message_images
    after delete on public.messages
    for each row execute procedure public.delete_message_images();

create or replace function public.delete_messages_including_and_after(
    p_user_id uuid, p_chat_id uuid, p_sequence_number integer
) returns void
language sql
as $$
    delete from public.messages
    where user_id = p_user_id
      and chat_id = p_chat_id
      and sequence_number >= p_sequence_number
$$;
