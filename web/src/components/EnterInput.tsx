import { TextInput } from '@mantine/core'

/** A small text input in a form of its own: Enter runs `onEnter`. */
export function EnterInput({
  placeholder,
  label,
  w,
  value,
  onChange,
  onEnter,
}: {
  placeholder: string
  label: string
  w: number
  value: string
  onChange: (v: string) => void
  onEnter: () => void
}) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        onEnter()
      }}
    >
      <TextInput
        size="xs"
        placeholder={placeholder}
        aria-label={label}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        w={w}
      />
    </form>
  )
}
