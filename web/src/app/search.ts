import { useNavigate } from 'react-router'
import { api } from '../api/client'

/** A search: `CD-1042` opens that case when it exists; anything else lists the matching cases. */
export function useOpenSearch() {
  const navigate = useNavigate()
  return async (
    q: string,
    list = (text: string) => navigate(text ? `/inbox?q=${encodeURIComponent(text)}` : '/inbox'),
  ) => {
    if (/^CD-?\d{1,15}$/i.test(q)) {
      const hit = (await api.GET('/api/v1/cases', { params: { query: { q, limit: 1 } } })).data?.data[0]
      if (hit) return navigate(`/cases/${hit.id}`)
    }
    return list(q)
  }
}
