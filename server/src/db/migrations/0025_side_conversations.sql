-- Side conversations: an agent's email thread with a third party (the carrier's claims desk, the 3PL, the
-- warehouse, the supplier) about a case, with its own status; the customer never sees it.
create table side_conversations (
  merchant_id uuid not null references merchants (id),
  id uuid not null,
  case_id uuid not null,
  subject text not null check (length(subject) between 1 and 998),
  counterparty_kind text not null check (counterparty_kind in ('carrier', 'warehouse', '3pl', 'supplier', 'other')),
  counterparty_name text not null default '' check (length(counterparty_name) <= 200),
  -- [{ address, name? }]: who the thread goes to (and who answered on it)
  participants jsonb not null default '[]' check (jsonb_typeof(participants) = 'array'),
  -- open: waiting on the third party; answered: they replied and no agent has answered yet; closed by an agent
  status text not null default 'open' check (status in ('open', 'answered', 'closed')),
  created_by uuid,
  last_message_at timestamptz not null,
  closed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (merchant_id, id),
  foreign key (merchant_id, case_id) references cases (merchant_id, id)
);
create index side_conversations_case on side_conversations (merchant_id, case_id, id);
-- The SMTP listener finds a side reply address's workspace by the conversation's id alone.
create index side_conversations_id on side_conversations (id);

alter table messages add column side_conversation_id uuid;
alter table messages add constraint messages_side_conversation_fkey
  foreign key (merchant_id, side_conversation_id) references side_conversations (merchant_id, id);
create index messages_side_conversation on messages (merchant_id, side_conversation_id, id)
  where side_conversation_id is not null;

-- Each side message sent before side conversations existed becomes a conversation of its own, waiting on its
-- recipients; it takes the message's id (a UUIDv7 minted when it was written, so the order holds).
insert into side_conversations (merchant_id, id, case_id, subject, counterparty_kind, counterparty_name, participants,
  status, created_by, last_message_at, closed_at, created_at, updated_at)
select m.merchant_id, m.id, m.case_id, coalesce(nullif(m.subject, ''), '(no subject)'), 'other', '',
  case when m.direction = 'in' then jsonb_build_array(jsonb_build_object('address', lower(m.from_address)))
    else m.to_addresses || m.cc_addresses end,
  case when m.direction = 'in' then 'answered' else 'open' end,
  m.author_id, m.created_at, null, m.created_at, m.created_at
from messages m
where m.visibility = 'side' and m.side_conversation_id is null;

update messages set side_conversation_id = id where visibility = 'side' and side_conversation_id is null;
