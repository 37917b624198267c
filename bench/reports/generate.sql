-- Service report benchmark data (bench/reports.sh): 50 customers, 1,000,000 tickets opened over
-- 2025 (uniformly, ~20,000 a customer), 10 events each (10,000,000 ticket_events), a survey for
-- 60% of the closed tickets (40% of them answered), a visit for each on-site resolution and a
-- review ticket for each answer <= 2. Run with psql on a database migrated by Vigil; the figures
-- are pseudo-random but the same every run (setseed). Triggers (and so FK checks) are off for the
-- load: session_replication_role = replica, superuser only; so the report's ticket_facts (V21,
-- otherwise kept by triggers) are rebuilt from the tickets at the end.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;
SELECT setseed(0.42);

INSERT INTO customers (id, name, tier, time_zone)
SELECT 'cust' || lpad(c::text, 2, '0'), 'Customer ' || c, '7x24',
       (ARRAY['Asia/Shanghai', 'UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'])[1 + c % 5]
FROM generate_series(0, 49) c;

-- severity mix P1 5%, P2 15%, P3 50%, P4 30%; the SLA of tier 7x24 (V11 defaults); responses and
-- resolutions drawn up to 1.3 and 1.2 times the target, so ~23% / ~17% breach; 1% never resolved.
CREATE TEMP TABLE g AS
SELECT g AS n, r1, r2, r3, r4, r5, r6, r7, r8,
       CASE WHEN r1 < 0.05 THEN 'P1' WHEN r1 < 0.20 THEN 'P2' WHEN r1 < 0.70 THEN 'P3' ELSE 'P4' END AS severity,
       -- ids follow opening time, as the sequence makes them (heap order = time order, as in production)
       timestamptz '2025-01-01 00:00:00+00' + ((g - 1 + r2) / 1000000.0) * interval '365 days' AS opened_at
FROM (SELECT g, random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7, random() r8
      FROM generate_series(1, 1000000) g) x;

INSERT INTO tickets (id, fingerprint, customer, system, severity, state, summary, opened_at, respond_by, resolve_by,
  acknowledged_at, responded_at, resolved_at, closed_at, channel, resolution_kind, dispatch, paused_ms, recurrences,
  respond_breached_at, resolve_breached_at, sla_tier, cause, fix, prevention, updated_at)
SELECT n, md5(n::text), 'cust' || lpad((n % 50)::text, 2, '0'), 'sys' || (n % 20), severity,
  CASE WHEN resolved_at IS NULL THEN (CASE WHEN r5 < 0.5 THEN 'open' ELSE 'in_progress' END)
       WHEN resolved_at + interval '1 day' < timestamptz '2026-01-01 00:00:00+00' THEN 'closed' ELSE 'resolved' END,
  'generated ticket ' || n, opened_at, opened_at + resp, opened_at + res,
  opened_at + resp * (r3 * 1.3), opened_at + resp * (r3 * 1.3), resolved_at,
  CASE WHEN resolved_at + interval '1 day' < timestamptz '2026-01-01 00:00:00+00' THEN resolved_at + interval '1 day' END,
  CASE WHEN r4 < 0.60 THEN 'monitoring' WHEN r4 < 0.75 THEN 'phone' WHEN r4 < 0.85 THEN 'email' WHEN r4 < 0.95 THEN 'web' ELSE 'portal' END,
  CASE WHEN resolved_at IS NULL THEN NULL WHEN r5 < 0.70 THEN 'remote' WHEN r5 < 0.80 THEN 'onsite'
       WHEN r5 < 0.95 THEN 'configuration' ELSE 'hardware_replaced' END,
  CASE WHEN r5 >= 0.70 AND r5 < 0.80 OR r5 >= 0.95 THEN 'onsite' ELSE 'remote' END,
  CASE WHEN r3 < 0.1 THEN (r4 * 3600000)::bigint ELSE 0 END,
  CASE WHEN r6 < 0.03 THEN 1 ELSE 0 END,
  CASE WHEN r3 * 1.3 > 1 THEN opened_at + resp END,
  CASE WHEN resolved_at > opened_at + res THEN opened_at + res END,
  '7x24', 'cause', 'fix', 'prevention', opened_at
FROM (
  SELECT g.*, resp, res,
    CASE WHEN r7 < 0.01 THEN NULL ELSE opened_at + res * (0.05 + r8 * 1.15) END AS resolved_at
  FROM g, LATERAL (SELECT CASE severity WHEN 'P1' THEN interval '15 min' WHEN 'P2' THEN interval '1 hour'
                                        WHEN 'P3' THEN interval '4 hours' ELSE interval '48 hours' END AS resp,
                          CASE severity WHEN 'P1' THEN interval '4 hours' WHEN 'P2' THEN interval '24 hours'
                                        WHEN 'P3' THEN interval '72 hours' ELSE interval '240 hours' END AS res) sla
) t;
SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets));

-- 10 events a ticket, spread over its life (the report does not read them; they are there so the
-- tables are the size a year of service makes).
INSERT INTO ticket_events (ticket_id, at, actor, kind, detail)
SELECT t.id, t.opened_at + (COALESCE(t.resolved_at, t.opened_at + interval '1 day') - t.opened_at) * (k / 10.0),
  CASE WHEN k = 1 THEN 'vigil' ELSE 'token:engineer' || (t.id % 30) END,
  (ARRAY['opened', 'acknowledged', 'assigned', 'in_progress', 'comment', 'sla_warning', 'comment', 'visit_recorded', 'resolved', 'closed'])[k],
  CASE WHEN k = 3 THEN jsonb_build_object('group', 'group' || (t.id % 5)) ELSE '{}'::jsonb END
FROM tickets t, generate_series(1, 10) k;

INSERT INTO ticket_visits (ticket_id, engineer, arrived_at, departed_at, recorded_by)
SELECT id, 'engineer' || (id % 30), resolved_at - interval '2 hours', resolved_at - interval '30 minutes', 'bench'
FROM tickets WHERE resolution_kind IN ('onsite', 'hardware_replaced');

INSERT INTO ticket_surveys (ticket_id, token_hash, sent_at, expires_at, answered_at, score)
SELECT id, md5('survey' || id), closed_at, closed_at + interval '30 days',
  CASE WHEN a < 0.4 THEN closed_at + interval '6 hours' END,
  CASE WHEN a < 0.4 THEN (CASE WHEN a < 0.03 THEN 1 WHEN a < 0.06 THEN 2 WHEN a < 0.12 THEN 3 WHEN a < 0.25 THEN 4 ELSE 5 END) END
FROM (SELECT id, closed_at, random() AS a, random() AS b FROM tickets WHERE closed_at IS NOT NULL) s WHERE b < 0.6;

INSERT INTO tickets (fingerprint, customer, system, severity, state, summary, opened_at, respond_by, resolve_by, channel,
  sla_tier, review_of, acknowledged_at, responded_at, resolved_at, closed_at, updated_at)
SELECT 'review:' || t.id, t.customer, t.system, 'P3', 'closed', 'satisfaction review of #' || t.id, s.answered_at,
  s.answered_at + interval '4 hours', s.answered_at + interval '72 hours', 'portal', '7x24', t.id,
  s.answered_at + interval '1 hour', s.answered_at + interval '1 hour', s.answered_at + interval '1 day',
  s.answered_at + interval '2 days', s.answered_at
FROM ticket_surveys s JOIN tickets t ON t.id = s.ticket_id WHERE s.score <= 2;

RESET session_replication_role;

-- The triggers were off: the report's facts, as the triggers would have written them (V21).
SELECT ticket_facts_rebuild();
