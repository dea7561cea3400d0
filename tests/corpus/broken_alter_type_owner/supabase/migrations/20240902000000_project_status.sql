-- Project status, and an audit table of its changes.
create type public.project_status as enum ('active', 'paused', 'archived');

alter table public.projects
    add column status public.project_status not null default 'active';

-- The bug: a type that was renamed before this file was committed.
ALTER TYPE public.never_created OWNER TO postgres;

create table public.project_events (
    id bigint generated always as identity primary key,
    project_id uuid not null references public.projects (id) on delete cascade,
    status public.project_status not null,
    changed_by uuid references auth.users (id) on delete set null,
    changed_at timestamptz not null default now()
);

create function public.set_project_status(target uuid, new_status public.project_status)
returns void
language sql
security invoker
as $$
    update public.projects set status = new_status where id = target;
    insert into public.project_events (project_id, status, changed_by)
    values (target, new_status, (select auth.uid()));
$$;
