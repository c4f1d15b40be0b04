-- Who has a case open right now, and whether they are writing on it: the console's collision
-- warning. Heartbeats every few seconds, worthless after a crash, so unlogged (no WAL).
create unlogged table case_presence (
  merchant_id uuid not null,
  case_id uuid not null,
  user_id uuid not null,
  state text not null check (state in ('viewing', 'replying')),
  since timestamptz not null,
  seen_at timestamptz not null,
  primary key (merchant_id, case_id, user_id)
);
