-- Issue 11: the update-every clock. A person's work on a ticket (any event not by Vigil itself or
-- by the customer) is an update; a ticket owes the customer one every update_every of working time
-- after the response (TicketClocks). update_due_at is shown; sla_next_at schedules the reminder.
ALTER TABLE tickets
  ADD COLUMN last_update_at timestamptz,
  ADD COLUMN update_reminded_at timestamptz,
  ADD COLUMN update_due_at timestamptz;

CREATE FUNCTION ticket_event_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.actor NOT IN ('vigil', 'customer') AND NEW.kind NOT LIKE 'sla\_%' THEN
    UPDATE tickets SET last_update_at = GREATEST(last_update_at, NEW.at) WHERE id = NEW.ticket_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ticket_events_update AFTER INSERT ON ticket_events
  FOR EACH ROW EXECUTE FUNCTION ticket_event_update();
