import { NextResponse } from 'next/server'

import { createAdminClient } from '@/lib/supabase/admin'

type RecommendBody = {
  customerId: string
  conversationId: string
  candidateIds: string[]
  reason: string
  confidence: number
}

// The assistant picked candidate products (vector search runs in the model
// service); store what was recommended and why.
export async function POST(request: Request) {
  const body = (await request.json()) as RecommendBody
  const admin = createAdminClient()

  const { data: products, error } = await admin
    .from('product_embeddings')
    .select('product_id, product_name, metadata')
    .eq('customer_id', body.customerId)
    .in('product_id', body.candidateIds)
  if (error) return NextResponse.json({ error: error.message }, { status: 500 })

  const { data: event } = await admin
    .from('recommendation_events')
    .insert({
      conversation_id: body.conversationId,
      customer_id: body.customerId,
      recommendation_type: 'product',
      recommended_items: products,
      reason: body.reason,
      confidence_score: body.confidence,
    })
    .select('id')
    .single()

  return NextResponse.json({ eventId: event?.id, products })
}

// The widget reports what the visitor did with the recommendation.
export async function PATCH(request: Request) {
  const { eventId, action } = (await request.json()) as { eventId: string; action: string }
  const admin = createAdminClient()
  await admin.from('recommendation_events').update({ user_action: action }).eq('id', eventId)
  return NextResponse.json({ ok: true })
}
