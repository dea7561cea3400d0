import { NextResponse } from 'next/server'

import { logError } from '@/lib/errors'
import { createAdminClient } from '@/lib/supabase/admin'

const DAILY_LIMIT = 5
const TAX_RATE = 0.2

type QuoteRequest = {
  customerId: string
  conversationId: string
  userIdentifier: string
  items: { product_id: string; quantity: number; price: number }[]
}

// Called by the chat assistant when a visitor asks for a quote.
export async function POST(request: Request) {
  const body = (await request.json()) as QuoteRequest
  const admin = createAdminClient()

  // 1. The visitor must have consented to autonomous quotes (GDPR).
  const { data: consent } = await admin
    .from('autonomous_consent')
    .select('id, granted')
    .eq('customer_id', body.customerId)
    .eq('user_identifier', body.userIdentifier)
    .eq('consent_type', 'autonomous_quotes')
    .is('revoked_at', null)
    .maybeSingle()
  if (!consent?.granted) {
    return NextResponse.json({ error: 'consent required' }, { status: 403 })
  }

  // 2. Rate limit per visitor and day.
  const today = new Date().toISOString().slice(0, 10)
  const { data: limit } = await admin
    .from('quote_rate_limits')
    .select('quotes_generated_today')
    .match({ customer_id: body.customerId, user_identifier: body.userIdentifier, date: today })
    .maybeSingle()
  const used = limit?.quotes_generated_today ?? 0
  if (used >= DAILY_LIMIT) {
    return NextResponse.json({ error: 'daily quote limit reached' }, { status: 429 })
  }

  await admin.from('quote_rate_limits').upsert(
    {
      customer_id: body.customerId,
      user_identifier: body.userIdentifier,
      date: today,
      quotes_generated_today: used + 1,
      last_quote_at: new Date().toISOString(),
    },
    { onConflict: 'customer_id,user_identifier,date' },
  )

  // 3. The quote itself.
  const subtotal = body.items.reduce((sum, item) => sum + item.price * item.quantity, 0)
  const tax = Math.round(subtotal * TAX_RATE * 100) / 100
  const total = subtotal + tax
  const { data: quote, error } = await admin
    .from('ai_quotes')
    .insert({
      conversation_id: body.conversationId,
      customer_id: body.customerId,
      quote_number: `Q-${Date.now().toString(36).toUpperCase()}`,
      items: body.items,
      subtotal,
      tax,
      total,
      valid_until: new Date(Date.now() + 14 * 24 * 3600 * 1000).toISOString(),
      status: 'draft',
    })
    .select('id, quote_number, total')
    .single()

  // 4. Log the autonomous operation, successful or not.
  await admin.from('autonomous_operations').insert({
    customer_id: body.customerId,
    conversation_id: body.conversationId,
    operation_type: 'quote_generated',
    user_identifier: body.userIdentifier,
    consent_verified: true,
    operation_data: { quote_id: quote?.id ?? null, items: body.items.length },
    success: !error,
    error_message: error?.message ?? null,
  })

  if (error) {
    await logError(error, { route: 'api/quotes', customerId: body.customerId })
    return NextResponse.json({ error: 'could not create the quote' }, { status: 500 })
  }
  return NextResponse.json(quote)
}
