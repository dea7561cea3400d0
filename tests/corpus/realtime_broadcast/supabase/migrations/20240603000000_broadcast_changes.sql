-- Broadcast every change of a room's messages to its private channel.
create or replace function public.room_messages_broadcast()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform realtime.broadcast_changes(
        'room:' || coalesce(new.room_id, old.room_id)::text,
        tg_op,
        tg_op,
        tg_table_name,
        tg_table_schema,
        new,
        old
    );
    return null;
end;
$$;

create trigger room_messages_broadcast
    after insert or update or delete on public.room_messages
    for each row execute function public.room_messages_broadcast();

-- Typing indicators: a broadcast message, nothing stored in public tables.
create function public.send_typing(target_room uuid)
returns void
language sql
security definer
set search_path = ''
as $$
    select realtime.send(
        jsonb_build_object('user_id', (select auth.uid()), 'at', now()),
        'typing',
        'room:' || target_room::text,
        true
    )
$$;

create function public.announce_room(target_room uuid, announcement text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
    perform realtime.send(jsonb_build_object('text', announcement), 'announcement', 'room:' || target_room::text, false);
end;
$$;

revoke execute on function public.announce_room(uuid, text) from public, anon, authenticated;

-- Postgres Changes for the rooms list.
alter publication supabase_realtime add table public.rooms;
