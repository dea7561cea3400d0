import { NextResponse } from 'next/server'

import { createAdminClient } from '@/lib/supabase/admin'

const WINDOW_MS = 24 * 3600 * 1000

// Meta's verification handshake.
export async function GET(request: Request) {
  const url = new URL(request.url)
  if (url.searchParams.get('hub.verify_token') !== process.env.WHATSAPP_VERIFY_TOKEN) {
    return new NextResponse('forbidden', { status: 403 })
  }
  return new NextResponse(url.searchParams.get('hub.challenge'))
}

// Store the raw event for the worker (worker/whatsapp.py) and keep the 24-hour
// customer-service window open.
export async function POST(request: Request) {
  const payload = await request.json()
  const change = payload.entry?.[0]?.changes?.[0]
  const phoneNumberId: string | undefined = change?.value?.metadata?.phone_number_id
  const admin = createAdminClient()

  const { data: customer } = await admin
    .from('customer_configs')
    .select('id')
    .eq('settings->>whatsapp_phone_number_id', phoneNumberId)
    .maybeSingle()

  const { error } = await admin.from('whatsapp_webhooks').insert({
    customer_id: customer?.id ?? null,
    event_type: change?.field ?? 'unknown',
    payload,
  })
  if (error) return new NextResponse('retry', { status: 500 })

  const from: string | undefined = change?.value?.messages?.[0]?.from
  if (customer && from) {
    const now = new Date()
    const { data: session } = await admin
      .from('whatsapp_sessions')
      .select('id, messages_sent')
      .eq('customer_id', customer.id)
      .eq('phone_number', from)
      .eq('active', true)
      .maybeSingle()

    if (session) {
      await admin
        .from('whatsapp_sessions')
        .update({
          last_message_at: now.toISOString(),
          window_expires_at: new Date(now.getTime() + WINDOW_MS).toISOString(),
        })
        .eq('id', session.id)
    } else {
      await admin.from('whatsapp_sessions').insert({
        customer_id: customer.id,
        phone_number: from,
        window_opened_at: now.toISOString(),
        window_expires_at: new Date(now.getTime() + WINDOW_MS).toISOString(),
      })
    }
  }

  return NextResponse.json({ received: true })
}
