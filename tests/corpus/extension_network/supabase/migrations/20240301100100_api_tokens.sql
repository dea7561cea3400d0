create table public.api_tokens (
    id bigint generated always as identity primary key,
    user_id uuid not null references auth.users (id) on delete cascade,
    label text not null,
    token_hash text not null unique,
    expires_at timestamptz not null default now() + interval '90 days',
    created_at timestamptz not null default now()
);

create index api_tokens_user_id_idx on public.api_tokens (user_id);

alter table public.api_tokens enable row level security;

create policy "Users see their own tokens" on public.api_tokens
    for select to authenticated
    using ((select auth.uid()) = user_id);

create policy "Users revoke their own tokens" on public.api_tokens
    for delete to authenticated
    using ((select auth.uid()) = user_id);

-- Tokens signed with pgjwt; the secret comes from a database setting.
create function public.sign_api_token(user_id uuid, label text)
returns text
language sql stable security definer
set search_path = ''
as $$
    select extensions.sign(
        json_build_object('sub', user_id, 'label', label, 'exp', extract(epoch from now() + interval '90 days')::bigint),
        coalesce(current_setting('app.settings.jwt_secret', true), 'unset')
    )
$$;

create function public.api_token_claims(token text)
returns json
language sql stable security definer
set search_path = ''
as $$
    select payload
    from extensions.verify(token, coalesce(current_setting('app.settings.jwt_secret', true), 'unset'))
    where valid
$$;

revoke execute on function public.sign_api_token(uuid, text) from public, anon;
