import { Skeleton, Stack, Switch, Table, Text } from '@mantine/core'
import { type ReactNode, useState } from 'react'
import { ErrorState } from './ErrorState'

type Loading = { isPending: boolean; isError: boolean; isSuccess: boolean; error: Error | null; refetch: () => unknown }

/** A page's one record: skeletons of these heights while it loads, its error with a retry, then the page. */
export function Loaded<T>({
  query,
  skeleton,
  children,
}: {
  query: Loading & { data: T | undefined }
  skeleton: number[]
  children: (data: T) => ReactNode
}) {
  if (query.isPending)
    return (
      <Stack>
        {skeleton.map((h, i) => (
          <Skeleton key={i} h={h} />
        ))}
      </Stack>
    )
  if (query.isError) return <ErrorState error={query.error} retry={() => void query.refetch()} />
  return children(query.data as T)
}

/** A list's states before its rows: a skeleton while it loads, its error with a retry, `empty` once loaded with none. */
export function ListStatus({ query, skeleton, empty }: { query: Loading; skeleton: number; empty: ReactNode | false }) {
  return (
    <>
      {query.isPending && <Skeleton h={skeleton} />}
      {query.isError && <ErrorState error={query.error} retry={() => void query.refetch()} />}
      {query.isSuccess && empty !== false && <Text c="dimmed">{empty}</Text>}
    </>
  )
}

type ListTableProps<T> = {
  label: string
  /** Column headings; '' for a column without one (row actions). */
  columns: string[]
  query: Loading
  skeleton: number
  /** What to say when the loaded list has no rows. */
  empty: ReactNode
  rows: T[]
  row: (r: T) => ReactNode
}

/** A list as a table, with its states (`ListStatus`) in place of the table until there are rows. */
export function ListTable<T>({ label, columns, query, skeleton, empty, rows, row }: ListTableProps<T>) {
  return (
    <>
      <ListStatus query={query} skeleton={skeleton} empty={rows.length === 0 && empty} />
      {rows.length > 0 && (
        <Table aria-label={label} verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              {columns.map((c, i) => (
                <Table.Th key={i}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{rows.map(row)}</Table.Tbody>
        </Table>
      )}
    </>
  )
}

/** A `ListTable` that leaves out the `hidden` rows (archived, revoked) until a switch above it shows them. */
export function ListTableWithHidden<T>({
  switchLabel,
  hidden,
  empty,
  rows,
  ...table
}: Omit<ListTableProps<T>, 'empty'> & {
  switchLabel: string
  hidden: (r: T) => boolean
  /** What to say when no row is shown, with the hidden rows shown or not. */
  empty: (showingHidden: boolean) => ReactNode
}) {
  const [showHidden, setShowHidden] = useState(false)
  return (
    <>
      <Switch label={switchLabel} checked={showHidden} onChange={(e) => setShowHidden(e.currentTarget.checked)} />
      <ListTable {...table} empty={empty(showHidden)} rows={showHidden ? rows : rows.filter((r) => !hidden(r))} />
    </>
  )
}
