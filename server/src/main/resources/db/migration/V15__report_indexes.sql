-- Issue 11, service reports (io.vigil.server.tickets.ServiceReports, docs/REPORTS.md).
-- A report reads the tickets whose life overlaps its period [from, to):
--   opened_at < to                                  -> tickets_by_customer (customer, opened_at), from V11
--   COALESCE(resolved_at, 'infinity') >= from       -> this index (unresolved tickets sort last)
-- PostgreSQL combines the two ranges (BitmapAnd) or takes the narrower one, so a recent month
-- reads about a month of a customer's tickets, not its whole history.
CREATE INDEX tickets_report_resolved ON tickets (customer, (COALESCE(resolved_at, 'infinity'::timestamptz)));
