create table public.status_checks (
    id bigint generated always as identity primary key,
    url text not null,
    last_status integer,
    last_request_id bigint,
    checked_at timestamptz
);

alter table public.status_checks enable row level security;

create policy "Service role manages status checks" on public.status_checks
    to service_role
    using (true) with check (true);

-- Synchronous call through the http extension (blocking, returns the response).
create function public.fetch_status(target text)
returns integer
language sql volatile
as $$
    select status from extensions.http_get(target)
$$;

create function public.post_json(target text, payload jsonb)
returns text
language sql volatile
as $$
    select content
    from extensions.http_post(target, payload::text, 'application/json')
$$;

-- Asynchronous call through pg_net (queued, returns the request id).
create function public.queue_status_ping(check_id bigint)
returns bigint
language sql volatile security definer
set search_path = ''
as $$
    select net.http_post(
        url := (select c.url from public.status_checks c where c.id = check_id),
        body := jsonb_build_object('check_id', check_id),
        headers := '{"Content-Type": "application/json"}'::jsonb,
        timeout_milliseconds := 2000
    )
$$;

create function public.record_ping()
returns trigger
language plpgsql
as $$
begin
    new.last_request_id := net.http_get(new.url);
    new.checked_at := now();
    return new;
end
$$;

create trigger status_checks_ping
    before insert on public.status_checks
    for each row execute function public.record_ping();
