'use client'

import { useEffect, useRef, useState } from 'react'

import { createClient } from '@/lib/supabase/client'

type Notification = {
  id: string
  type: string
  title: string
  message: string
  action_url: string | null
  read: boolean
  sent_at: string
}

export function NotificationBell({ userId }: { userId: string }) {
  const supabaseRef = useRef<ReturnType<typeof createClient> | null>(null)
  const [items, setItems] = useState<Notification[]>([])

  useEffect(() => {
    supabaseRef.current = createClient()
    const supabase = supabaseRef.current

    async function load() {
      const result = await supabaseRef.current
        ?.from('notifications')
        .select('id, type, title, message, action_url, read, sent_at')
        .eq('user_id', userId)
        .eq('read', false)
        .order('sent_at', { ascending: false })
        .limit(20)
      setItems((result?.data as Notification[] | null) ?? [])
    }
    load()

    // New notifications arrive over Realtime (the table is in supabase_realtime).
    const channel = supabase
      .channel(`notifications:${userId}`)
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'notifications', filter: `user_id=eq.${userId}` },
        (payload) => setItems((current) => [payload.new as Notification, ...current]),
      )
      .subscribe()
    return () => {
      supabase.removeChannel(channel)
    }
  }, [userId])

  // "Users mark their own notifications read": an UPDATE policy for the owner.
  async function markRead(id: string) {
    await supabaseRef.current
      ?.from('notifications')
      .update({ read: true, read_at: new Date().toISOString() })
      .eq('id', id)
    setItems((current) => current.filter((n) => n.id !== id))
  }

  return (
    <ul aria-label="notifications">
      {items.map((n) => (
        <li key={n.id}>
          <a href={n.action_url ?? '#'} onClick={() => markRead(n.id)}>
            {n.title}
          </a>
        </li>
      ))}
    </ul>
  )
}
