'use client'

import { useEffect, useState } from 'react'

import { createClient } from '@/lib/supabase/client'

type Annotation = {
  id: string
  date: string
  annotation_text: string
  annotation_type: 'event' | 'milestone' | 'anomaly'
}

type ChartType = 'revenue' | 'conversations' | 'conversion_rate'

// Notes on the dashboard charts ("Black Friday campaign started").
export function ChartAnnotations({
  customerId,
  chartType,
  userId,
}: {
  customerId: string
  chartType: ChartType
  userId: string
}) {
  const [annotations, setAnnotations] = useState<Annotation[]>([])
  const supabase = createClient()

  useEffect(() => {
    supabase
      .from('chart_annotations')
      .select('id, date, annotation_text, annotation_type')
      .eq('customer_id', customerId)
      .eq('chart_type', chartType)
      .order('date')
      .then(({ data }) => setAnnotations((data as Annotation[] | null) ?? []))
  }, [customerId, chartType])

  // Members add annotations themselves ("Organization members can add chart
  // annotations", created_by must be the user).
  async function add(date: string, text: string) {
    const { data } = await supabase
      .from('chart_annotations')
      .insert({
        customer_id: customerId,
        chart_type: chartType,
        date,
        annotation_text: text,
        annotation_type: 'event',
        created_by: userId,
      })
      .select('id, date, annotation_text, annotation_type')
      .single()
    if (data) setAnnotations((current) => [...current, data as Annotation])
  }

  return (
    <aside>
      {annotations.map((a) => (
        <p key={a.id}>
          {a.date}: {a.annotation_text}
        </p>
      ))}
      <button onClick={() => add(new Date().toISOString().slice(0, 10), 'Campaign started')}>
        Add note
      </button>
    </aside>
  )
}
