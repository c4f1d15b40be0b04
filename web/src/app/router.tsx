import { lazy, Suspense } from 'react'
import { createBrowserRouter, Navigate } from 'react-router'
import { CasePage } from '../pages/CasePage'
import { Inbox } from '../pages/Inbox'
import { Shell } from './Shell'

// The portal is a page of its own (customers never load the console), in its own chunk.
const Portal = lazy(() => import('../pages/Portal'))

export const router = createBrowserRouter([
  { path: '/portal/:token', element: <Suspense><Portal /></Suspense> },
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/inbox" replace /> },
      { path: 'inbox', element: <Inbox /> },
      { path: 'cases/:id', element: <CasePage /> },
      { path: '*', element: <Navigate to="/inbox" replace /> },
    ],
  },
])
