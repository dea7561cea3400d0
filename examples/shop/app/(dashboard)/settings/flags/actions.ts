'use server'

import { revalidatePath } from 'next/cache'

import { createAdminClient } from '@/lib/supabase/admin'
import { createClient } from '@/lib/supabase/server'
import { FEATURE_FLAGS_TABLE } from '@/lib/tables'

export async function listCustomerFlags(customerId: string) {
  const supabase = await createClient()
  const { data } = await supabase
    .schema('public')
    .from('customer_feature_flags')
    .select('flag_key, enabled, configuration, updated_at')
    .eq('customer_id', customerId)
    .order('flag_key')
  return data ?? []
}

// Owners and admins manage their storefront's flags (RLS: "Organization admins
// can manage customer feature flags"); every change is audited.
export async function setCustomerFlag(
  customerId: string,
  flagKey: string,
  enabled: boolean,
  reason?: string,
) {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()
  if (!user) throw new Error('not signed in')

  const now = new Date().toISOString()
  const { data: flag, error } = await supabase
    .from(FEATURE_FLAGS_TABLE)
    .upsert(
      {
        customer_id: customerId,
        flag_key: flagKey,
        enabled,
        enabled_at: enabled ? now : null,
        disabled_at: enabled ? null : now,
        updated_at: now,
      },
      { onConflict: 'customer_id,flag_key' },
    )
    .select('id')
    .single()
  if (error) return { error: error.message }

  await createAdminClient()
    .from('feature_flag_changes')
    .insert({
      flag_type: 'customer',
      flag_id: flag.id,
      changed_by: user.id,
      change_type: enabled ? 'enabled' : 'disabled',
      old_value: { enabled: !enabled },
      new_value: { enabled },
      reason: reason ?? null,
    })

  revalidatePath('/settings')
  return { ok: true }
}
