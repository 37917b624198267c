package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One notification the {@link Grouper} decided to send now: one aggregation group to one
 * receiver. Immutable. The server renders a body per webhook of the receiver
 * ({@link #alertsFor}, {@link #worthSendingTo}), records the flush under its
 * {@link #idempotencyKey()} and delivers it.
 *
 * @param groupKey        route id and group labels, e.g. {@code {}/{severity="P1"}/0:{alertname="Disk"}}
 * @param alerts          firing and resolved alerts, in Alertmanager's order (job, instance, labels)
 * @param eventIds        the outbox events merged into the group since its previous flush, ascending
 * @param sequence        1 for a group's first flush, then +1 per flush
 * @param at              when {@link Grouper#due} produced it
 * @param idempotencyKey  deterministic in (group key, receiver, the (fingerprint, status) set, the
 *                        highest event id covered, sequence): a recomputation after a crash from the
 *                        same persisted state yields the same key, a later repeat a new one
 */
public record Flush(String groupKey, String routeId, String receiver, Labels groupLabels, Labels commonLabels,
    Map<String, String> commonAnnotations, List<GroupedAlert> alerts, List<Long> eventIds, long sequence, Reason reason, Instant at,
    String idempotencyKey) {
  /** Why a group is sent: see {@link SendDecision}. */
  public enum Reason {
    FIRST, CHANGED, REPEAT
  }

  /** Alertmanager's order: by {@code job}, then {@code instance} (alerts having them first), then label sets. */
  public static final Comparator<GroupedAlert> ORDER = (a, b) -> {
    for (String key : new String[] {"job", "instance"}) {
      String x = a.labels().get(key);
      String y = b.labels().get(key);
      if (x == null && y == null) continue;
      if (x == null) return 1;
      if (y == null) return -1;
      int c = x.compareTo(y);
      if (c != 0) return c;
    }
    return compareLabels(a.labels(), b.labels());
  };

  public Flush {
    Objects.requireNonNull(groupKey);
    Objects.requireNonNull(receiver);
    alerts = List.copyOf(alerts);
    eventIds = List.copyOf(eventIds);
    commonAnnotations = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(commonAnnotations));
  }

  /** Firing when any alert fires, else resolved (Alertmanager's group status). */
  public AlertStatus status() {
    return alerts.stream().anyMatch(GroupedAlert::firing) ? AlertStatus.FIRING : AlertStatus.RESOLVED;
  }

  /** The alerts this webhook gets: resolved ones only when it has {@code send_resolved}. */
  public List<GroupedAlert> alertsFor(WebhookConfig w) {
    return w.sendResolved() ? alerts : alerts.stream().filter(GroupedAlert::firing).toList();
  }

  /**
   * Whether this webhook needs this flush at all, as Alertmanager's dedup stage decides per
   * integration: with {@code send_resolved} always; without it, only when something fires and this
   * is a first send, a repeat, or an alert fires that the receiver was not yet told about (a change
   * that only resolves alerts is not news to it).
   */
  public boolean worthSendingTo(WebhookConfig w) {
    if (w.sendResolved()) return true;
    if (alerts.stream().noneMatch(GroupedAlert::firing)) return false;
    return reason != Reason.CHANGED || alerts.stream().anyMatch(a -> a.firing() && !a.notified());
  }

  /** Labels every alert has with the same value (Alertmanager's commonLabels). */
  public static Labels commonLabels(List<GroupedAlert> alerts) {
    if (alerts.isEmpty()) return Labels.EMPTY;
    Map<String, String> common = new TreeMap<>(alerts.get(0).labels().asMap());
    for (GroupedAlert a : alerts) common.entrySet().removeIf(e -> !e.getValue().equals(a.labels().get(e.getKey())));
    return Labels.of(common);
  }

  /** Annotations every alert has with the same value (Alertmanager's commonAnnotations). */
  public static Map<String, String> commonAnnotations(List<GroupedAlert> alerts) {
    if (alerts.isEmpty()) return Map.of();
    Map<String, String> common = new TreeMap<>(alerts.get(0).annotations());
    for (GroupedAlert a : alerts) common.entrySet().removeIf(e -> !e.getValue().equals(a.annotations().get(e.getKey())));
    return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(common));
  }

  /** The content hash of a set of alerts: sorted (fingerprint, status) pairs, 16 hex digits. */
  public static String contentHash(List<GroupedAlert> alerts) {
    List<String> pairs = new ArrayList<>();
    for (GroupedAlert a : alerts) pairs.add(a.fingerprint() + ":" + a.status().wireName());
    pairs.sort(null);
    return sha256(String.join("\n", pairs)).substring(0, 16);
  }

  static String idempotencyKey(String groupKey, String receiver, List<GroupedAlert> alerts, long maxEventId, long sequence) {
    List<String> pairs = new ArrayList<>();
    for (GroupedAlert a : alerts) pairs.add(a.fingerprint() + ":" + a.status().wireName());
    pairs.sort(null);
    // Unit separators keep the fields apart whatever the group key contains.
    String canonical = groupKey + '\u001f' + receiver + '\u001f' + String.join(",", pairs) + '\u001f' + maxEventId + '\u001f' + sequence;
    return sha256(canonical).substring(0, 32);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  /** Prometheus' LabelSet.Before: pairwise by name then value, a prefix first. */
  static int compareLabels(Labels a, Labels b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = a.name(i).compareTo(b.name(i));
      if (c != 0) return c;
      c = a.value(i).compareTo(b.value(i));
      if (c != 0) return c;
    }
    return Integer.compare(a.size(), b.size());
  }

  /** For logs: no annotation text, no secrets. */
  @Override
  public String toString() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("groupKey", groupKey);
    m.put("receiver", receiver);
    m.put("sequence", sequence);
    m.put("reason", reason);
    m.put("alerts", alerts.size());
    m.put("key", idempotencyKey);
    return "Flush" + m;
  }
}
