'use server'

import { revalidatePath } from 'next/cache'

import { createAdminClient } from '@/lib/supabase/admin'
import { createClient } from '@/lib/supabase/server'

// Funnels are managed by organization owners and admins; RLS enforces it, so
// these run with the user's own client.
export async function createFunnel(customerId: string, form: FormData) {
  const supabase = await createClient()
  const {
    data: { user },
  } = await supabase.auth.getUser()

  const { data, error } = await supabase
    .from('custom_funnels')
    .insert({
      customer_id: customerId,
      name: String(form.get('name')),
      description: (form.get('description') as string | null) ?? null,
      stages: JSON.parse(String(form.get('stages') ?? '[]')),
      created_by: user?.id,
    })
    .select('id')
    .single()
  if (error) return { error: error.message }

  revalidatePath('/funnels')
  return { id: data.id }
}

export async function renameFunnel(funnelId: string, name: string) {
  const supabase = await createClient()
  await supabase
    .from('custom_funnels')
    .update({ name, updated_at: new Date().toISOString() })
    .eq('id', funnelId)
  revalidatePath('/funnels')
}

export async function deleteArchivedFunnel(funnelId: string) {
  const supabase = await createClient()
  await supabase.from('custom_funnels').delete().match({ id: funnelId, active: false })
  revalidatePath('/funnels')
}

type AlertRuleInput = {
  customerId: string
  funnelId: string
  minConversion: number
  maxDropOff: number
  recipients: string[]
}

// Alert rules are not writable by members (select-only policy): check the
// caller's role, then write with the service role.
export async function addDefaultAlertRules(rule: AlertRuleInput) {
  const supabase = await createClient()
  const { data: memberships } = await supabase
    .from('organization_members')
    .select('role, organizations(slug)')
    .in('role', ['owner', 'admin'])
  if (!memberships?.length) throw new Error('only organization admins can add alert rules')

  const admin = createAdminClient()
  const { error } = await admin.from('funnel_alert_rules').insert([
    {
      customer_id: rule.customerId,
      funnel_id: rule.funnelId,
      metric_name: 'conversion_rate',
      comparison: 'less_than',
      threshold: rule.minConversion,
      recipients: rule.recipients,
    },
    {
      customer_id: rule.customerId,
      funnel_id: rule.funnelId,
      metric_name: 'drop_off_rate',
      comparison: 'greater_than',
      threshold: rule.maxDropOff,
      recipients: rule.recipients,
      time_window: '7 days',
    },
  ])
  if (error) throw error
  revalidatePath('/funnels')
}
