import { Loader } from '@mantine/core'
import { lazy, type ReactNode, Suspense } from 'react'
import { createBrowserRouter, Navigate } from 'react-router'
import { CasePage } from '../pages/CasePage'
import { Connections } from '../pages/Connections'
import { CustomerPage } from '../pages/CustomerPage'
import { Inbox, InboxViews } from '../pages/Inbox'
import { Login } from '../pages/Login'
import { Profile } from '../pages/Profile'
import { Shipments } from '../pages/Shipments'
import { Shell } from './Shell'

// The portal is a page of its own (customers never load the console), in its own chunk.
const Portal = lazy(() => import('../pages/Portal'))
const Survey = lazy(() => import('../pages/Survey'))
const EvidenceUpload = lazy(() => import('../pages/EvidenceUpload'))
// Charts are the heaviest code in the console: only the dashboard loads them.
const Dashboard = lazy(() => import('../pages/Dashboard'))
// Administration is for a few people and rarely open: its own chunk too.
const Admin = lazy(() => import('../pages/admin/Admin').then((m) => ({ default: m.Admin })))
// Automation rules are written by a few people: their own chunk.
const rules = () => import('../pages/rules')
const RulesPage = lazy(() => rules().then((m) => ({ default: m.RulesPage })))
const RuleEditorPage = lazy(() => rules().then((m) => ({ default: m.RuleEditorPage })))
const ExecutionLogPage = lazy(() => rules().then((m) => ({ default: m.ExecutionLogPage })))
const waiting = (page: ReactNode) => <Suspense fallback={<Loader />}>{page}</Suspense>

export const router = createBrowserRouter([
  {
    path: '/portal/evidence/:token',
    element: (
      <Suspense>
        <EvidenceUpload />
      </Suspense>
    ),
  },
  {
    path: '/portal/:token',
    element: (
      <Suspense>
        <Portal />
      </Suspense>
    ),
  },
  {
    path: '/survey/:token',
    element: (
      <Suspense>
        <Survey />
      </Suspense>
    ),
  },
  {
    path: '/',
    element: <Shell signIn={<Login />} views={InboxViews} />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      { path: 'inbox', element: <Inbox /> },
      { path: 'cases/:id', element: <CasePage /> },
      { path: 'customers/:id', element: <CustomerPage /> },
      { path: 'shipments', element: <Shipments /> },
      { path: 'profile', element: <Profile /> },
      { path: 'connections', element: <Connections /> },
      {
        path: 'dashboard',
        element: (
          <Suspense fallback={<Loader />}>
            <Dashboard />
          </Suspense>
        ),
      },
      {
        path: 'admin',
        element: (
          <Suspense fallback={<Loader />}>
            <Admin />
          </Suspense>
        ),
      },
      { path: 'rules', element: waiting(<RulesPage />) },
      { path: 'rules/new', element: waiting(<RuleEditorPage />) },
      { path: 'rules/log', element: waiting(<ExecutionLogPage />) },
      { path: 'rules/:id', element: waiting(<RuleEditorPage />) },
      { path: '*', element: <Navigate to="/inbox" replace /> },
    ],
  },
])
