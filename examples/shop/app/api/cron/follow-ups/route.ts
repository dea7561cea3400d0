import { NextResponse } from 'next/server'

import { sql } from '@/lib/db'
import { createAdminClient } from '@/lib/supabase/admin'

const FOLLOW_UPS = 'follow_up_messages'

// Vercel cron, every 10 minutes: send due follow-up messages, drop expired
// notifications.
export async function GET(request: Request) {
  if (request.headers.get('authorization') !== `Bearer ${process.env.CRON_SECRET}`) {
    return new NextResponse('unauthorized', { status: 401 })
  }
  const admin = createAdminClient()

  const { data: due } = await admin
    .from(FOLLOW_UPS)
    .select('id, message_template, conversation_id, conversations(session_id)')
    .eq('status', 'pending')
    .lte('scheduled_for', new Date().toISOString())
    .limit(100)

  let sent = 0
  for (const message of due ?? []) {
    // Delivery happens in the chat service; here we only flip the status.
    await admin
      .from(FOLLOW_UPS)
      .update({ status: 'sent', sent_at: new Date().toISOString() })
      .eq('id', message.id)
    sent++
  }

  const expired = await sql`
    delete from notifications
     where expires_at < now()
  `

  return NextResponse.json({ sent, expiredNotifications: expired.count })
}
