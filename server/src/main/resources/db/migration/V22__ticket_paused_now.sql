-- Issue 11: whether a ticket's clocks stand still now and why ('pending_customer' or 'maintenance'),
-- and since when. Written with the clocks (io.vigil.server.tickets.SlaTimers.store), which also
-- wakes at each maintenance start and end so both stay current without a change to the ticket.
ALTER TABLE tickets ADD COLUMN paused_for text, ADD COLUMN paused_since timestamptz;
UPDATE tickets SET paused_for = pauses->(jsonb_array_length(pauses) - 1)->>'reason',
                   paused_since = (pauses->(jsonb_array_length(pauses) - 1)->>'start')::timestamptz
 WHERE jsonb_typeof(pauses) = 'array' AND jsonb_array_length(pauses) > 0
   AND pauses->(jsonb_array_length(pauses) - 1)->>'end' IS NULL;
