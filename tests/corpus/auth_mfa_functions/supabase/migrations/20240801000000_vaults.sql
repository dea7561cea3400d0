create table public.team_vaults (
    id uuid primary key default gen_random_uuid(),
    owner_id uuid not null references auth.users (id) on delete cascade,
    name text not null,
    requires_mfa boolean not null default true,
    created_at timestamptz not null default now()
);

create table public.vault_items (
    id uuid primary key default gen_random_uuid(),
    vault_id uuid not null references public.team_vaults (id) on delete cascade,
    created_by uuid not null references auth.users (id) on delete cascade,
    label text not null,
    ciphertext text not null,
    created_at timestamptz not null default now()
);

create index team_vaults_owner_id_idx on public.team_vaults (owner_id);
create index vault_items_vault_id_idx on public.vault_items (vault_id);
create index vault_items_created_by_idx on public.vault_items (created_by);

alter table public.team_vaults enable row level security;
alter table public.vault_items enable row level security;

create policy "Owners manage their vaults" on public.team_vaults
    for all to authenticated
    using ((select auth.uid()) = owner_id)
    with check ((select auth.uid()) = owner_id);

create policy "Vault owners manage items" on public.vault_items
    for all to authenticated
    using (exists (select 1 from public.team_vaults v where v.id = vault_id and v.owner_id = (select auth.uid())))
    with check (exists (select 1 from public.team_vaults v where v.id = vault_id and v.owner_id = (select auth.uid())));
