import { createAdminClient } from '@/lib/supabase/admin'

// GDPR erasure of one storefront's visitor data: every table keyed by customer_id
// that holds per-visitor rows.
const VISITOR_TABLES = [
  'cart_operations',
  'cart_session_metrics',
  'customer_sessions',
  'language_preferences',
] as const

export async function purgeCustomerRows(table: string, customerId: string) {
  const admin = createAdminClient()
  const { count, error } = await admin
    .from(table)
    .delete({ count: 'exact' })
    .eq('customer_id', customerId)
  if (error) throw error
  return count ?? 0
}

export async function purgeVisitorData(customerId: string) {
  let total = 0
  for (const table of VISITOR_TABLES) {
    total += await purgeCustomerRows(table, customerId)
  }
  return total
}
