/** A template rendered for the case: what the composer takes in. */
export type Rendered = { subject: string; text: string; html: string | null; templateId: string; version: number }

/** The template picker with its live preview; the templates API is not on this branch yet. */
export function TemplatePicker(_props: { caseId: string; onUse: (r: Rendered) => void }) {
  return null
}
