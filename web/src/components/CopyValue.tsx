import { Button, type ButtonProps, CopyButton } from '@mantine/core'

/** A button copying `value` to the clipboard, saying "Copied" for a moment after. */
export function CopyValue({ value, children = 'Copy', ...button }: { value: string; children?: string } & ButtonProps) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button {...button} onClick={copy}>
          {copied ? 'Copied' : children}
        </Button>
      )}
    </CopyButton>
  )
}
