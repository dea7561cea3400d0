import { NextResponse } from 'next/server'

import { createAdminClient } from '@/lib/supabase/admin'
import { createClient } from '@/lib/supabase/server'

type TranslateBody = {
  customerId: string
  userIdentifier: string
  text: string
  from: string
  to: string
}

// Widget translation endpoint. Cached translations are public (RLS: "Anyone can
// read cached translations"); misses are queued for worker/translations.py.
export async function POST(request: Request) {
  const body = (await request.json()) as TranslateBody
  const supabase = await createClient()

  const { data: hit } = await supabase
    .from('translation_cache')
    .select('id, translated_text, quality_score')
    .eq('source_language', body.from)
    .eq('target_language', body.to)
    .eq('source_text', body.text)
    .maybeSingle()

  const { data: enabled } = await supabase
    .from('supported_languages')
    .select('language_code')
    .eq('customer_id', body.customerId)
    .eq('language_code', body.to)
    .eq('enabled', true)
    .maybeSingle()
  if (!enabled) return NextResponse.json({ error: 'language not enabled' }, { status: 400 })

  const admin = createAdminClient()
  await admin.from('language_preferences').upsert(
    {
      customer_id: body.customerId,
      user_identifier: body.userIdentifier,
      language_code: body.to,
      auto_detected: false,
      manually_set: true,
      updated_at: new Date().toISOString(),
    },
    { onConflict: 'customer_id,user_identifier' },
  )

  if (hit) {
    // LRU bookkeeping for the eviction job.
    await admin
      .from('translation_cache')
      .update({ last_used_at: new Date().toISOString() })
      .eq('id', hit.id)
    return NextResponse.json({ text: hit.translated_text, cached: true })
  }
  return NextResponse.json({ queued: true }, { status: 202 })
}
