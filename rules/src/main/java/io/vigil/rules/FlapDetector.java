package io.vigil.rules;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Counts state changes per fingerprint over a sliding window. It spans fault instances: a fault
 * that resolves and fires again is a new fault with the same fingerprint, and that oscillation
 * is exactly what flapping is. Not thread-safe (owned by the engine). Memory: at most
 * {@code transitions + 1} instants per fingerprint that changed within the window.
 */
public final class FlapDetector {
  private final FlapPolicy policy;
  private final Map<String, ArrayDeque<Instant>> changes = new HashMap<>();

  public FlapDetector(FlapPolicy policy) {
    this.policy = policy;
  }

  public FlapPolicy policy() {
    return policy;
  }

  /** Records a change of {@code fingerprint} at {@code at}; true when it now counts as flapping. */
  public boolean record(String fingerprint, Instant at) {
    if (!policy.enabled()) return false;
    ArrayDeque<Instant> d = changes.computeIfAbsent(fingerprint, k -> new ArrayDeque<>());
    d.addLast(at);
    prune(d, at);
    while (d.size() > policy.transitions() + 1) d.removeFirst();
    return d.size() > policy.transitions();
  }

  /** Changes of {@code fingerprint} within the window ending at {@code now}. */
  public int count(String fingerprint, Instant now) {
    ArrayDeque<Instant> d = changes.get(fingerprint);
    if (d == null) return 0;
    prune(d, now);
    return d.size();
  }

  /** Drops fingerprints with no change in the window (call now and then). */
  public void forgetQuiet(Instant now) {
    for (Iterator<ArrayDeque<Instant>> it = changes.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Instant> d = it.next();
      prune(d, now);
      if (d.isEmpty()) it.remove();
    }
  }

  public int tracked() {
    return changes.size();
  }

  private void prune(ArrayDeque<Instant> d, Instant now) {
    Instant from = now.minus(policy.window());
    while (!d.isEmpty() && !d.peekFirst().isAfter(from)) d.removeFirst();
  }
}
