-- Vigil core schema. Samples live in V2 (layout chosen at first start: TimescaleDB or native partitions).

CREATE TABLE series (
  id         bigserial PRIMARY KEY,
  key        text NOT NULL UNIQUE,              -- metric + canonical labels: the series identity
  metric     text NOT NULL,
  labels     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX series_metric ON series (metric);

CREATE TABLE faults (
  id          bigserial PRIMARY KEY,
  fingerprint text NOT NULL,
  rule        text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
  state       text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
  labels      jsonb NOT NULL,
  value       double precision,
  summary     text NOT NULL,
  starts_at   timestamptz NOT NULL,
  firing_at   timestamptz,
  ends_at     timestamptz,
  ticket_id   bigint,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- At most one active fault per fingerprint, whatever the number of nodes writing.
CREATE UNIQUE INDEX faults_one_active_per_fingerprint ON faults (fingerprint) WHERE state <> 'resolved';
CREATE INDEX faults_by_state ON faults (state, id DESC);

CREATE TABLE tickets (
  id                bigserial PRIMARY KEY,
  fingerprint       text NOT NULL,
  fault_id          bigint REFERENCES faults (id),
  customer          text NOT NULL,
  system            text NOT NULL,
  severity          text NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
  state             text NOT NULL CHECK (state IN ('open', 'acknowledged', 'in_progress', 'resolved', 'closed', 'reopened')),
  summary           text NOT NULL,
  opened_at         timestamptz NOT NULL,
  respond_by        timestamptz NOT NULL,
  resolve_by        timestamptz NOT NULL,
  acknowledged_at   timestamptz,
  resolved_at       timestamptz,
  closed_at         timestamptz,
  fault_resolved_at timestamptz,
  cause             text,
  fix               text,
  prevention        text,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
-- The same fingerprint never has two tickets in work: enforced here, not only in memory.
CREATE UNIQUE INDEX tickets_one_active_per_fingerprint ON tickets (fingerprint)
  WHERE state IN ('open', 'acknowledged', 'in_progress', 'reopened');
CREATE INDEX tickets_by_state ON tickets (state, id DESC);
ALTER TABLE faults ADD CONSTRAINT faults_ticket_fk FOREIGN KEY (ticket_id) REFERENCES tickets (id);

CREATE TABLE ticket_events (
  id        bigserial PRIMARY KEY,
  ticket_id bigint NOT NULL REFERENCES tickets (id),
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  kind      text NOT NULL,
  detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TABLE tokens (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'ingest')),
  secret_hash text NOT NULL UNIQUE,            -- SHA-256 of the secret; the secret itself is never stored
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  revoked_at  timestamptz
);

CREATE TABLE audit_log (
  id     bigserial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE storage_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
