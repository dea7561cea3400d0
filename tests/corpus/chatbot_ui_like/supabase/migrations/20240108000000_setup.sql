-- First migration of a chat app: outbound HTTP for storage clean-up, and the
-- shared helpers every later table uses.
create extension if not exists http with schema extensions;
create extension if not exists pg_net with schema extensions;

-- Storage objects are deleted through the Storage API, called from SQL.
create or replace function public.delete_storage_object(bucket text, object text, out status integer, out content text)
returns record
language plpgsql
security definer
set search_path = ''
as $$
declare
    project_url text := coalesce(current_setting('app.settings.api_url', true), 'http://127.0.0.1:54321');
    service_key text := coalesce(current_setting('app.settings.service_role_key', true), '');
    target text := project_url || '/storage/v1/object/' || bucket || '/' || object;
begin
    select into status, content
           r.status::integer, r.content::text
    from extensions.http((
        'DELETE',
        target,
        array[extensions.http_header('authorization', 'Bearer ' || service_key)],
        null,
        null
    )::extensions.http_request) as r;
end;
$$;

create or replace function public.delete_storage_object_from_bucket(bucket_name text, object_path text)
returns record
language plpgsql
security definer
set search_path = ''
as $$
declare
    result record;
begin
    select into result * from public.delete_storage_object(bucket_name, object_path);
    return result;
end;
$$;

-- Fire-and-forget notification to the indexing edge function.
create or replace function public.notify_file_indexer(file_id uuid)
returns bigint
language sql
security definer
set search_path = ''
as $$
    select net.http_post(
        url := coalesce(current_setting('app.settings.api_url', true), 'http://127.0.0.1:54321')
               || '/functions/v1/index-file',
        body := jsonb_build_object('file_id', file_id)
    )
$$;

create or replace function public.update_updated_at_column()
returns trigger
language plpgsql
as $$
begin
    new.updated_at = now();
    return new;
end;
$$;
