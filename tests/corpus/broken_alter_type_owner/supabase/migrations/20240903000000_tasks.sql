create table public.tasks (
    id uuid primary key default gen_random_uuid(),
    project_id uuid not null references public.projects (id) on delete cascade,
    title text not null,
    visible_in public.project_status[] not null default '{active}',
    created_at timestamptz not null default now()
);

create index tasks_project_id_idx on public.tasks (project_id);

alter table public.tasks enable row level security;

create policy "Project owners manage tasks" on public.tasks
    for all to authenticated
    using (exists (select 1 from public.projects p where p.id = project_id and p.owner_id = (select auth.uid())));
