-- Satisfaction surveys (issue 11): one per closed ticket, answered through a signed link.
CREATE TABLE ticket_surveys (
  ticket_id   bigint PRIMARY KEY REFERENCES tickets (id),
  token_hash  text NOT NULL UNIQUE,
  sent_at     timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  answered_at timestamptz,
  score       smallint CHECK (score BETWEEN 1 AND 5),
  comment     text
);
