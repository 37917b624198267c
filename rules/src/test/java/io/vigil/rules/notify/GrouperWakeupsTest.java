package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The grouper's wake-up index and touched set (bench/notify.sh: with 100,000 open groups the
 * router must not walk or serialise every group on each pass): {@link Grouper#due} and
 * {@link Grouper#nextWakeup} read the soonest groups only, flushes still come in group creation
 * order, and {@link Grouper#drainTouched} names exactly the groups a call changed.
 */
class GrouperWakeupsTest {
  static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");

  @SuppressWarnings("unchecked")
  static NotifyConfig config() {
    Map<String, Object> root = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString("""
        route:
          receiver: hook
          group_by: [host]
          group_wait: 10s
          group_interval: 1m
          repeat_interval: 1h
          routes:
            - matchers: ['severity="P1"']
              receiver: hook
              group_wait: 0s
        receivers:
          - name: hook
            webhook_configs: [{url: 'http://127.0.0.1:1/hook'}]
        """);
    return NotifyConfig.parse(root, "rules.yaml");
  }

  static AlertEvent firing(long id, String host, String severity, Instant at) {
    return AlertEvent.firing(id, "fp-" + host, Labels.of(Map.of("alertname", "A", "host", host, "severity", severity)), Map.of(), at);
  }

  @Test
  void dueTakesOnlyGroupsWhoseLookHasComeInCreationOrderAndNextWakeupIsTheSoonest() {
    Grouper g = new Grouper(config());
    g.offer(firing(1, "slow-a", "P3", T0), T0);           // first look at T0 + 10s
    g.offer(firing(2, "fast-b", "P1", T0), T0);           // at once
    g.offer(firing(3, "slow-c", "P3", T0.plusSeconds(2)), T0.plusSeconds(2)); // at T0 + 12s
    g.offer(firing(4, "fast-d", "P1", T0), T0.plusSeconds(2));
    assertEquals(T0, g.nextWakeup());
    assertEquals(4, new HashSet<>(g.drainTouched()).size(), "every new group is touched");
    assertEquals(List.of(), g.drainTouched(), "drained");

    List<Flush> now = g.due(T0.plusSeconds(2));
    assertEquals(List.of("fp-fast-b", "fp-fast-d"), now.stream().map(f -> f.alerts().get(0).fingerprint()).toList(),
        "the P1 groups, in creation order");
    assertEquals(2, g.drainTouched().size(), "only the flushed groups are touched");
    // The flushed groups' next look is their repeat; the soonest now is slow-a's first look.
    assertEquals(T0.plusSeconds(10), g.nextWakeup());
    assertEquals(List.of(), g.due(T0.plusSeconds(9)));
    assertEquals(List.of(), g.drainTouched(), "nothing looked at, nothing touched");

    List<Flush> later = g.due(T0.plusSeconds(12));
    assertEquals(List.of("fp-slow-a", "fp-slow-c"), later.stream().map(f -> f.alerts().get(0).fingerprint()).toList());
    assertEquals(T0.plusSeconds(2).plus(Duration.ofHours(1)), g.nextWakeup(), "fast-b's and fast-d's repeat");
  }

  @Test
  void aResolvedAlertReschedulesItsGroupOnTheIntervalGridAndTheEmptyGroupLeavesTheIndex() {
    Grouper g = new Grouper(config());
    g.offer(firing(1, "h1", "P1", T0), T0);
    assertEquals(1, g.due(T0).size());
    g.drainTouched();
    Labels l = Labels.of(Map.of("alertname", "A", "host", "h1", "severity", "P1"));
    assertEquals(List.of(g.snapshot().iterator().next().groupKey()), g.offer(AlertEvent.resolved(2, "fp-h1", l, Map.of(), T0, T0.plusSeconds(5)),
        T0.plusSeconds(5)));
    assertEquals(T0.plusSeconds(60), g.nextWakeup(), "group_interval after the last send, not the repeat");
    assertEquals(1, g.drainTouched().size());
    List<Flush> resolved = g.due(T0.plusSeconds(60));
    assertEquals(1, resolved.size());
    assertEquals(0, g.size(), "the group is gone");
    assertNull(g.nextWakeup(), "and out of the wake-up index");
    String key = g.drainTouched().get(0);
    assertTrue(g.state(key).isEmpty(), "a touched group that is gone: the server deletes its row");
  }

  @Test
  void restoredGroupsKeepTheirLooksAndAreNotTouched() {
    Grouper g = new Grouper(config());
    g.offer(firing(1, "h1", "P3", T0), T0);
    g.offer(firing(2, "h2", "P1", T0), T0);
    g.due(T0);
    Grouper r = Grouper.restore(config(), g.snapshot());
    assertEquals(List.of(), r.drainTouched(), "restored as saved: nothing to write");
    assertEquals(g.nextWakeup(), r.nextWakeup());
    assertEquals(List.of("fp-h1"), r.due(T0.plusSeconds(10)).stream().map(f -> f.alerts().get(0).fingerprint()).toList());
  }
}
