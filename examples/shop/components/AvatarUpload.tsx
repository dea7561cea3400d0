'use client'

import { useState, type ChangeEvent } from 'react'

import { createClient } from '@/lib/supabase/client'

// Profile pictures live in the `avatars` Storage bucket, not in a table.
export function AvatarUpload({ userId }: { userId: string }) {
  const [url, setUrl] = useState<string | null>(null)

  async function onChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0]
    if (!file) return
    const supabase = createClient()
    const path = `${userId}/${Date.now()}-${file.name}`

    const { error } = await supabase.storage.from('avatars').upload(path, file, {
      cacheControl: '3600',
      upsert: true,
    })
    if (error) return

    const {
      data: { publicUrl },
    } = supabase.storage.from('avatars').getPublicUrl(path)
    setUrl(publicUrl)
  }

  return (
    <label>
      {url ? <img src={url} alt="" width={48} height={48} /> : null}
      <input type="file" accept="image/*" onChange={onChange} />
    </label>
  )
}
