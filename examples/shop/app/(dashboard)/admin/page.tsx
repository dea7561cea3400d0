import { notFound } from 'next/navigation'

import { countRows } from '@/lib/db'
import { createClient } from '@/lib/supabase/server'

// Platform console: only users whose JWT says app_metadata.role = 'admin'.
export default async function AdminPage() {
  const supabase = await createClient()

  const { data: isAdmin } = await supabase.rpc('is_admin')
  if (!isAdmin) notFound()

  const { data: alerts } = await supabase
    .from('alert_history')
    .select('*')
    .eq('resolved', false)
    .order('created_at', { ascending: false })

  const { data: errors } = await supabase
    .from('error_logs')
    .select('error_type, error_message, request_id, created_at')
    .in('severity', ['error', 'critical'])
    .order('created_at', { ascending: false })
    .limit(100)

  // circuit_breaker_telemetry: latest state per service.
  const { data: breakers } = await supabase
    .from('circuit_breaker_telemetry')
    .select('service_name, state, failure_count, state_changed_at')
    .order('state_changed_at', { ascending: false })
    .limit(50)

  const cartOperations = await countRows('cart_operations')

  return (
    <main>
      <h1>Operations</h1>
      <p>
        {alerts?.length ?? 0} open alerts, {errors?.length ?? 0} recent errors,{' '}
        {breakers?.filter((b) => b.state === 'open').length ?? 0} open circuits,{' '}
        {cartOperations} cart operations stored.
      </p>
    </main>
  )
}
