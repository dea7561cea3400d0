'use server'

import { revalidatePath } from 'next/cache'

import { createAdminClient } from '@/lib/supabase/admin'
import { createClient } from '@/lib/supabase/server'
import { logError } from '@/lib/errors'

async function requireUser() {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()
  if (!user) throw new Error('not signed in')
  return user
}

// Members may read carts but not write them: writes go through the service role
// once the user is known.
export async function markRecovered(abandonmentId: string, sessionId: string, orderValue: number) {
  await requireUser()
  const admin = createAdminClient()

  const { error } = await admin
    .from('cart_abandonments')
    .update({ recovered_at: new Date().toISOString() })
    .eq('id', abandonmentId)
  if (error) {
    await logError(error, { abandonmentId })
    return { ok: false }
  }

  await admin
    .from('cart_session_metrics')
    .update({ converted: true, conversion_value: orderValue })
    .eq('session_id', sessionId)

  revalidatePath('/carts')
  return { ok: true }
}

export async function discardAbandonment(abandonmentId: string) {
  await requireUser()
  const admin = createAdminClient()
  // Hard delete for now; the mailer skips rows that are gone.
  const { error } = await admin.from('cart_abandonment').delete().eq('id', abandonmentId)
  if (error) await logError(error, { abandonmentId })
  revalidatePath('/carts')
}
