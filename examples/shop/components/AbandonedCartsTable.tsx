'use client'

import { useMemo, useState } from 'react'

import { createClient } from '@/lib/supabase/client'

type Row = {
  id: string
  session_id: string
  total_value: number
  abandoned_at: string
}

export function AbandonedCartsTable({ customerId, initial }: { customerId: string; initial: Row[] }) {
  const supabase = useMemo(() => createClient(), [])
  const [rows, setRows] = useState<Row[]>(initial)
  const [loading, setLoading] = useState(false)

  async function loadMore() {
    const before = rows.at(-1)?.abandoned_at
    if (!before) return
    setLoading(true)
    const { data } = await supabase
      .schema('public')
      .from('cart_abandonments')
      // items is the JSON path cart_data->items, shown in the expanded row
      .select('id, session_id, total_value, abandoned_at, items:cart_data->items')
      .eq('customer_id', customerId)
      .lt('abandoned_at', before)
      .order('abandoned_at', { ascending: false })
      .limit(50)
    setRows((current) => [...current, ...((data as Row[] | null) ?? [])])
    setLoading(false)
  }

  return (
    <table>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id}>
            <td>{row.session_id}</td>
            <td>{row.total_value}</td>
            <td>{new Date(row.abandoned_at).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td>
            <button onClick={loadMore} disabled={loading}>
              Load more
            </button>
          </td>
        </tr>
      </tfoot>
    </table>
  )
}
