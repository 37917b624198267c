-- Issue 11 (access): the audit log is append-only, and every ticket change is in it.
-- (V13 is unused; V15 holds the report indexes.)
CREATE INDEX IF NOT EXISTS audit_log_by_at ON audit_log (at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_by_target ON audit_log (target text_pattern_ops, id DESC);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Every ticket event (a change by a person, the SLA scanner or the rule engine) is an audit entry,
-- written in the transaction of the change itself, so neither exists without the other.
CREATE FUNCTION ticket_event_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (at, actor, action, target, detail)
  VALUES (NEW.at, NEW.actor, 'ticket.' || NEW.kind, 'ticket:' || NEW.ticket_id, NEW.detail);
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_events_audit AFTER INSERT ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION ticket_event_audit();

-- Viewer and operator tokens may be bound to a customer too (they see that customer only); an
-- admin token never is.
ALTER TABLE tokens DROP CONSTRAINT tokens_customer_only_for_ingest;
ALTER TABLE tokens ADD CONSTRAINT tokens_admin_never_bound CHECK (customer IS NULL OR role <> 'admin');
