'use client'

import { useEffect, useState } from 'react'

import { createClient } from '@/lib/supabase/client'

type Template = { template_id: string; name: string; language: string; status: string }

// Settings card: connect a WhatsApp Business number through Meta's embedded
// signup, then list the approved message templates.
export function WhatsAppConnect({ customerId }: { customerId: string }) {
  const supabase = createClient()
  const [templates, setTemplates] = useState<Template[]>([])
  const [connected, setConnected] = useState(false)

  useEffect(() => {
    supabase
      .from('whatsapp_templates')
      .select('template_id, name, language, category, status')
      .eq('customer_id', customerId)
      .eq('status', 'approved')
      .then(({ data }) => setTemplates((data as Template[] | null) ?? []))
  }, [customerId])

  // Meta redirects back with ?code=...; our API exchanges it for a token and
  // returns it encrypted, and we store it for the worker.
  async function finishSignup(code: string) {
    const response = await fetch('/api/whatsapp/exchange', {
      method: 'POST',
      body: JSON.stringify({ code }),
    })
    const token = await response.json()

    const { error } = await supabase
      .from('whatsapp_oauth_tokens')
      .upsert(
        {
          customer_id: customerId,
          access_token_encrypted: token.access_token_encrypted,
          refresh_token_encrypted: token.refresh_token_encrypted ?? null,
          expires_at: new Date(Date.now() + token.expires_in * 1000).toISOString(),
          scopes: token.scopes,
        },
        { onConflict: 'customer_id' },
      )
    setConnected(!error)
  }

  useEffect(() => {
    const code = new URLSearchParams(window.location.search).get('code')
    if (code) finishSignup(code)
  }, [])

  return (
    <section>
      <h2>WhatsApp</h2>
      <p>{connected ? 'Connected' : 'Not connected'}</p>
      <ul>
        {templates.map((t) => (
          <li key={t.template_id}>
            {t.name} ({t.language})
          </li>
        ))}
      </ul>
    </section>
  )
}
