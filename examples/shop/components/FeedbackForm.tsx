'use client'

import { useState, type FormEvent } from 'react'

import { createClient } from '@/lib/supabase/client'

type FeedbackType = 'bug' | 'feature_request' | 'improvement' | 'other'

// Signed-in users submit feedback directly: the "Users submit their own
// feedback" policy lets authenticated users insert rows with their own user_id.
export function FeedbackForm({ customerId }: { customerId?: string }) {
  const [sent, setSent] = useState(false)

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const supabase = createClient()
    const {
      data: { user },
    } = await supabase.auth.getUser()
    if (!user) return

    const type = form.get('type') as FeedbackType
    const title = String(form.get('title'))
    const description = String(form.get('description'))
    const { error } = await supabase.from('feedback').insert({
      user_id: user.id,
      customer_id: customerId ?? null,
      type,
      title,
      description,
      metadata: { page: window.location.pathname },
    })
    setSent(!error)
  }

  if (sent) return <p>Thanks for the feedback!</p>
  return (
    <form onSubmit={submit}>
      <select name="type" defaultValue="bug">
        <option value="bug">Bug</option>
        <option value="feature_request">Feature request</option>
        <option value="improvement">Improvement</option>
        <option value="other">Other</option>
      </select>
      <input name="title" required />
      <textarea name="description" required />
      <button type="submit">Send</button>
    </form>
  )
}
