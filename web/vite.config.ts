import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `npm run dev`: this dev server with hot reload, the API proxied to a running `npm start`.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: { '/api': { target: process.env.CLAIMDESK_URL ?? 'http://127.0.0.1:3000' }, '/webhooks': { target: process.env.CLAIMDESK_URL ?? 'http://127.0.0.1:3000' } },
  },
})
