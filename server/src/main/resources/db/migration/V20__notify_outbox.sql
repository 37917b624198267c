-- Issue 12: notifications that are never lost. See docs/NOTIFICATIONS.md.
--
-- Two tables carry a page from the change that causes it to the receiver:
--   notify_outbox     what happened: written by triggers IN THE SAME TRANSACTION as the fault or
--                     ticket change (every writer is covered: the pipeline, the ticket desk, the SLA
--                     scanner, another node). The router reads it in id order and marks it routed.
--   notify_deliveries one HTTP request to one webhook: body fixed when routed, retried until
--                     delivered or dead. idempotency_key is unique, so routing the same events again
--                     after a crash adds nothing.
-- notify_groups holds each aggregation group's state (Alertmanager's nflog), so group_interval and
-- repeat_interval survive restarts. ticket_escalations holds each ticket's escalation chain.

CREATE TABLE notify_outbox (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('fault', 'ticket')),
  status     text NOT NULL,          -- fault: firing | resolved; ticket: the ticket event's kind
  fault_id   bigint,
  ticket_id  bigint,
  detail     jsonb NOT NULL,
  routed_at  timestamptz
);
CREATE INDEX notify_outbox_unrouted ON notify_outbox (id) WHERE routed_at IS NULL;

-- A fault is notifiable while firing or flapping and not muted. It notifies when it becomes
-- notifiable (first firing, unmuted while firing), when it is re-graded while notifiable (the
-- severity label changes), and when it resolves after having been notifiable. A fault that resolves
-- while muted, or that never fired, sends nothing: Alertmanager's behaviour for silenced alerts.
CREATE FUNCTION notify_fault_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was boolean := false;
  now_ boolean := NEW.state IN ('firing', 'flapping') AND NEW.muted_by IS NULL;
  status text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    was := OLD.state IN ('firing', 'flapping') AND OLD.muted_by IS NULL;
  END IF;
  IF now_ AND (NOT was OR OLD.severity <> NEW.severity) THEN
    status := 'firing';
  ELSIF was AND NEW.state = 'resolved' THEN
    status := 'resolved';
  ELSE
    RETURN NULL;
  END IF;
  INSERT INTO notify_outbox (at, kind, status, fault_id, ticket_id, detail)
  VALUES (COALESCE(CASE WHEN status = 'resolved' THEN NEW.ends_at END, NEW.firing_at, NEW.updated_at, now()), 'fault', status, NEW.id,
          NEW.ticket_id,
          jsonb_build_object('fingerprint', NEW.fingerprint, 'rule', NEW.rule, 'severity', NEW.severity, 'labels', NEW.labels,
                             'annotations', NEW.annotations, 'summary', NEW.summary, 'startsAt', COALESCE(NEW.firing_at, NEW.starts_at),
                             'endsAt', NEW.ends_at, 'value', NEW.value));
  PERFORM pg_notify('vigil_notify', 'outbox');
  RETURN NULL;
END $$;
CREATE TRIGGER faults_notify AFTER INSERT OR UPDATE OF state, severity, muted_by ON faults
  FOR EACH ROW EXECUTE FUNCTION notify_fault_change();

-- Ticket events that page: SLA warning and breach, a re-grade, a hotline ticket opened (it has no
-- fault to page for it), acknowledgement (stops escalation), resolution.
CREATE FUNCTION notify_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind NOT IN ('opened', 'sla_warning', 'sla_breach', 'regraded', 'acknowledged', 'resolved') THEN
    RETURN NULL;
  END IF;
  INSERT INTO notify_outbox (at, kind, status, ticket_id, detail)
  SELECT NEW.at, 'ticket', NEW.kind, NEW.ticket_id,
         jsonb_build_object('event', NEW.id, 'actor', NEW.actor, 'detail', NEW.detail, 'customer', t.customer, 'system', t.system,
                            'severity', t.severity, 'summary', t.summary, 'state', t.state, 'faultId', t.fault_id,
                            'channel', t.channel, 'respondBy', t.respond_by, 'resolveBy', t.resolve_by)
  FROM tickets t WHERE t.id = NEW.ticket_id;
  PERFORM pg_notify('vigil_notify', 'outbox');
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_events_notify AFTER INSERT ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION notify_ticket_event();

CREATE TABLE notify_deliveries (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  receiver        text NOT NULL,
  webhook         int NOT NULL,         -- index of the webhook_config in the receiver
  url             text NOT NULL,
  body            text NOT NULL,
  kind            text NOT NULL,        -- alert | ticket | escalation | dead_letter
  group_key       text,
  ticket_id       bigint,
  created_at      timestamptz NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,          -- a node is sending it; after this another may
  attempts        int NOT NULL DEFAULT 0,
  last_status     int,
  last_error      text,
  delivered_at    timestamptz,
  dead_at         timestamptz
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (receiver, next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX notify_deliveries_ticket ON notify_deliveries (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TABLE notify_groups (
  group_key  text NOT NULL,
  receiver   text NOT NULL,
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (group_key, receiver)
);

CREATE TABLE ticket_escalations (
  ticket_id  bigint PRIMARY KEY REFERENCES tickets (id),
  chain      text NOT NULL,
  started_at timestamptz NOT NULL,
  fired      int NOT NULL DEFAULT 0,    -- steps already fired, in plan order
  next_at    timestamptz,               -- null: finished or stopped
  stopped_at timestamptz,
  stop_reason text
);
CREATE INDEX ticket_escalations_due ON ticket_escalations (next_at) WHERE next_at IS NOT NULL;

-- Receivers and the routing tree managed through REST (the rules file's are not stored: the file is
-- their source). kind 'route' has the one name 'root'. Every change is audited.
CREATE TABLE notify_config (
  kind       text NOT NULL CHECK (kind IN ('receiver', 'route')),
  name       text NOT NULL,
  body       jsonb NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (kind, name)
);
CREATE INDEX notify_deliveries_dead ON notify_deliveries (dead_at) WHERE dead_at IS NOT NULL;
