'use client'

// Static help text for the API page. Nothing here talks to the database: the
// snippets are documentation shown to merchants.
//
// Old dashboard code, kept for reference until the migration is done:
//   const { data } = await supabase.from('ghost_table').select('*')
//   await supabase.from('translation_statistics').insert({ language_pair })

const API_HELP = `
## Reading your data from your own backend

Use a service key on your server, never in the browser:

\`\`\`ts
const { data } = await supabase.from('orders').select('id, total')
\`\`\`

Replace \`orders\` with the table your plan exposes.
`

export function HelpPanel() {
  const example = "supabase.from('nope').select('*')"
  return (
    <section>
      <pre>{API_HELP}</pre>
      <p>
        Quick example: <code>{example}</code>
      </p>
    </section>
  )
}
