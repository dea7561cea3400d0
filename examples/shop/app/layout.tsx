import type { ReactNode } from 'react'

export const metadata = {
  title: 'Shop Assistant',
  description: 'Cart recovery, funnels and AI quotes for your storefronts',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  )
}
