create table public.rooms (
    id uuid primary key default gen_random_uuid(),
    slug text not null unique,
    created_by uuid not null references auth.users (id) on delete cascade,
    is_private boolean not null default true,
    created_at timestamptz not null default now()
);

create table public.room_members (
    room_id uuid not null references public.rooms (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    joined_at timestamptz not null default now(),
    primary key (room_id, user_id)
);

create index room_members_user_id_idx on public.room_members (user_id);

create table public.room_messages (
    id bigint generated always as identity primary key,
    room_id uuid not null references public.rooms (id) on delete cascade,
    author_id uuid not null references auth.users (id) on delete cascade,
    body text not null check (char_length(body) <= 4000),
    created_at timestamptz not null default now()
);

create index room_messages_room_id_created_at_idx on public.room_messages (room_id, created_at desc);
create index room_messages_author_id_idx on public.room_messages (author_id);

alter table public.rooms enable row level security;
alter table public.room_members enable row level security;
alter table public.room_messages enable row level security;

-- Membership check for policies, as a definer function so it bypasses RLS.
create function public.is_room_member(target_room uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
    select exists (
        select 1 from public.room_members m
        where m.room_id = target_room and m.user_id = (select auth.uid())
    )
$$;

create policy "Members see their rooms" on public.rooms
    for select to authenticated
    using (not is_private or public.is_room_member(id));

create policy "Members see room membership" on public.room_members
    for select to authenticated
    using (public.is_room_member(room_id));

create policy "Members read room messages" on public.room_messages
    for select to authenticated
    using (public.is_room_member(room_id));

create policy "Members post room messages" on public.room_messages
    for insert to authenticated
    with check (author_id = (select auth.uid()) and public.is_room_member(room_id));
