import { createClient } from '@/lib/supabase/server'

const ORG_FLAGS = 'organization_feature_flags'

// A customer flag overrides the organization's; no row means disabled.
export async function isEnabled(
  flagKey: string,
  organizationId: string,
  customerId?: string,
): Promise<boolean> {
  const supabase = await createClient()

  if (customerId) {
    const { data } = await supabase
      .from('customer_feature_flags')
      .select('enabled')
      .match({ customer_id: customerId, flag_key: flagKey })
      .maybeSingle()
    if (data) return data.enabled
  }

  const { data: org } = await supabase
    .from(ORG_FLAGS)
    .select('enabled, configuration')
    .eq('organization_id', organizationId)
    .eq('flag_key', flagKey)
    .maybeSingle()

  return org?.enabled ?? false
}
