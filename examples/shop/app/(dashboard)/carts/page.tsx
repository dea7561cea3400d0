import { createClient } from '@/lib/supabase/server'
import { dailyCartSummary, topAbandonedProducts } from '@/lib/db'
import { AbandonedCartsTable } from '@/components/AbandonedCartsTable'

const ABANDONMENTS = 'cart_abandonments'

type Props = { searchParams: Promise<{ customer?: string }> }

export default async function CartsPage({ searchParams }: Props) {
  const { customer } = await searchParams
  if (!customer) return <p>Pick a storefront.</p>

  const supabase = await createClient()
  const since = new Date(Date.now() - 7 * 24 * 3600 * 1000).toISOString()

  // Open abandonments, newest first; RLS limits them to the user's organizations.
  const { data: abandonments, error } = await supabase
    .from(ABANDONMENTS)
    .select('id, session_id, total_value, abandoned_at, customer_configs!inner(business_name)')
    .eq('customer_id', customer)
    .is('recovered_at', null)
    .order('abandoned_at', { ascending: false })
    .limit(50)
  if (error) throw error

  const { data: sessions } = await supabase
    .from('cart_session_metrics')
    .select('session_id, total_operations, final_cart_value, converted, duration_seconds')
    .eq('customer_id', customer)
    .eq('abandoned', false)
    .gte('started_at', since)

  const [summary, products] = await Promise.all([
    dailyCartSummary(customer, 30),
    topAbandonedProducts(customer),
  ])

  return (
    <main>
      <h1>Abandoned carts</h1>
      <p>
        {summary.length} days of data, {sessions?.length ?? 0} converted sessions this week,
        top product {products[0]?.product_id ?? 'n/a'}.
      </p>
      <AbandonedCartsTable customerId={customer} initial={abandonments ?? []} />
    </main>
  )
}
