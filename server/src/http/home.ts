import type { FastifyPluginAsync } from 'fastify'

// A plain sign-in page until the agent console (React) takes over `/`: proves the two commands work.
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Claimdesk</title>
<style>
 body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
 main{max-width:28rem;margin:10vh auto;background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0001}
 h1{margin:0 0 .25rem;font-size:1.5rem} p{color:#5b6475;margin:.25rem 0 1.25rem}
 label{display:block;margin:.75rem 0 .25rem;font-weight:600}
 input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c9ced8;border-radius:8px;font:inherit}
 button{margin-top:1.25rem;width:100%;padding:.7rem;border:0;border-radius:8px;background:#2f5bea;color:#fff;font:inherit;font-weight:600;cursor:pointer}
 #error{color:#b42318;min-height:1.5rem;margin-top:.75rem} dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem} dt{font-weight:600}
 a{color:#2f5bea}
</style></head>
<body><main>
<h1>Claimdesk</h1><p>Claims and exceptions, one case at a time. <a href="/docs">API reference</a></p>
<form id="signin"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="workspace">Workspace <small>(only if your email has several)</small></label><input id="workspace" name="workspace">
<button type="submit">Sign in</button><div id="error" role="alert"></div></form>
<section id="me" hidden><h2>Signed in</h2><dl id="facts"></dl><button id="signout" type="button">Sign out</button></section>
</main>
<script>
const $ = (id) => document.getElementById(id)
let csrf = ''
function show(s) {
  csrf = s.csrf_token || csrf
  const facts = $('facts'); facts.replaceChildren()
  for (const [k, v] of [['Name', s.name], ['Workspace', s.merchant_id], ['Permissions', s.permissions.join(', ')]]) {
    const dt = document.createElement('dt'); dt.textContent = k; const dd = document.createElement('dd'); dd.textContent = v; facts.append(dt, dd)
  }
  $('signin').hidden = true; $('me').hidden = false
}
fetch('/api/v1/auth/session').then((r) => r.ok ? r.json().then(show) : null)
$('signin').addEventListener('submit', async (e) => {
  e.preventDefault(); $('error').textContent = ''
  const body = { email: $('email').value, password: $('password').value }
  if ($('workspace').value) body.workspace = $('workspace').value
  const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const data = await r.json()
  if (r.ok) show(data); else $('error').textContent = data.error.message
})
$('signout').addEventListener('click', async () => {
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrf } })
  $('me').hidden = true; $('signin').hidden = false
})
</script></body></html>`

export const homeRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff')
      .send(page))
}
