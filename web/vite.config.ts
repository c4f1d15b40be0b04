import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

// Brotli and gzip copies beside each built file: the server sends them as they are (no compressing per request).
function precompress(): Plugin {
  return {
    name: 'claimdesk-precompress',
    apply: 'build',
    closeBundle() {
      const dist = path.join(root, 'dist')
      const files = [
        path.join(dist, 'index.html'),
        ...readdirSync(path.join(dist, 'assets')).map((f) => path.join(dist, 'assets', f)),
      ]
      for (const file of files.filter((f) => /\.(js|css|html|svg|json)$/.test(f))) {
        const bytes = readFileSync(file)
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }))
      }
    },
  }
}

// `npm run dev`: this dev server with hot reload, the API proxied to a running `npm start`.
export default defineConfig({
  root,
  plugins: [react(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 800 },
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      '/api': { target: process.env.CLAIMDESK_URL ?? 'http://127.0.0.1:3000' },
      '/webhooks': { target: process.env.CLAIMDESK_URL ?? 'http://127.0.0.1:3000' },
    },
  },
})
