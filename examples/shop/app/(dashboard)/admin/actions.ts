'use server'

import { revalidatePath } from 'next/cache'

import { createAdminClient } from '../../../lib/supabase/admin'
import { createClient } from '../../../lib/supabase/server'

export async function resolveAlert(alertId: string) {
  const supabase = await createClient()
  const { data: isAdmin } = await supabase.rpc('is_admin')
  const {
    data: { user },
  } = await supabase.auth.getUser()
  if (!isAdmin || !user) throw new Error('forbidden')

  // alert_history is read-only for admins through RLS; resolving is a backend write.
  await createAdminClient()
    .from('alert_history')
    .update({ resolved: true, resolved_at: new Date().toISOString(), resolved_by: user.id })
    .eq('id', alertId)

  revalidatePath('/admin')
}
