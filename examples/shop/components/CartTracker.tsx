'use client'

import { useCallback, useMemo } from 'react'

import { createClient } from '@/lib/supabase/client'

export type CartOperation = {
  type: 'add' | 'remove' | 'update' | 'clear'
  productId?: string
  quantity?: number
  price?: number
}

// Records every cart change of a storefront visitor, straight from the browser.
export function useCartTracker(customerId: string, sessionId: string) {
  const supabase = useMemo(() => createClient(), [])

  return useCallback(
    async (op: CartOperation) => {
      const { error } = await supabase.from('cart_operations').insert({
        customer_id: customerId,
        session_id: sessionId,
        operation_type: op.type,
        product_id: op.productId ?? null,
        quantity: op.quantity ?? null,
        price: op.price ?? null,
      })
      if (error) console.warn('cart tracking failed', error.message)
    },
    [supabase, customerId, sessionId],
  )
}
