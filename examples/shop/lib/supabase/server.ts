import { createServerClient } from '@supabase/ssr'
import { cookies } from 'next/headers'

// The request-scoped client for Server Components, Server Actions and Route
// Handlers: it carries the signed-in user's session, so every query runs as
// `authenticated` (or `anon` before sign-in) and row-level security applies.
export async function createClient() {
  const cookieStore = await cookies()

  return createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    {
      cookies: {
        getAll() {
          return cookieStore.getAll()
        },
        setAll(cookiesToSet) {
          try {
            cookiesToSet.forEach(({ name, value, options }) =>
              cookieStore.set(name, value, options),
            )
          } catch {
            // Called from a Server Component: the middleware refreshes the session.
          }
        },
      },
    },
  )
}
