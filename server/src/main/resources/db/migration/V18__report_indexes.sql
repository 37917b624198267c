-- Issue 11, service reports (io.vigil.server.tickets.ServiceReports, docs/REPORTS.md).
-- A report reads the tickets whose life overlaps its period [from, to):
--   COALESCE(resolved_at, 'infinity') >= from AND opened_at < to
-- This index answers both: the range on the second column, and opened_at checked in the index
-- (not the heap), so a month of a customer reads about that month's tickets (plus those still
-- open then), not every ticket resolved since. Unresolved tickets sort last.
CREATE INDEX tickets_report_overlap ON tickets (customer, (COALESCE(resolved_at, 'infinity'::timestamptz)), opened_at);
