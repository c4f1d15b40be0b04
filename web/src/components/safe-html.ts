import createDOMPurify, { type Config } from 'dompurify'

/**
 * Inbound email HTML, made safe to show in the console (and the portal).
 *
 * DOMPurify (its HTML profile only: no SVG, no MathML) removes scripts, event handlers, javascript: and other
 * unsafe URLs; on top of it, this drops what has no place in a message shown inside the console: forms and their
 * controls, frames, embedded media, <style> sheets, classes and ids (no borrowing the console's own look), CSS that
 * fetches (url(), image-set, @import) or escapes the message's box (position), and any link that is not http(s),
 * mailto or tel. Links open in a new tab with rel="noopener noreferrer".
 *
 * Remote images are never loaded: they would tell the sender that the agent read the message (tracking pixels),
 * and the console's CSP (img-src 'self' data: blob:) refuses them anyway. Each one becomes a link to the image,
 * opening in a new tab, so the agent can still look at it on purpose. Inline images (`cid:`) are shown when the
 * message's attachment with that Content-ID is stored, and data: images are shown as they are.
 */
export type SafeHtmlOptions = {
  /** A same-origin URL for an inline image's Content-ID, or null when that attachment is not stored */
  cidUrl?: (contentId: string) => string | null
}

export type SafeHtml = {
  /** The sanitised content (in DOMPurify's inert document until appended: nothing in it has loaded) */
  fragment: DocumentFragment
  /** How many remote images were turned into links */
  blockedImages: number
}

const forbiddenTags = [
  'style',
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'fieldset',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'video',
  'audio',
  'source',
  'track',
  'picture',
  'map',
  'area',
  'link',
  'meta',
  'base',
  'dialog',
  'template',
  'slot',
]
// Attributes that fetch (srcset, background, poster, ping), submit (action, formaction) or dress a message in the
// console's own classes and anchors (class, id, name).
const forbiddenAttributes = ['srcset', 'background', 'poster', 'ping', 'action', 'formaction', 'usemap', 'class', 'id']
const unsafeStyle = /url\s*\(|image-set|expression\s*\(|@import|behavior\s*:|-moz-binding|position\s*:/i
const safeLink = /^(https?:|mailto:|tel:)/i
const remote = /^https?:\/\//i
const inlineImage = /^data:image\/(png|gif|jpe?g|webp);/i

const config: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: forbiddenTags,
  FORBID_ATTR: forbiddenAttributes,
  ALLOW_DATA_ATTR: false,
  SANITIZE_NAMED_PROPS: true,
}

let purifier: ReturnType<typeof createDOMPurify> | undefined
let currentOptions: SafeHtmlOptions = {}

function instance() {
  if (purifier) return purifier
  const p = createDOMPurify(window)
  p.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'style' && unsafeStyle.test(data.attrValue)) data.keepAttr = false
  })
  // Runs in DOMPurify's inert document, before anything reaches the page: nothing has been fetched yet.
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'A') {
      const href = node.getAttribute('href')?.trim() ?? ''
      if (safeLink.test(href)) {
        node.setAttribute('target', '_blank')
        node.setAttribute('rel', 'noopener noreferrer')
      } else {
        node.removeAttribute('href')
        node.removeAttribute('target')
      }
    } else if (node.nodeName === 'IMG') {
      const src = node.getAttribute('src')?.trim() ?? ''
      node.removeAttribute('src')
      if (inlineImage.test(src)) node.setAttribute('src', src)
      else if (/^cid:/i.test(src)) {
        const url = currentOptions.cidUrl?.(src.slice(4).replace(/^<|>$/g, ''))
        if (url?.startsWith('/')) node.setAttribute('src', url)
      } else if (remote.test(src)) node.setAttribute('data-remote-src', src)
    } else node.removeAttribute('target')
  })
  purifier = p
  return p
}

/**
 * Chromium checks the page's CSP (script-src-attr 'none') when its HTML parser meets an event-handler attribute,
 * even in DOMPurify's inert document where nothing can run, and reports a refusal for each. So before parsing,
 * every `on…=` that could start an attribute (after whitespace, `/` or a quote) is renamed to a data- attribute,
 * which DOMPurify then drops (no data- attributes pass). This only keeps the console's CSP reports meaningful:
 * safety comes from DOMPurify, and from the CSP behind it. Text that happens to read ` on…=` gains the prefix.
 */
export const defuseHandlers = (html: string) => html.replace(/([\s/"'])(on[a-z0-9_.:-]*\s*=)/gi, '$1data-defused-$2')

/** Sanitises an email's HTML body (see above); remote images come back as links, never loaded. */
export function sanitizeEmailHtml(html: string, options: SafeHtmlOptions = {}): SafeHtml {
  const p = instance()
  currentOptions = options
  let fragment: DocumentFragment
  try {
    fragment = p.sanitize(defuseHandlers(html), { ...config, RETURN_DOM_FRAGMENT: true })
  } finally {
    currentOptions = {}
  }
  // DOMPurify marks remote images (data-remote-src) with their src removed; each becomes a link to open on purpose.
  let blockedImages = 0
  for (const img of Array.from(fragment.querySelectorAll('img[data-remote-src]'))) {
    const url = img.getAttribute('data-remote-src') ?? ''
    const link = document.createElement('a')
    link.href = url
    link.target = '_blank'
    link.rel = 'noopener noreferrer'
    link.setAttribute('data-blocked-image', '')
    const alt = img.getAttribute('alt')?.trim()
    link.textContent = alt ? `[Image: ${alt}]` : '[Image]'
    link.title = `Not loaded: ${url}`
    img.replaceWith(link)
    blockedImages++
  }
  return { fragment, blockedImages }
}

/** Whether this browser can sanitise (DOMPurify needs a real DOM); without it only the text part is shown. */
export const canSanitize = () => typeof window !== 'undefined' && instance().isSupported
