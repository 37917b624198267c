-- Issue 11: the full ticket workflow and SLA clocks that survive restarts.

-- Two waiting states; both are work in hand (one active ticket per fingerprint still holds).
ALTER TABLE tickets DROP CONSTRAINT tickets_state_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_state_check CHECK (state IN
  ('open', 'acknowledged', 'in_progress', 'pending_customer', 'pending_vendor', 'resolved', 'closed', 'reopened'));
DROP INDEX tickets_one_active_per_fingerprint;
CREATE UNIQUE INDEX tickets_one_active_per_fingerprint ON tickets (fingerprint)
  WHERE state IN ('open', 'acknowledged', 'in_progress', 'pending_customer', 'pending_vendor', 'reopened');

-- A due time is unknown (null) while its clock is stopped in an open-ended pause.
ALTER TABLE tickets ALTER COLUMN respond_by DROP NOT NULL;
ALTER TABLE tickets ALTER COLUMN resolve_by DROP NOT NULL;

ALTER TABLE tickets
  -- Where the ticket came from: 'monitoring' (a fault) or a person's report.
  ADD COLUMN channel text NOT NULL DEFAULT 'monitoring' CHECK (channel IN ('monitoring', 'phone', 'email', 'web', 'portal')),
  ADD COLUMN description text,
  ADD COLUMN reporter text,
  -- Dispatch.
  ADD COLUMN assignee text,
  ADD COLUMN assigned_group text,
  ADD COLUMN dispatch text CHECK (dispatch IN ('remote', 'onsite')),
  ADD COLUMN resolution_kind text CHECK (resolution_kind IN ('remote', 'onsite', 'hardware_replaced', 'configuration', 'no_fault_found')),
  -- The first human action after opening (acknowledge, start, hold or resolve): first response.
  ADD COLUMN responded_at timestamptz,
  -- SLA: the terms it runs under (contract tier at opening), pauses [{"start","end","reason"}]
  -- (end null: paused now), when each warning / breach fired (null: not yet), and the earliest
  -- instant at which the SLA scanner has something to do for it (null: nothing left).
  ADD COLUMN sla_tier text NOT NULL DEFAULT 'default',
  ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
  ADD COLUMN pauses jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN paused_ms bigint NOT NULL DEFAULT 0,
  ADD COLUMN respond_warn_at timestamptz,
  ADD COLUMN resolve_warn_at timestamptz,
  ADD COLUMN respond_warned_at timestamptz,
  ADD COLUMN respond_breached_at timestamptz,
  ADD COLUMN resolve_warned_at timestamptz,
  ADD COLUMN resolve_breached_at timestamptz,
  ADD COLUMN escalation_level integer NOT NULL DEFAULT 0,
  ADD COLUMN sla_next_at timestamptz,
  ADD COLUMN reopened_at timestamptz,
  ADD COLUMN merged_into bigint REFERENCES tickets (id);

UPDATE tickets SET responded_at = acknowledged_at;
-- Tickets opened before this migration keep their stored dues; the scanner picks up what is due.
UPDATE tickets SET sla_next_at = LEAST(CASE WHEN responded_at IS NULL THEN respond_by END, resolve_by)
  WHERE state IN ('open', 'acknowledged', 'in_progress', 'reopened');

-- The SLA scanner's only query: what is due by now, oldest first.
CREATE INDEX tickets_sla_next ON tickets (sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX tickets_by_customer ON tickets (customer, opened_at);

-- An incident with many symptoms: every fault linked to a ticket (the ticket's own fault included).
CREATE TABLE ticket_faults (
  ticket_id bigint NOT NULL REFERENCES tickets (id),
  fault_id  bigint NOT NULL REFERENCES faults (id),
  linked_at timestamptz NOT NULL,
  linked_by text NOT NULL,
  PRIMARY KEY (ticket_id, fault_id)
);
CREATE INDEX ticket_faults_by_fault ON ticket_faults (fault_id);
INSERT INTO ticket_faults (ticket_id, fault_id, linked_at, linked_by)
  SELECT id, fault_id, opened_at, 'vigil' FROM tickets WHERE fault_id IS NOT NULL;

-- On-site visits of a dispatched engineer.
CREATE TABLE ticket_visits (
  id          bigserial PRIMARY KEY,
  ticket_id   bigint NOT NULL REFERENCES tickets (id),
  engineer    text NOT NULL,
  arrived_at  timestamptz NOT NULL,
  departed_at timestamptz,
  note        text,
  recorded_by text NOT NULL,
  CHECK (departed_at IS NULL OR departed_at >= arrived_at)
);
CREATE INDEX ticket_visits_by_ticket ON ticket_visits (ticket_id);
