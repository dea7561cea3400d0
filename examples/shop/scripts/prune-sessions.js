#!/usr/bin/env node
// Nightly: expire idle visitor sessions and report yesterday's abandoned carts.
const { Pool } = require('pg')

const pool = new Pool({ connectionString: process.env.DATABASE_URL })
const TTL_MINUTES = Number(process.env.SESSION_TTL_MINUTES ?? 30)

async function main() {
  const expired = await pool.query(
    `update customer_sessions
        set expired = true
      where not expired
        and last_activity_at < now() - ($1 || ' minutes')::interval`,
    [TTL_MINUTES],
  )

  const abandoned = await pool.query(
    "select count(*) as carts from cart_session_metrics where abandoned and last_activity_at > now() - interval '1 day'",
  )

  console.log(`expired ${expired.rowCount} sessions; ${abandoned.rows[0].carts} carts abandoned yesterday`)
  await pool.end()
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
