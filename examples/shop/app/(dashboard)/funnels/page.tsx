import { createClient } from '@/lib/supabase/server'

type Props = { searchParams: Promise<{ customer: string }> }

export default async function FunnelsPage({ searchParams }: Props) {
  const { customer: customerId } = await searchParams
  const supabase = await createClient()

  // Custom funnels with their alert rules (funnel_alert_rules.funnel_id -> custom_funnels).
  const { data: funnels } = await supabase
    .from('custom_funnels')
    .select(`
      id,
      name,
      description,
      stages,
      funnel_alert_rules (id, metric_name, comparison, threshold, active)
    `)
    .eq('customer_id', customerId)
    .eq('active', true)
    .order('created_at')

  const { data: progress } = await supabase
    .from('conversation_funnel')
    .select(
      'current_stage, drop_off_stage, converted, conversion_value, conversation:conversations(session_id, started_at, domains(domain))',
    )
    .in('current_stage', ['engaged', 'qualified', 'converted'])
    .order('updated_at', { ascending: false })
    .range(0, 99)

  const { data: alerts } = await supabase
    .from('funnel_alert_history')
    .select('triggered_at, metric_value, threshold_value, message, funnel_alert_rules(metric_name)')
    .eq('customer_id', customerId)
    .order('triggered_at', { ascending: false })
    .limit(20)

  return (
    <main>
      <h1>Funnels</h1>
      <ul>
        {funnels?.map((f) => (
          <li key={f.id}>
            {f.name}: {f.funnel_alert_rules.length} alert rules
          </li>
        ))}
      </ul>
      <p>{progress?.length ?? 0} active conversations</p>
      <p>{alerts?.length ?? 0} recent alerts</p>
    </main>
  )
}
