import {
  ActionIcon,
  AppShell,
  Burger,
  Center,
  Group,
  Indicator,
  Loader,
  Menu,
  NavLink,
  Popover,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core'
import { useDisclosure, useHotkeys } from '@mantine/hooks'
import { IconBell, IconMoon, IconSun } from '@tabler/icons-react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRef, type ComponentType, type ReactNode } from 'react'
import { Link, Outlet, useLocation, useNavigate } from 'react-router'
import { api, ok } from '../api/client'
import { ErrorState } from '../components/ErrorState'
import { timeAgo } from '../components/format'
import { useLiveUpdates } from './live'
import { useOpenSearch } from './search'
import { SessionProvider, useCan, useSession, useSessionQuery, useSignOut } from './session'

// Any of these opens at least one tab of the admin page.
const adminPermissions = ['users.read', 'teams.read', 'roles.read', 'api_keys.manage', 'merchant.read']

/** What the shell shows that pages own; the router hands them in, so the shell imports no page. */
export type ShellProps = {
  /** The sign-in page, shown signed out at whatever address was asked for. */
  signIn: ReactNode
  /** The saved views, listed under "Inbox" in the navigation; `onPick` closes the navigation on small screens. */
  views: ComponentType<{ onPick?: () => void }>
}

/** Signed in: the console; signed out: the sign-in page, at whatever address was asked for. */
export function Shell({ signIn, views }: ShellProps) {
  const session = useSessionQuery()
  if (session.isPending)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    )
  if (session.isError) return <ErrorState error={session.error} retry={() => void session.refetch()} />
  if (!session.data) return signIn
  return (
    <SessionProvider session={session.data}>
      <Console views={views} />
    </SessionProvider>
  )
}

function Console({ views: Views }: Pick<ShellProps, 'views'>) {
  const [opened, { toggle, close }] = useDisclosure()
  const can = useCan()
  const path = useLocation().pathname
  const live = useLiveUpdates()
  const navigate = useNavigate()
  const search = useRef<HTMLInputElement>(null)
  const openSearch = useOpenSearch()
  // "/" focuses search, "g i" goes to the inbox: the keys agents know from Gmail and Zendesk.
  useHotkeys([
    ['/', () => search.current?.focus()],
    ['g+i', () => navigate('/inbox')],
  ])
  // A section of the console, highlighted anywhere inside it.
  const section = (to: string, label: string, mt?: string) => (
    <NavLink component={Link} to={to} label={label} onClick={close} fw={600} mt={mt} active={path.startsWith(to)} />
  )
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'md', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="md" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} component={Link} to="/inbox">
              Claimdesk
            </Text>
            <Tooltip label={live === 'live' ? 'Live updates on' : 'Reconnecting to live updates'}>
              <Indicator
                color={live === 'live' ? 'teal' : 'gray'}
                size={8}
                processing={live === 'connecting'}
                role="img"
                aria-label={`Live updates: ${live}`}
              >
                <span />
              </Indicator>
            </Tooltip>
          </Group>
          {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet in every supported browser */}
          <form
            role="search"
            onSubmit={(e) => {
              e.preventDefault()
              void openSearch(search.current?.value.trim() ?? '')
            }}
          >
            <TextInput
              ref={search}
              placeholder="Search cases, tracking numbers, CD-1042  ( / )"
              aria-label="Search cases"
              w={{ base: 180, sm: 360 }}
            />
          </form>
          <Group gap="xs" wrap="nowrap">
            <Notifications />
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <NavLink component={Link} to="/inbox" label="Inbox" onClick={close} fw={600} />
        <Views onPick={close} />
        {section('/dashboard', 'Dashboard', 'md')}
        {section('/shipments', 'Shipments')}
        {can('integrations.read') && section('/connections', 'Carrier connections')}
        {can('rules.read') && section('/rules', 'Rules')}
        {adminPermissions.some(can) && section('/admin', 'Admin')}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  )
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme()
  const scheme = useComputedColorScheme('light')
  const next = scheme === 'dark' ? 'light' : 'dark'
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon
        variant="default"
        size="lg"
        onClick={() => setColorScheme(next)}
        aria-label={`Switch to ${next} theme`}
      >
        {scheme === 'dark' ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
      </ActionIcon>
    </Tooltip>
  )
}

function UserMenu() {
  const session = useSession()
  const signOut = useSignOut()
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <UnstyledButton aria-label="Account">
          <Text size="sm" fw={500}>
            {session.name}
          </Text>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{session.permissions.includes('cases.write') ? 'Agent' : 'Read only'}</Menu.Label>
        <Menu.Item component={Link} to="/profile">
          Profile and password
        </Menu.Item>
        <Menu.Item onClick={() => void signOut()}>Sign out</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}

function Notifications() {
  const qc = useQueryClient()
  const navigate = useNavigate()
  const list = useQuery({
    queryKey: ['notifications'],
    queryFn: () => ok(api.GET('/api/v1/notifications', { params: { query: { limit: 20 } } })),
  })
  const read = useMutation({
    mutationFn: (body: { ids: string[] } | { all: true }) => ok(api.POST('/api/v1/notifications/read', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notifications'] }),
  })
  const unread = list.data?.unread_count ?? 0
  return (
    // The badge sits outside the popover's target: the target gets aria-haspopup, which a plain div may not carry.
    <Indicator label={unread} size={16} disabled={!unread} offset={4}>
      <Popover position="bottom-end" width={340} shadow="md">
        <Popover.Target>
          <ActionIcon variant="default" size="lg" aria-label={`Notifications, ${unread} unread`}>
            <IconBell size={18} aria-hidden />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p={0}>
          <Group justify="space-between" p="xs">
            <Text fw={600} size="sm">
              Notifications
            </Text>
            {unread > 0 && (
              <UnstyledButton onClick={() => read.mutate({ all: true })}>
                <Text size="xs" c="indigo">
                  Mark all read
                </Text>
              </UnstyledButton>
            )}
          </Group>
          <ScrollArea.Autosize mah={360}>
            <Stack gap={0}>
              {list.data?.data.length === 0 && (
                <Text size="sm" c="dimmed" p="sm">
                  Nothing yet
                </Text>
              )}
              {list.data?.data.map((n) => (
                <UnstyledButton
                  key={n.id}
                  p="xs"
                  style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
                  onClick={() => {
                    if (!n.read_at) read.mutate({ ids: [n.id] })
                    if (n.case_id) navigate(`/cases/${n.case_id}`)
                  }}
                >
                  <Text size="sm" fw={n.read_at ? 400 : 600}>
                    {n.title}
                  </Text>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {n.body}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {timeAgo(n.created_at)}
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  )
}
