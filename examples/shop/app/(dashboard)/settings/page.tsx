import { createClient } from '@/lib/supabase/server'
import { listCustomerFlags } from './flags/actions'

type Props = { searchParams: Promise<{ customer: string }> }

export default async function SettingsPage({ searchParams }: Props) {
  const { customer: customerId } = await searchParams
  const supabase = await createClient()

  const { data: domains } = await supabase
    .from('domains')
    .select('id, domain, verified')
    .eq('customer_id', customerId)
    .order('domain')

  const { data: languages } = await supabase
    .from('supported_languages')
    .select('language_code, language_name, is_default')
    .eq('customer_id', customerId)
    .eq('enabled', true)

  const flags = await listCustomerFlags(customerId)

  return (
    <main>
      <h1>Settings</h1>
      <p>
        {domains?.length ?? 0} domains, {languages?.length ?? 0} languages, {flags.length} flags
      </p>
    </main>
  )
}
