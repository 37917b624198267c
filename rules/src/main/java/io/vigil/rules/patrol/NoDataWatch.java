package io.vigil.rules.patrol;

import io.vigil.rules.Durations;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultEvent;
import io.vigil.rules.FaultState;
import io.vigil.rules.Fingerprints;
import io.vigil.rules.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Automatic {@code NoData} faults: a system of the inventory with a heartbeat interval that has
 * sent nothing for that long gets a firing fault (labels {@code customer}, {@code system}; severity
 * from its {@link Criticality}), which resolves as soon as anything arrives from it again.
 *
 * <p>Pure and single-threaded: time arrives as an argument, events are returned, never sent. The
 * owner calls {@link #check} when {@link #nextDue} passes (one timer for the earliest deadline).
 * After a restart nothing is known about when a system last sent data, so every system counts from
 * the moment it is (re)entered with {@link #inventory}: a system silent across a restart raises its
 * fault one interval after start-up, not earlier.
 */
public final class NoDataWatch {
  /** Faults of this watch are not rule-engine faults: restored by patrol, never resolved as orphans. */
  public static final String SOURCE = "patrol";

  public static final String RULE = "NoData";

  private record Key(String customer, String system) {}

  private static final class Watched {
    SystemSpec spec;
    Instant lastSeen;
    /** True while lastSeen is only the start of counting (start-up or the system's creation). */
    boolean counting;
    Fault fault;
  }

  private final Map<Key, Watched> watched = new HashMap<>();
  /** Faults restored before the inventory names their system. */
  private final Map<Key, Fault> orphans = new HashMap<>();

  /**
   * {@code patrol:} + the fingerprint a rule named NoData would give these labels: a rule may be
   * called NoData too (the demo rules have one), and one active fault per fingerprint must not
   * make the two collide. (Faults stored before the prefix keep their fingerprint.)
   */
  public static String fingerprint(String customer, String system) {
    return "patrol:" + Fingerprints.of(RULE, labels(customer, system));
  }

  private static Labels labels(String customer, String system) {
    return Labels.of("customer", customer, "system", system);
  }

  /** Re-installs active NoData faults stored before a restart (they stay firing until data arrives). */
  public void restore(Collection<Fault> active) {
    for (Fault f : active) {
      if (!f.rule().equals(RULE) || !f.active()) continue;
      Key k = new Key(f.labels().get("customer"), f.labels().get("system"));
      Watched w = watched.get(k);
      if (w != null) w.fault = f;
      else orphans.put(k, f);
    }
  }

  /**
   * The inventory now holds {@code systems}. New systems (and every system at the first call) start
   * counting at {@code now}; a system removed or no longer given an interval has its fault resolved;
   * a criticality change re-grades a firing fault.
   */
  public List<FaultEvent> inventory(Collection<SystemSpec> systems, Instant now) {
    List<FaultEvent> out = new ArrayList<>();
    Map<Key, SystemSpec> next = new HashMap<>();
    for (SystemSpec s : systems) {
      if (s.heartbeatInterval() != null && !s.heartbeatInterval().isZero()) next.put(new Key(s.customer(), s.id()), s);
    }
    for (var it = watched.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!next.containsKey(e.getKey())) {
        if (e.getValue().fault != null) out.add(resolve(e.getValue().fault, now));
        it.remove();
      }
    }
    next.forEach((k, spec) -> {
      Watched w = watched.get(k);
      if (w == null) {
        w = new Watched();
        w.lastSeen = now;
        w.counting = true;
        w.fault = orphans.remove(k);
        watched.put(k, w);
      }
      w.spec = spec;
      if (w.fault != null && w.fault.severity() != spec.criticality().noDataSeverity()) {
        Fault regraded = w.fault.withGrade(spec.criticality().noDataSeverity(),
            List.of("criticality " + spec.criticality().wireName() + " → " + spec.criticality().noDataSeverity()));
        out.add(new FaultEvent(w.fault.state(), regraded));
        w.fault = regraded;
      }
    });
    // Restored faults of systems no longer in the inventory (or no longer watched) are over.
    for (Fault f : orphans.values()) out.add(resolve(f, now));
    orphans.clear();
    return out;
  }

  public boolean watches(String customer, String system) {
    return watched.containsKey(new Key(customer, system));
  }

  /** Something arrived from the system at {@code at}: its clock restarts and an active fault resolves. */
  public List<FaultEvent> seen(String customer, String system, Instant at) {
    Watched w = watched.get(new Key(customer, system));
    if (w == null) return List.of();
    if (w.lastSeen.isBefore(at)) w.lastSeen = at;
    w.counting = false;
    if (w.fault == null) return List.of();
    Fault f = w.fault;
    w.fault = null;
    return List.of(resolve(f, at));
  }

  /** Raises a fault for every watched system whose deadline has passed by {@code now}. */
  public List<FaultEvent> check(Instant now) {
    List<FaultEvent> out = new ArrayList<>();
    watched.forEach((k, w) -> {
      if (w.fault != null) return;
      Instant due = w.lastSeen.plus(w.spec.heartbeatInterval());
      if (now.isBefore(due)) return;
      SystemSpec s = w.spec;
      String interval = Durations.format(s.heartbeatInterval());
      String silent = Durations.format(Duration.between(w.lastSeen, now).withNanos(0));
      String summary = s.customer() + "/" + s.id() + " (" + s.name() + ") has sent nothing for " + silent + " (expected every "
          + interval + "); " + (w.counting ? "nothing received since monitoring began at " + w.lastSeen.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              : "last data at " + w.lastSeen.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
      Fault f = Fault.pending(fingerprint(k.customer(), k.system()), RULE, s.criticality().noDataSeverity(),
              labels(k.customer(), k.system()), Duration.between(w.lastSeen, now).toSeconds(), summary, due)
          .withGrade(s.criticality().noDataSeverity(),
              List.of("criticality " + s.criticality().wireName() + " → " + s.criticality().noDataSeverity()))
          .moveTo(FaultState.FIRING, now)
          .withSource(SOURCE);
      w.fault = f;
      out.add(new FaultEvent(null, f));
    });
    return out;
  }

  /** The earliest deadline of a watched system without an active fault. */
  public Optional<Instant> nextDue() {
    Instant best = null;
    for (Watched w : watched.values()) {
      if (w.fault != null) continue;
      Instant due = w.lastSeen.plus(w.spec.heartbeatInterval());
      if (best == null || due.isBefore(best)) best = due;
    }
    return Optional.ofNullable(best);
  }

  /** Active NoData faults, for inhibition and tests. */
  public List<Fault> active() {
    List<Fault> out = new ArrayList<>();
    for (Watched w : watched.values()) if (w.fault != null) out.add(w.fault);
    return out;
  }

  private static FaultEvent resolve(Fault f, Instant at) {
    return new FaultEvent(f.state(), f.moveTo(FaultState.RESOLVED, at));
  }
}
