import { createBrowserRouter, Navigate } from 'react-router'
import { CasePage } from '../pages/CasePage'
import { Inbox } from '../pages/Inbox'
import { Shell } from './Shell'

export const router = createBrowserRouter([
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
