create table if not exists public.profiles (
    id uuid primary key default uuid_generate_v4(),
    user_id uuid not null unique references auth.users (id) on delete cascade,
    username text not null unique check (char_length(username) between 3 and 25),
    display_name text not null default '' check (char_length(display_name) <= 100),
    bio text not null default '' check (char_length(bio) <= 500),
    image_path text not null default '',
    has_onboarded boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz
);

alter table public.profiles enable row level security;

create policy "Users manage their own profile" on public.profiles
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

create trigger update_profiles_updated_at
    before update on public.profiles
    for each row execute procedure public.update_updated_at_column();

-- A profile for every new user.
create or replace function public.create_profile_for_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    candidate text;
begin
    candidate := 'user' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 16);
    insert into public.profiles (user_id, username, display_name)
    values (new.id, candidate, coalesce(new.raw_user_meta_data ->> 'full_name', ''));
    return new;
end;
$$;

create trigger on_auth_user_created
    after insert on auth.users
    for each row execute procedure public.create_profile_for_new_user();

-- Profile pictures: public bucket, each user writes under their own folder.
insert into storage.buckets (id, name, public)
values ('profile_images', 'profile_images', true);

create policy "Anyone reads profile images" on storage.objects
    for select
    using (bucket_id = 'profile_images');

create policy "Users upload their own profile images" on storage.objects
    for insert to authenticated
    with check (
        bucket_id = 'profile_images'
        and (storage.foldername(name))[1] = (select auth.uid())::text
    );

create policy "Users replace their own profile images" on storage.objects
    for update to authenticated
    using (
        bucket_id = 'profile_images'
        and (storage.foldername(name))[1] = (select auth.uid())::text
    );

create policy "Users delete their own profile images" on storage.objects
    for delete to authenticated
    using (
        bucket_id = 'profile_images'
        and (storage.foldername(name))[1] = (select auth.uid())::text
    );

-- Removing a profile removes its picture from storage.
create or replace function public.delete_old_profile_image()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    status integer;
    content text;
begin
    if old.image_path <> '' then
        select into status, content result.status, result.content
        from public.delete_storage_object_from_bucket('profile_images', old.image_path) as result(status integer, content text);
        if status <> 200 then
            raise warning 'could not delete profile image %: % %', old.image_path, status, content;
        end if;
    end if;
    return old;
end;
$$;

create trigger delete_old_profile_image
    after delete on public.profiles
    for each row execute procedure public.delete_old_profile_image();
