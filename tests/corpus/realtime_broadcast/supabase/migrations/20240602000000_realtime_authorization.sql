-- Realtime Authorization: private channels named room:<room id>, guarded by
-- policies on realtime.messages that read the channel's topic.
create policy "Members receive room broadcasts" on realtime.messages
    for select to authenticated
    using (
        (select realtime.topic()) like 'room:%'
        and public.is_room_member(split_part((select realtime.topic()), ':', 2)::uuid)
    );

create policy "Members broadcast and track presence in their rooms" on realtime.messages
    for insert to authenticated
    with check (
        realtime.messages.extension in ('broadcast', 'presence')
        and (select realtime.topic()) like 'room:%'
        and public.is_room_member(split_part((select realtime.topic()), ':', 2)::uuid)
    );
