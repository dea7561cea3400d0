create table if not exists public.workspaces (
    id uuid primary key default uuid_generate_v4(),
    user_id uuid not null references auth.users (id) on delete cascade,
    name text not null check (char_length(name) <= 100),
    description text not null default '',
    is_home boolean not null default false,
    default_model text not null default 'gpt-4o',
    default_temperature real not null default 0.5,
    sharing text not null default 'private',
    created_at timestamptz not null default now(),
    updated_at timestamptz
);

create index idx_workspaces_user_id on public.workspaces (user_id);

-- One home workspace per user.
create unique index idx_unique_home_workspace_per_user
    on public.workspaces (user_id)
    where is_home;

alter table public.workspaces enable row level security;

create policy "Owners manage their workspaces" on public.workspaces
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create policy "Anyone reads shared workspaces" on public.workspaces
    for select
    using (sharing <> 'private');

create or replace function public.prevent_home_workspace_deletion()
returns trigger
language plpgsql
as $$
begin
    if old.is_home then
        raise exception 'the home workspace cannot be deleted';
    end if;
    return old;
end;
$$;

create trigger prevent_update_of_home_field
    before delete on public.workspaces
    for each row execute procedure public.prevent_home_workspace_deletion();

create trigger update_workspaces_updated_at
    before update on public.workspaces
    for each row execute procedure public.update_updated_at_column();
