#!/usr/bin/env node
// Seeds the default WhatsApp templates of a new storefront:
//   node scripts/seed-templates.js <customer-id>
const { createClient } = require('@supabase/supabase-js')

const supabase = createClient(
  process.env.NEXT_PUBLIC_SUPABASE_URL,
  process.env.SUPABASE_SERVICE_ROLE_KEY,
)

async function main() {
  const customerId = process.argv[2]
  if (!customerId) throw new Error('usage: seed-templates.js <customer-id>')

  const { data: customer } = await supabase
    .from('customer_configs')
    .select('id, business_name')
    .eq('id', customerId)
    .single()
  if (!customer) throw new Error(`no customer ${customerId}`)

  const { error } = await supabase.from('whatsapp_templates').upsert(
    [
      {
        customer_id: customerId,
        template_id: 'cart_reminder_v2',
        name: 'cart_reminder',
        language: 'en',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'You left something in your cart at {{1}}' }],
        status: 'pending',
      },
      {
        customer_id: customerId,
        template_id: 'quote_ready_v1',
        name: 'quote_ready',
        language: 'en',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Your quote {{1}} is ready' }],
      },
    ],
    { onConflict: 'customer_id,template_id' },
  )
  if (error) throw error
  console.log(`seeded templates for ${customer.business_name}`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
