alter table public.project_events enable row level security;

create policy "Project owners read events" on public.project_events
    for select to authenticated
    using (exists (select 1 from public.projects p where p.id = project_id and p.owner_id = (select auth.uid())));

create index project_events_project_id_changed_at_idx
    on public.project_events (project_id, changed_at desc);
