import { createClient } from '@/lib/supabase/server'

type Props = { searchParams: Promise<{ customer: string }> }

export default async function QuotesPage({ searchParams }: Props) {
  const { customer: customerId } = await searchParams
  const supabase = await createClient()

  const { data: quotes } = await supabase
    .from('ai_quotes')
    .select('id, quote_number, total, status, valid_until, conversations(session_id, started_at)')
    .eq('customer_id', customerId)
    .in('status', ['sent', 'accepted'])
    .order('generated_at', { ascending: false })

  // How often the assistant generated a quote on its own, and how often it failed.
  const { data: operations } = await supabase
    .from('autonomous_operations')
    .select('operation_type, success, error_message, performed_at')
    .eq('customer_id', customerId)
    .eq('operation_type', 'quote_generated')
    .order('performed_at', { ascending: false })
    .limit(100)

  const failures = operations?.filter((op) => !op.success).length ?? 0

  return (
    <main>
      <h1>Quotes</h1>
      <p>
        {quotes?.length ?? 0} open quotes, {failures} failed generations
      </p>
    </main>
  )
}
