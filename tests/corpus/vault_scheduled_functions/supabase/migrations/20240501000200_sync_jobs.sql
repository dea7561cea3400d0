create table public.sync_runs (
    id bigint generated always as identity primary key,
    requested_by uuid references auth.users (id) on delete set null,
    request_id bigint,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    error text
);

create index sync_runs_requested_by_idx on public.sync_runs (requested_by);
create index sync_runs_started_at_idx on public.sync_runs (started_at desc);

alter table public.sync_runs enable row level security;

create policy "Service role manages sync runs" on public.sync_runs
    to service_role
    using (true) with check (true);

-- Reading a secret: only through this definer function, never granted to clients.
create function public.vault_secret(secret_name text)
returns text
language sql stable security definer
set search_path = ''
as $$
    select ds.decrypted_secret
    from vault.decrypted_secrets ds
    where ds.name = secret_name
    limit 1
$$;

revoke execute on function public.vault_secret(text) from public, anon, authenticated;

create function public.request_sync(requested_by uuid default null)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
    rid bigint;
begin
    select net.http_post(
        url := public.vault_secret('project_url') || '/functions/v1/sync',
        headers := jsonb_build_object(
            'Content-Type', 'application/json',
            'Authorization', 'Bearer ' || public.vault_secret('api_key')
        ),
        body := jsonb_build_object('requested_at', now())
    ) into rid;
    insert into public.sync_runs (requested_by, request_id) values (requested_by, rid);
    return rid;
end;
$$;

select cron.schedule(
    'invoke-sync-every-ten-minutes',
    '*/10 * * * *',
    $$
    select net.http_post(
        url := (select decrypted_secret from vault.decrypted_secrets where name = 'project_url') || '/functions/v1/sync',
        headers := jsonb_build_object(
            'Content-Type', 'application/json',
            'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets where name = 'api_key')
        ),
        body := jsonb_build_object('time', now())
    ) as request_id;
    $$
);
