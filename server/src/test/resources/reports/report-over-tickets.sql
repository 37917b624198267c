-- The service report statement before V21 (commit bb0af13), over tickets joined to surveys and visits:
-- ServiceReportFactsIT checks that the facts-based statement answers exactly what this one does.
WITH s AS (
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS s(customer, p_from, p_to, k)
), t AS (
  -- Grouped by the customer's number k, not its name: a million text comparisons cost more than the aggregates.
  SELECT s.k, t.channel,
    -- A review (the follow-up of a low survey answer) counts as a complaint about its ticket, under that ticket's severity.
    CASE WHEN t.review_of IS NULL THEN t.severity ELSE (SELECT o.severity FROM tickets o WHERE o.id = t.review_of) END AS severity,
    t.review_of IS NOT NULL AS review,
    t.opened_at >= s.p_from AS in_opened,
    COALESCE(t.resolved_at >= s.p_from AND t.resolved_at < s.p_to, false) AS in_resolved,
    COALESCE(t.resolved_at, 'infinity') >= LEAST(s.p_to, $4) AS in_backlog,
    date_part('epoch', LEAST(s.p_to, $4) - t.opened_at) AS age_s,
    -- date_part, not extract: float8 sorts and averages several times faster than extract's numeric.
    date_part('epoch', t.responded_at - t.opened_at) AS respond_s,
    date_part('epoch', t.acknowledged_at - t.opened_at) AS ack_s,
    date_part('epoch', t.resolved_at - t.opened_at) AS resolve_s,
    t.paused_ms / 1000.0::float8 AS paused_s,
    -- Decided: responded, or its due passed unanswered (not only once the SLA scanner noticed).
    (t.responded_at IS NOT NULL OR t.respond_by < LEAST(s.p_to, $4)) AS respond_decided,
    (t.responded_at IS NOT NULL AND t.respond_breached_at IS NULL AND t.responded_at <= COALESCE(t.respond_by, t.responded_at)) AS respond_met,
    (t.resolved_at IS NOT NULL AND t.resolve_breached_at IS NULL AND t.resolved_at <= COALESCE(t.resolve_by, t.resolved_at)) AS resolve_met,
    COALESCE(t.resolve_by < LEAST(s.p_to, $4), false) AS overdue,
    (t.recurrences > 0 OR t.recurrence_of IS NOT NULL) AS recurred,
    (t.reopened_at IS NULL AND t.recurrences = 0 AND t.dispatch IS DISTINCT FROM 'onsite'
      AND (t.resolution_kind IS NULL OR t.resolution_kind NOT IN ('onsite', 'hardware_replaced'))
      -- EXISTS: the planner probes per ticket or hashes the visits once (AlternativeSubPlan), whichever is cheaper.
      AND NOT EXISTS (SELECT 1 FROM ticket_visits v WHERE v.ticket_id = t.id)) AS first_contact,
    sv.sent_at AS survey_sent, sv.score
  FROM s JOIN tickets t ON t.customer = s.customer
  LEFT JOIN ticket_surveys sv ON sv.ticket_id = t.id
  WHERE t.opened_at < s.p_to AND COALESCE(t.resolved_at, 'infinity') >= s.p_from AND t.merged_into IS NULL
), a AS (
  SELECT k, CASE WHEN GROUPING(severity) = 1 THEN 'all' ELSE severity END AS severity, GROUPING(severity) AS total,
    count(*) FILTER (WHERE in_opened AND NOT review) AS opened,
    count(*) FILTER (WHERE in_resolved AND NOT review) AS resolved,
    count(respond_s) FILTER (WHERE in_opened AND NOT review) AS first_response_count,
    avg(respond_s) FILTER (WHERE in_opened AND NOT review) AS first_response_mean_seconds,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY respond_s) FILTER (WHERE in_opened AND NOT review) AS first_response_p90_seconds,
    count(ack_s) FILTER (WHERE in_opened AND NOT review) AS mtta_count,
    avg(ack_s) FILTER (WHERE in_opened AND NOT review) AS mtta_mean_seconds,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY ack_s) FILTER (WHERE in_opened AND NOT review) AS mtta_p90_seconds,
    avg(resolve_s) FILTER (WHERE in_resolved AND NOT review) AS mttr_mean_seconds,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_s) FILTER (WHERE in_resolved AND NOT review) AS mttr_p90_seconds,
    avg(GREATEST(resolve_s - paused_s, 0)) FILTER (WHERE in_resolved AND NOT review) AS mttr_net_mean_seconds,
    count(*) FILTER (WHERE in_opened AND NOT review AND respond_decided) AS response_decided,
    count(*) FILTER (WHERE in_opened AND NOT review AND respond_met) AS response_met,
    count(*) FILTER (WHERE in_resolved AND NOT review AND resolve_met) AS resolution_met,
    count(*) FILTER (WHERE in_opened AND NOT review AND respond_decided AND NOT respond_met) AS response_breaches,
    count(*) FILTER (WHERE in_resolved AND NOT review AND NOT resolve_met) AS resolution_breaches,
    count(*) FILTER (WHERE in_resolved AND NOT review AND first_contact) AS first_contact_resolved,
    count(*) FILTER (WHERE in_opened AND NOT review AND recurred) AS recurred,
    count(survey_sent) FILTER (WHERE in_resolved AND NOT review) AS surveys_sent,
    count(score) FILTER (WHERE in_resolved AND NOT review) AS surveys_answered,
    avg(score) FILTER (WHERE in_resolved AND NOT review) AS satisfaction_mean,
    count(*) FILTER (WHERE in_resolved AND NOT review AND score <= 2) AS low_scores,
    count(*) FILTER (WHERE in_opened AND review) AS complaints,
    count(*) FILTER (WHERE in_backlog AND NOT review) AS backlog,
    count(*) FILTER (WHERE in_backlog AND NOT review AND age_s < 86400) AS backlog_lt_1d,
    count(*) FILTER (WHERE in_backlog AND NOT review AND age_s >= 86400 AND age_s < 259200) AS backlog_1d_3d,
    count(*) FILTER (WHERE in_backlog AND NOT review AND age_s >= 259200 AND age_s < 604800) AS backlog_3d_7d,
    count(*) FILTER (WHERE in_backlog AND NOT review AND age_s >= 604800) AS backlog_ge_7d,
    count(*) FILTER (WHERE in_backlog AND NOT review AND overdue) AS backlog_overdue,
    count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'monitoring') AS channel_monitoring,
    count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'phone') AS channel_phone,
    count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'email') AS channel_email,
    count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'web') AS channel_web,
    count(*) FILTER (WHERE in_opened AND NOT review AND channel = 'portal') AS channel_portal
  FROM t GROUP BY GROUPING SETS ((k, severity), (k))
)
SELECT s.customer, a.severity, opened, resolved,
  first_response_count, round(first_response_mean_seconds::numeric, 1)::float8 AS first_response_mean_seconds,
  round(first_response_p90_seconds::numeric, 1)::float8 AS first_response_p90_seconds,
  mtta_count, round(mtta_mean_seconds::numeric, 1)::float8 AS mtta_mean_seconds, round(mtta_p90_seconds::numeric, 1)::float8 AS mtta_p90_seconds,
  round(mttr_mean_seconds::numeric, 1)::float8 AS mttr_mean_seconds, round(mttr_p90_seconds::numeric, 1)::float8 AS mttr_p90_seconds,
  round(mttr_net_mean_seconds::numeric, 1)::float8 AS mttr_net_mean_seconds,
  response_decided, response_met, round(response_met::numeric / NULLIF(response_decided, 0), 4)::float8 AS response_compliance,
  resolved AS resolution_decided, resolution_met, round(resolution_met::numeric / NULLIF(resolved, 0), 4)::float8 AS resolution_compliance,
  response_breaches, resolution_breaches,
  first_contact_resolved, round(first_contact_resolved::numeric / NULLIF(resolved, 0), 4)::float8 AS first_contact_rate,
  recurred, round(recurred::numeric / NULLIF(opened, 0), 4)::float8 AS recurrence_rate,
  surveys_sent, surveys_answered, round(surveys_answered::numeric / NULLIF(surveys_sent, 0), 4)::float8 AS survey_response_rate,
  round(satisfaction_mean, 2)::float8 AS satisfaction_mean, low_scores, complaints,
  backlog, backlog_lt_1d, backlog_1d_3d, backlog_3d_7d, backlog_ge_7d, backlog_overdue,
  channel_monitoring, channel_phone, channel_email, channel_web, channel_portal
FROM a JOIN s USING (k) ORDER BY a.k, total DESC, a.severity
