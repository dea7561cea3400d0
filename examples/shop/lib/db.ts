import postgres from 'postgres'

// Direct connection (transaction pooler) for reports and bulk jobs that
// PostgREST is a poor fit for. Runs as the connection string's role.
export const sql = postgres(process.env.DATABASE_URL!, {
  max: 5,
  idle_timeout: 20,
  prepare: false,
})

export type DailyCartRow = {
  date: string
  total_carts: number
  abandoned_carts: number
  recovery_rate: string
}

export async function dailyCartSummary(customerId: string, days: number): Promise<DailyCartRow[]> {
  const rows = await sql`
    select d."date", d.total_carts, d.abandoned_carts, d.recovery_rate
      from public.cart_analytics_daily d
     where d.customer_id = ${customerId}
       and d."date" >= current_date - ${days}::int
     order by d."date"
  `
  return rows as unknown as DailyCartRow[]
}

// Products most often left in abandoned carts (cart_data.items is an array of
// {product_id, quantity, price}).
export async function topAbandonedProducts(customerId: string, limit = 10) {
  return sql`
    with items as (
      select jsonb_array_elements(ca.cart_data -> 'items') as item
        from cart_abandonments ca
       where ca.customer_id = ${customerId}
         and ca.recovered_at is null
    )
    select item ->> 'product_id' as product_id, count(*) as carts
      from items
     group by 1
     order by count(*) desc
     limit ${limit}
  `
}

// Row counts for the admin "data health" panel; the caller picks the table.
export async function countRows(table: string): Promise<number> {
  const [row] = await sql`select count(*)::int as count from ${sql(table)}`
  return row.count
}
