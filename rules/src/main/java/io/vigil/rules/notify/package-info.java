/**
 * Notification routing, pure: which receiver hears of an alert, when, and with what body. No I/O,
 * no clock; every decision takes {@code now}. The server composes the stages:
 *
 * <ol>
 *   <li><b>configure</b>: {@link io.vigil.rules.notify.NotifyConfig#parse} reads {@code route:},
 *       {@code receivers:}, {@code time_intervals:} and {@code notify:} from the loaded rules YAML
 *       (Alertmanager's shape) and reports every problem with its path;</li>
 *   <li><b>silence / inhibit</b> (package {@code mute}) decide before this package whether an
 *       alert event is offered at all;</li>
 *   <li><b>route and group</b>: {@link io.vigil.rules.notify.Grouper#offer} matches the alert
 *       against the {@link io.vigil.rules.notify.Route} tree and merges it into aggregation groups;
 *       {@link io.vigil.rules.notify.Grouper#due} returns the {@link io.vigil.rules.notify.Flush}es
 *       to send now (group_wait, group_interval, repeat via
 *       {@link io.vigil.rules.notify.SendDecision}, severity defaults, P4 digests, time-interval
 *       mutes), and {@link io.vigil.rules.notify.Grouper#nextWakeup} when to call it again;</li>
 *   <li><b>dedupe</b>: each flush has a deterministic
 *       {@link io.vigil.rules.notify.Flush#idempotencyKey()}; the server's outbox refuses a key
 *       twice, so a recomputation after a crash sends nothing new;</li>
 *   <li><b>render</b> per webhook: {@link io.vigil.rules.notify.Flush#worthSendingTo} and
 *       {@link io.vigil.rules.notify.Flush#alertsFor} apply {@code send_resolved};
 *       {@link io.vigil.rules.notify.AlertmanagerBody} writes Alertmanager's webhook v4 JSON,
 *       {@link io.vigil.rules.notify.BodyTemplate} a templated body (the server writes Vigil's
 *       own format itself, from the alerts' payload refs); {@link io.vigil.rules.notify.Signature}
 *       signs it;</li>
 *   <li><b>send and retry</b> are the server's (HTTP); {@link io.vigil.rules.notify.Backoff} gives
 *       the delay before each retry and {@link io.vigil.rules.notify.RetryPolicy} when to
 *       dead-letter;</li>
 *   <li><b>record sent</b>: the server persists the flush record and the group's
 *       {@link io.vigil.rules.notify.GroupState} in one transaction;
 *       {@link io.vigil.rules.notify.Grouper#restore} resumes from those states.</li>
 * </ol>
 *
 * Files named {@code OnCall*}, {@code Schedule*}, {@code Escalation*} and {@code ICal*} in this
 * package are on-call scheduling and escalation, which pick the people behind a receiver.
 */
package io.vigil.rules.notify;
