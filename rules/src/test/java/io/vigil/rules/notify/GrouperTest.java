package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrouperTest {
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  static final String BASE = """
      receivers:
        - name: team
          webhook_configs:
            - url: https://hooks.example.com/a
            - url: https://hooks.example.com/b
              send_resolved: false
      route:
        receiver: team
        group_by: [alertname]
        group_wait: 30s
        group_interval: 5m
        repeat_interval: 1h
      """;

  static NotifyConfig config() {
    return RouteTest.config(BASE);
  }

  static Instant at(Duration d) {
    return T0.plus(d);
  }

  static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  static Duration m(long minutes) {
    return Duration.ofMinutes(minutes);
  }

  static AlertEvent fire(long id, String fp, String instance) {
    return AlertEvent.firing(id, fp, Labels.of("alertname", "Disk", "instance", instance), Map.of("summary", "disk full"), T0);
  }

  static AlertEvent resolve(long id, String fp, String instance, Instant endsAt) {
    return AlertEvent.resolved(id, fp, Labels.of("alertname", "Disk", "instance", instance), Map.of("summary", "disk full"), T0, endsAt);
  }

  static WebhookConfig hook(Grouper g, int i) {
    return g.config().receiver("team").orElseThrow().webhooks().get(i);
  }

  @Test
  void firstFlushWaitsGroupWait() {
    Grouper g = new Grouper(config());
    assertEquals(1, g.offer(fire(1, "aaaa", "h1"), T0).size());
    assertEquals(at(s(30)), g.nextWakeup());
    assertTrue(g.due(at(s(29))).isEmpty());
    List<Flush> out = g.due(at(s(30)));
    assertEquals(1, out.size());
    Flush f = out.get(0);
    assertEquals(Flush.Reason.FIRST, f.reason());
    assertEquals(1, f.sequence());
    assertEquals("team", f.receiver());
    assertEquals(Labels.of("alertname", "Disk"), f.groupLabels());
    assertEquals("{}:{alertname=\"Disk\"}", f.groupKey());
    assertEquals(List.of(1L), f.eventIds());
    assertEquals(AlertStatus.FIRING, f.status());
    assertEquals(at(s(30)), f.at());
  }

  @Test
  void alertsArrivingDuringGroupWaitShareTheFirstFlush() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    g.offer(fire(2, "bbbb", "h2"), at(s(10)));
    assertEquals(at(s(30)), g.nextWakeup(), "group_wait counts from the group's creation");
    Flush f = g.due(at(s(30))).get(0);
    assertEquals(2, f.alerts().size());
    assertEquals(List.of("h1", "h2"), f.alerts().stream().map(a -> a.labels().get("instance")).toList());
    assertEquals(List.of(1L, 2L), f.eventIds());
  }

  @Test
  void alertThatStartedLongAgoIsSentAtOnce() {
    Grouper g = new Grouper(config());
    AlertEvent old = AlertEvent.firing(1, "aaaa", Labels.of("alertname", "Disk"), Map.of(), T0.minus(Duration.ofHours(1)));
    g.offer(old, T0);
    assertEquals(T0, g.nextWakeup());
    assertEquals(1, g.due(T0).size());
  }

  @Test
  void changesAfterTheFirstFlushWaitForGroupInterval() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    g.due(at(s(30)));
    g.offer(fire(2, "bbbb", "h2"), at(m(1)));
    assertEquals(at(s(30)).plus(m(5)), g.nextWakeup(), "on the group_interval grid from the last send");
    assertTrue(g.due(at(m(5))).isEmpty());
    Flush f = g.due(at(s(330))).get(0);
    assertEquals(Flush.Reason.CHANGED, f.reason());
    assertEquals(2, f.sequence());
    assertEquals(2, f.alerts().size());
    assertEquals(List.of(2L), f.eventIds(), "only events since the previous flush");
    assertTrue(f.alerts().get(0).notified(), "h1 was already told");
    assertFalse(f.alerts().get(1).notified(), "h2 is news");
  }

  @Test
  void unchangedGroupRepeatsAfterRepeatInterval() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    Flush first = g.due(at(s(30))).get(0);
    assertEquals(at(s(30)).plus(Duration.ofHours(1)), g.nextWakeup());
    assertTrue(g.due(at(s(30)).plus(m(59))).isEmpty());
    Flush repeat = g.due(at(s(30)).plus(Duration.ofHours(1))).get(0);
    assertEquals(Flush.Reason.REPEAT, repeat.reason());
    assertEquals(2, repeat.sequence());
    assertEquals(List.of(), repeat.eventIds());
    assertNotEquals(first.idempotencyKey(), repeat.idempotencyKey(), "a later repeat of the same content is a new notification");
  }

  @Test
  void annotationEditAloneIsNotNews() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    g.due(at(s(30)));
    AlertEvent edited = AlertEvent.firing(2, "aaaa", Labels.of("alertname", "Disk", "instance", "h1"), Map.of("summary", "now 99%"), T0);
    assertEquals(1, g.offer(edited, at(m(1))).size());
    assertTrue(g.due(at(m(10))).isEmpty(), "same (fingerprint, status) set: waits for repeat_interval");
    assertEquals(Flush.Reason.REPEAT, g.due(at(s(30)).plus(Duration.ofHours(1))).get(0).reason());
  }

  @Test
  void resolvedAlertIsSentOnceThenLeavesTheGroup() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    g.offer(fire(2, "bbbb", "h2"), T0);
    g.due(at(s(30)));
    g.offer(resolve(3, "aaaa", "h1", at(m(2))), at(m(2)));
    Flush f = g.due(at(s(330))).get(0);
    assertEquals(Flush.Reason.CHANGED, f.reason());
    assertEquals(2, f.alerts().size());
    GroupedAlert resolved = f.alerts().stream().filter(a -> !a.firing()).findFirst().orElseThrow();
    assertEquals("aaaa", resolved.fingerprint());
    assertEquals(at(m(2)), resolved.endsAt());
    assertEquals(AlertStatus.FIRING, f.status(), "one alert still fires");

    WebhookConfig withResolved = hook(g, 0);
    WebhookConfig withoutResolved = hook(g, 1);
    assertTrue(withResolved.sendResolved());
    assertFalse(withoutResolved.sendResolved());
    assertEquals(2, f.alertsFor(withResolved).size());
    assertEquals(List.of("bbbb"), f.alertsFor(withoutResolved).stream().map(GroupedAlert::fingerprint).toList());
    assertTrue(f.worthSendingTo(withResolved));
    assertFalse(f.worthSendingTo(withoutResolved), "only a resolution: not news without send_resolved");

    assertEquals(1, g.state(f.groupKey()).orElseThrow().alerts().size(), "the resolved alert left the group");
  }

  @Test
  void groupWhoseLastAlertResolvesIsSentResolvedAndRemoved() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    g.due(at(s(30)));
    g.offer(resolve(2, "aaaa", "h1", at(m(1))), at(m(1)));
    Flush f = g.due(at(s(330))).get(0);
    assertEquals(AlertStatus.RESOLVED, f.status());
    assertFalse(f.worthSendingTo(hook(g, 1)));
    assertTrue(f.worthSendingTo(hook(g, 0)));
    assertEquals(0, g.size());
    assertNull(g.nextWakeup());
  }

  @Test
  void alertResolvedBeforeAnyoneWasToldIsDroppedAndSettled() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    g.offer(resolve(2, "aaaa", "h1", at(s(10))), at(s(10)));
    assertTrue(g.due(at(s(30))).isEmpty());
    assertEquals(0, g.size());
    assertEquals(List.of(1L, 2L), g.drainSettled());
    assertEquals(List.of(), g.drainSettled(), "drained");
  }

  @Test
  void replayOfAnOlderEventIsIgnoredAndSettled() {
    Grouper g = new Grouper(config());
    g.offer(fire(5, "aaaa", "h1"), T0);
    g.due(at(s(30)));
    assertEquals(List.of(), g.offer(fire(4, "aaaa", "h1"), at(m(1))));
    assertEquals(List.of(4L), g.drainSettled());
    assertEquals(5, g.state("{}:{alertname=\"Disk\"}").orElseThrow().alerts().get(0).eventId(), "the newer event is kept");
  }

  @Test
  void noRouteMeansSettledAtOnce() {
    Grouper g = new Grouper(NotifyConfig.empty());
    assertEquals(List.of(), g.offer(fire(1, "aaaa", "h1"), T0));
    assertEquals(List.of(1L), g.drainSettled());
    assertEquals(0, g.size());
  }

  @Test
  void maxAlertsTruncatesTheBodyAndCountsTruncatedAlerts() {
    NotifyConfig c = RouteTest.config("""
        receivers:
          - name: team
            webhook_configs: [{url: 'https://hooks.example.com/a', max_alerts: 2}]
        route: {receiver: team, group_by: [alertname], group_wait: 30s, group_interval: 5m, repeat_interval: 1h}
        """);
    Grouper g = new Grouper(c);
    for (int i = 1; i <= 5; i++) g.offer(fire(i, "fp" + i, "h" + i), T0);
    Flush f = g.due(at(s(30))).get(0);
    assertEquals(5, f.alerts().size(), "the flush keeps every alert; bodies cut");
    WebhookConfig w = c.receiver("team").orElseThrow().webhooks().get(0);
    assertEquals(2, w.maxAlerts());
    String body = AlertmanagerBody.render(f, w, "team", "");
    assertTrue(body.contains("\"truncatedAlerts\":3"), body);
    assertTrue(body.contains("\"h1\"") && body.contains("\"h2\"") && !body.contains("\"h3\""), body);
    String all = AlertmanagerBody.render(f, "team", "", 0);
    assertTrue(all.contains("\"truncatedAlerts\":0"), all);
  }

  @Test
  void snapshotRestoreRoundTripContinuesIdentically() {
    Grouper a = new Grouper(config());
    a.offer(fire(1, "aaaa", "h1"), T0);
    a.due(at(s(30)));
    a.offer(fire(2, "bbbb", "h2"), at(m(1)));
    Collection<GroupState> snap = a.snapshot();
    assertEquals(1, snap.size());
    GroupState st = snap.iterator().next();
    assertEquals(1, st.sequence());
    assertEquals(at(s(30)), st.lastFlushAt());
    assertEquals(at(s(330)), st.nextFlushAt());
    assertEquals(List.of(2L), st.pendingEventIds());

    Grouper b = Grouper.restore(config(), snap);
    assertEquals(new ArrayList<>(snap), new ArrayList<>(b.snapshot()), "restored state equals the snapshot");
    assertEquals(a.nextWakeup(), b.nextWakeup());
    Flush fa = a.due(at(s(330))).get(0);
    Flush fb = b.due(at(s(330))).get(0);
    assertEquals(fa, fb, "same persisted state, same flush");
    assertEquals(fa.idempotencyKey(), fb.idempotencyKey());
    assertEquals(2, fb.sequence());
  }

  @Test
  void idempotencyKeyStableForTheSameFlushAndDifferentPerSequence() {
    Grouper g = new Grouper(config());
    g.offer(fire(1, "aaaa", "h1"), T0);
    Collection<GroupState> beforeFirst = g.snapshot();
    Flush f1 = g.due(at(s(30))).get(0);
    Flush recomputed = Grouper.restore(config(), beforeFirst).due(at(s(30))).get(0);
    assertEquals(f1.idempotencyKey(), recomputed.idempotencyKey(), "a recomputation after a crash yields the same key");
    assertEquals(32, f1.idempotencyKey().length());
    assertTrue(f1.idempotencyKey().matches("[0-9a-f]{32}"));

    Flush f2 = g.due(at(s(30)).plus(Duration.ofHours(1))).get(0);
    Flush f3 = g.due(at(s(30)).plus(Duration.ofHours(2))).get(0);
    assertEquals(List.of(2L, 3L), List.of(f2.sequence(), f3.sequence()));
    assertEquals(3, java.util.Set.of(f1.idempotencyKey(), f2.idempotencyKey(), f3.idempotencyKey()).size());
  }

  @Test
  void restoreUnderChangedRoutingReroutesOrphanedAlerts() {
    Grouper a = new Grouper(config());
    a.offer(fire(1, "aaaa", "h1"), T0);
    String other = BASE.replace("group_by: [alertname]", "group_by: [instance]");
    Grouper b = Grouper.restore(RouteTest.config(other), a.snapshot());
    assertEquals(1, b.size());
    GroupState st = b.snapshot().iterator().next();
    assertEquals("{}:{instance=\"h1\"}", st.groupKey());
    assertEquals(at(s(30)), st.nextFlushAt(), "as if offered when the old group was created");
  }

  @Test
  void p1RouteFlushesImmediatelyAndP4WaitsForTheDigest() {
    NotifyConfig c = RouteTest.config("""
        receivers: [{name: team}]
        route: {receiver: team, group_by: [alertname]}
        """);
    Grouper g = new Grouper(c);
    g.offer(AlertEvent.firing(1, "p1", Labels.of("alertname", "Down", "severity", "P1"), Map.of(), T0), T0);
    assertEquals(1, g.due(T0).size(), "P1: group_wait 0");
    g.offer(AlertEvent.firing(2, "p4", Labels.of("alertname", "Slow", "severity", "P4"), Map.of(), T0), T0);
    Instant nine = Instant.parse("2026-12-02T09:00:00Z"); // UTC config zone; 10:00 today is past 09:00
    assertEquals(nine, g.snapshot().stream().filter(st -> st.groupKey().contains("P4")).findFirst().orElseThrow().nextFlushAt());
    assertTrue(g.due(nine.minusSeconds(1)).stream().noneMatch(f -> f.groupKey().contains("P4")));
    assertEquals(1, g.due(nine).stream().filter(f -> f.groupKey().contains("P4")).count());
  }
}
