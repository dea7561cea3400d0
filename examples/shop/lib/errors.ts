import { createAdminClient } from './supabase/admin'

type Severity = 'warning' | 'error' | 'critical'

// Persists server-side errors for the admin console (app/(dashboard)/admin).
export async function logError(
  error: unknown,
  context: Record<string, unknown> = {},
  severity: Severity = 'error',
  requestId?: string,
) {
  const err = error instanceof Error ? error : new Error(String(error))
  console.error(`[shop] ${err.name}: ${err.message}`)

  const admin = createAdminClient()
  const { error: insertError } = await admin.from('error_logs').insert({
    error_type: err.name,
    message: err.message,
    stack_trace: err.stack ?? null,
    context,
    request_id: requestId ?? null,
    severity,
  })
  if (insertError) {
    // Never call logError from here: a failing insert would recurse.
    console.error("logError: supabase.from('error_logs').insert failed:", insertError.message)
  }
}
