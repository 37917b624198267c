package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Aggregation groups, Alertmanager's dispatcher as a pure state machine: alert events go in with
 * {@link #offer}, notifications to send come out of {@link #due}; {@link #nextWakeup} says when to
 * ask again, so nothing polls. Time is always an argument.
 *
 * <p>Each matched route (see {@link Route#match}) puts the alert into the group named by the
 * route id and the alert's group labels. A new group is first looked at {@code group_wait} after
 * its creation (at once when the alert already started that long ago, e.g. replayed after a
 * restart; at the next {@code digest_at} for a digest route). After its first flush it is looked at
 * on the {@code group_interval} grid from its last send when something changed (an alert added,
 * resolved or firing again), and {@code repeat_interval} after the last send otherwise; whether it
 * is then sent is {@link SendDecision#decide}. A flush carries the group's firing alerts and the
 * resolved ones the receiver had been told were firing; afterwards resolved alerts leave the group,
 * and a group left empty is removed. An alert that resolves before anyone was told is dropped
 * without a notification (Alertmanager tells nobody either). A group whose route is muted at that
 * moment ({@code mute_time_intervals} contain it, or {@code active_time_intervals} do not) is not
 * sent and is looked at again when the mute ends.
 *
 * <p>Not thread-safe: one owner (the server's notification verticle) calls it. Durable state is
 * the server's: persist {@link #state} of the groups an {@code offer} touched before treating the
 * event as taken, and persist a group's state together with the record of each of its flushes;
 * after a restart {@link #restore} from that state and re-offer events not yet taken (older
 * events, by id, are ignored). The same persisted state and events yield the same flushes with the
 * same {@link Flush#idempotencyKey()}.
 */
public final class Grouper {
  /** A digest repeats at the digest time even when a DST change made the day 23 hours long. */
  private static final Duration DIGEST_SLACK = Duration.ofHours(1);

  private final NotifyConfig config;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Set<Long> settled = new LinkedHashSet<>();
  /** Keys of the groups created, changed, looked at or removed since the last {@link #drainTouched}. */
  private final Set<String> touched = new LinkedHashSet<>();
  /**
   * The groups with a next look, soonest first (then in creation order): {@link #due} and
   * {@link #nextWakeup} read the head instead of walking every group. A group's
   * {@code nextFlushAt} only changes through {@link #setNext}, which keeps this in step.
   */
  private final TreeSet<Group> wakeups = new TreeSet<>(Comparator.comparing((Group g) -> g.nextFlushAt).thenComparingLong(g -> g.order));
  private long created;

  private static final class Group {
    final String key;
    /** Creation order in this grouper (restored groups in the order given). */
    final long order;
    final RouteMatch route;
    final Labels groupLabels;
    final Instant createdAt;
    Instant nextFlushAt;
    Instant lastSentAt;
    String lastSentHash;
    long sequence;
    final Map<String, GroupedAlert> alerts = new LinkedHashMap<>();
    final TreeSet<Long> pending = new TreeSet<>();

    Group(String key, long order, RouteMatch route, Labels groupLabels, Instant createdAt) {
      this.key = key;
      this.order = order;
      this.route = route;
      this.groupLabels = groupLabels;
      this.createdAt = createdAt;
    }
  }

  public Grouper(NotifyConfig config) {
    this.config = config;
  }

  public NotifyConfig config() {
    return config;
  }

  /**
   * Merges one alert event into every group its routes select and returns the keys of the groups
   * it changed. An event not newer (by id) than what a group already holds for that fingerprint is
   * ignored there; one no route takes (notifications off) or no group needed is
   * {@linkplain #drainSettled settled}.
   */
  public List<String> offer(AlertEvent e, Instant now) {
    List<RouteMatch> matches = config.match(e.labels());
    if (matches.isEmpty()) {
      settled.add(e.eventId());
      return List.of();
    }
    List<String> keys = new ArrayList<>(matches.size());
    for (RouteMatch m : matches) {
      String key = m.groupKey(e.labels());
      Group g = groups.get(key);
      if (g == null) {
        g = new Group(key, created++, m, m.groupLabels(e.labels()), now);
        groups.put(key, g);
        setNext(g, firstLook(m, now, e.startsAt()));
        touched.add(key);
      }
      if (merge(g, e, now)) {
        keys.add(key);
        touched.add(key);
      }
    }
    return keys;
  }

  private Instant firstLook(RouteMatch m, Instant now, Instant startsAt) {
    if (m.digest()) return nextDigest(m, now);
    Instant at = now.plus(m.groupWait());
    // As Alertmanager: an alert that started more than group_wait ago has waited long enough.
    return startsAt.plus(m.groupWait()).isAfter(now) ? at : now;
  }

  private boolean merge(Group g, AlertEvent e, Instant now) {
    GroupedAlert old = g.alerts.get(e.fingerprint());
    if (old != null && e.eventId() <= old.eventId()) {
      if (!g.pending.contains(e.eventId())) settled.add(e.eventId());
      return false;
    }
    g.alerts.put(e.fingerprint(), GroupedAlert.of(e, old != null && old.notified()));
    g.pending.add(e.eventId());
    boolean changed = old == null || old.status() != e.status();
    if (changed && g.lastSentAt != null) {
      Instant tick = schedule(g, now);
      if (g.nextFlushAt == null || tick.isBefore(g.nextFlushAt)) setNext(g, tick);
    }
    return true;
  }

  /** The notifications to send now, in group creation order; updates the groups as sent. */
  public List<Flush> due(Instant now) {
    List<Flush> out = new ArrayList<>();
    List<Group> looked = new ArrayList<>();
    for (Group g : wakeups) {
      if (now.isBefore(g.nextFlushAt)) break;
      looked.add(g);
    }
    looked.sort(Comparator.comparingLong(g -> g.order));
    for (Group g : looked) {
      touched.add(g.key); // rescheduled, flushed or removed below
      if (config.muted(g.route, now)) {
        setNext(g, config.unmutedAfter(g.route, now));
        continue;
      }
      List<GroupedAlert> visible = new ArrayList<>();
      for (GroupedAlert a : g.alerts.values()) if (a.firing() || a.notified()) visible.add(a);
      if (visible.isEmpty()) {
        // Only alerts that resolved before anyone heard of them: nothing to say.
        settled.addAll(g.pending);
        remove(g);
        continue;
      }
      visible.sort(Flush.ORDER);
      String hash = Flush.contentHash(visible);
      Duration repeat = effectiveRepeat(g.route);
      Duration interval = g.route.digest() ? Duration.ZERO : g.route.groupInterval();
      SendDecision d = SendDecision.decide(g.lastSentAt, g.lastSentHash, hash, repeat, interval, now);
      if (!d.kind().sends()) {
        setNext(g, schedule(g, d.notBefore()));
        continue;
      }
      long seq = g.sequence + 1;
      long maxEventId = g.pending.isEmpty() ? 0 : g.pending.last();
      for (GroupedAlert a : g.alerts.values()) maxEventId = Math.max(maxEventId, a.eventId());
      out.add(new Flush(g.key, g.route.routeId(), g.route.receiver(), g.groupLabels, Flush.commonLabels(visible),
          Flush.commonAnnotations(visible), visible, new ArrayList<>(g.pending), seq, d.reason(), now,
          Flush.idempotencyKey(g.key, g.route.receiver(), visible, maxEventId, seq)));
      g.sequence = seq;
      g.lastSentAt = now;
      g.pending.clear();
      g.alerts.values().removeIf(a -> !a.firing());
      g.alerts.replaceAll((fp, a) -> a.notified() ? a : a.withNotified(true));
      g.lastSentHash = Flush.contentHash(new ArrayList<>(g.alerts.values()));
      if (g.alerts.isEmpty()) {
        remove(g);
      } else {
        setNext(g, schedule(g, now.plus(repeat)));
      }
    }
    return out;
  }

  /** The only way a group's next look changes (keeps {@link #wakeups} ordered). */
  private void setNext(Group g, Instant t) {
    if (g.nextFlushAt != null) wakeups.remove(g);
    g.nextFlushAt = t;
    if (t != null) wakeups.add(g);
  }

  private void remove(Group g) {
    setNext(g, null);
    groups.remove(g.key);
  }

  private static Duration effectiveRepeat(RouteMatch m) {
    Duration r = m.repeatInterval();
    return m.digest() && r.compareTo(DIGEST_SLACK.multipliedBy(2)) > 0 ? r.minus(DIGEST_SLACK) : r;
  }

  /** The first look at or after {@code t}: the next digest, or the group_interval grid from the last send. */
  private Instant schedule(Group g, Instant t) {
    if (g.route.digest()) return nextDigest(g.route, t);
    if (g.lastSentAt == null) return t;
    long gi = g.route.groupInterval().toMillis();
    long elapsed = Duration.between(g.lastSentAt, t).toMillis();
    long k = Math.max(1, Math.floorDiv(elapsed + gi - 1, gi));
    return g.lastSentAt.plusMillis(k * gi);
  }

  private Instant nextDigest(RouteMatch m, Instant t) {
    LocalDate day = t.atZone(config.zone()).toLocalDate();
    Instant at = ZonedDateTime.of(day, m.digestAt(), config.zone()).toInstant();
    return at.isBefore(t) ? ZonedDateTime.of(day.plusDays(1), m.digestAt(), config.zone()).toInstant() : at;
  }

  /** When {@link #due} next has something to do; null when no group waits for anything. */
  public Instant nextWakeup() {
    return wakeups.isEmpty() ? null : wakeups.first().nextFlushAt;
  }

  /**
   * Event ids taken without a notification (no route, a replay of an older event, alerts that
   * resolved before anyone was told), since the last call; the server marks them done too.
   */
  public List<Long> drainSettled() {
    List<Long> out = new ArrayList<>(settled);
    settled.clear();
    return out;
  }

  /**
   * The keys of the groups that {@link #offer}, {@link #due} or {@link #restore} created, changed or
   * removed since the last call (a superset: a group looked at may be unchanged). A server that
   * persists {@link #state} needs to write only these, instead of comparing every group's state.
   */
  public List<String> drainTouched() {
    List<String> out = new ArrayList<>(touched);
    touched.clear();
    return out;
  }

  public int size() {
    return groups.size();
  }

  public Optional<GroupState> state(String groupKey) {
    Group g = groups.get(groupKey);
    return g == null ? Optional.empty() : Optional.of(stateOf(g));
  }

  /** Every group's state, in creation order. */
  public Collection<GroupState> snapshot() {
    List<GroupState> out = new ArrayList<>(groups.size());
    for (Group g : groups.values()) out.add(stateOf(g));
    return out;
  }

  private static GroupState stateOf(Group g) {
    return new GroupState(g.key, g.route.routeId(), g.route.receiver(), g.groupLabels, g.createdAt, g.nextFlushAt, g.lastSentAt,
        g.lastSentHash, g.sequence, new ArrayList<>(g.alerts.values()), new ArrayList<>(g.pending));
  }

  /**
   * A grouper resuming persisted groups under {@code config}. A group whose route (same route id,
   * receiver and group key) still exists continues with the new route's options from its next
   * look; the alerts of any other group are routed afresh, as if offered when that group was
   * created, to receivers that have not heard of them.
   */
  public static Grouper restore(NotifyConfig config, Collection<GroupState> states) {
    Grouper out = new Grouper(config);
    List<GroupState> orphans = new ArrayList<>();
    for (GroupState s : states) {
      if (s.alerts().isEmpty()) continue;
      RouteMatch m = null;
      Labels any = s.alerts().get(0).labels();
      for (RouteMatch c : config.match(any)) {
        if (c.routeId().equals(s.routeId()) && c.receiver().equals(s.receiver()) && c.groupKey(any).equals(s.groupKey())) m = c;
      }
      if (m == null || out.groups.containsKey(s.groupKey())) {
        orphans.add(s);
        continue;
      }
      Group g = new Group(s.groupKey(), out.created++, m, s.groupLabels(), s.createdAt());
      g.lastSentAt = s.lastFlushAt();
      g.lastSentHash = s.lastSentHash();
      g.sequence = s.sequence();
      for (GroupedAlert a : s.alerts()) g.alerts.put(a.fingerprint(), a);
      g.pending.addAll(s.pendingEventIds());
      out.groups.put(g.key, g);
      out.setNext(g, s.nextFlushAt());
    }
    for (GroupState s : orphans) {
      Set<Long> carried = new java.util.HashSet<>();
      for (GroupedAlert a : s.alerts()) {
        out.offer(a.asEvent(), s.createdAt());
        carried.add(a.eventId());
      }
      for (Long id : s.pendingEventIds()) if (!carried.contains(id)) out.settled.add(id);
    }
    return out;
  }

  /** The same groups under a new configuration (a reload): {@link #restore} from {@link #snapshot}. */
  public Grouper reconfigure(NotifyConfig newConfig) {
    Grouper g = restore(newConfig, snapshot());
    g.settled.addAll(settled);
    return g;
  }
}
