-- The outbox NOTIFY names the writing transaction (its txid) instead of a constant. PostgreSQL
-- folds the same payload within one transaction, so it is still one notification per commit. The
-- router routes a paging fault's rows inside that fault's own transaction (Router#inTransaction)
-- and then knows the notification that follows its commit brings nothing new: it skips the pass.
CREATE OR REPLACE FUNCTION notify_fault_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
  PERFORM pg_notify('vigil_notify', txid_current()::text);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION notify_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
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
  PERFORM pg_notify('vigil_notify', txid_current()::text);
  RETURN NULL;
END $$;
