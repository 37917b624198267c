package io.vigil.rules.mute;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Fault;
import io.vigil.rules.FaultState;
import io.vigil.rules.Fingerprints;
import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import io.vigil.rules.Severity;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MuterTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z"); // a Monday, 18:00 in Shanghai

  static Fault firing(String rule, Severity sev, String customer, String system, String host) {
    Labels l = Labels.of("customer", customer, "system", system, "host", host);
    return Fault.pending(Fingerprints.of(rule, l), rule, sev, l, 1, rule + " on " + host, T0.minusSeconds(60))
        .moveTo(FaultState.FIRING, T0.minusSeconds(30));
  }

  static Fault pending(String rule, Severity sev, String customer, String system, String host) {
    Labels l = Labels.of("customer", customer, "system", system, "host", host);
    return Fault.pending(Fingerprints.of(rule, l), rule, sev, l, 1, rule, T0.minusSeconds(60));
  }

  static Matcher eq(String n, String v) {
    return Silence.matcher(n, v, false, true);
  }

  static Silence silence(String id, Instant from, Instant to, Matcher... ms) {
    return new Silence(id, List.of(ms), from, to, "li.wei", "db upgrade");
  }

  static InhibitRule systemDownMutesP3P4() {
    return new InhibitRule("r1", List.of(eq("alertname", "SystemDown"), eq("severity", "P1")),
        List.of(Silence.matcher("severity", "P3|P4", true, true)), List.of("customer", "system"), "api", "admin");
  }

  static Stream<Arguments> silenceMatching() {
    Fault cpu = firing("HighCpu", Severity.P2, "acme", "erp", "db1");
    return Stream.of(
        Arguments.of("one equal matcher", List.of(eq("customer", "acme")), cpu, true),
        Arguments.of("all must match", List.of(eq("customer", "acme"), eq("host", "db2")), cpu, false),
        Arguments.of("regex is anchored", List.of(Silence.matcher("host", "db", true, true)), cpu, false),
        Arguments.of("regex", List.of(Silence.matcher("host", "db.*", true, true)), cpu, true),
        Arguments.of("not equal", List.of(Silence.matcher("system", "crm", false, false)), cpu, true),
        Arguments.of("not regex", List.of(Silence.matcher("system", "e.p", true, false)), cpu, false),
        Arguments.of("severity pseudo-label", List.of(Silence.matcher("severity", "P2|P3", true, true)), cpu, true),
        Arguments.of("alertname pseudo-label", List.of(eq("alertname", "HighCpu")), cpu, true),
        Arguments.of("absent label is empty", List.of(eq("team", "")), cpu, true),
        Arguments.of("no matchers never match", List.of(), cpu, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("silenceMatching")
  void silenceSelectsFaultOnlyWhenAllMatchersMatch(String name, List<Matcher> ms, Fault f, boolean muted) {
    Muter m = new Muter(List.of(new Silence("s1", ms, T0.minusSeconds(1), T0.plusSeconds(60), "me", "c")), List.of(), List.of());
    Muting mu = m.muting(f, List.of(f), T0);
    assertEquals(muted, mu.silenced(), name);
    assertEquals(muted ? List.of("s1") : List.of(), mu.silencedBy());
  }

  static Stream<Arguments> silenceStates() {
    return Stream.of(
        Arguments.of("before start", T0.minusMillis(1), Silence.State.PENDING),
        Arguments.of("start is inclusive", T0, Silence.State.ACTIVE),
        Arguments.of("inside", T0.plusSeconds(30), Silence.State.ACTIVE),
        Arguments.of("end is exclusive", T0.plusSeconds(60), Silence.State.EXPIRED),
        Arguments.of("after", T0.plusSeconds(61), Silence.State.EXPIRED));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("silenceStates")
  void silenceMutesOnlyWhileActive(String name, Instant now, Silence.State state) {
    Silence s = silence("s1", T0, T0.plusSeconds(60), eq("customer", "acme"));
    assertEquals(state, s.state(now));
    Fault f = firing("HighCpu", Severity.P2, "acme", "erp", "db1");
    assertEquals(state == Silence.State.ACTIVE, new Muter(List.of(s), List.of(), List.of()).muting(f, List.of(f), now).muted());
  }

  @Test
  void silencedReasonNamesCommentCreatorAndEnd() {
    Fault f = firing("HighCpu", Severity.P2, "acme", "erp", "db1");
    Muting mu = new Muter(List.of(silence("s1", T0, T0.plusSeconds(60), eq("customer", "acme"))), List.of(), List.of())
        .muting(f, List.of(f), T0);
    assertEquals("silenced by li.wei: db upgrade (until 2026-11-23T10:01:00Z)", mu.reason());
    assertEquals(T0.plusSeconds(60), mu.until());
    assertNull(mu.inhibitedBy());
  }

  static Stream<Arguments> inhibition() {
    Fault down = firing("SystemDown", Severity.P1, "acme", "erp", "db1");
    return Stream.of(
        Arguments.of("P3 of the same system is muted", down, firing("SlowDisk", Severity.P3, "acme", "erp", "db2"), true),
        Arguments.of("P4 of the same system is muted", down, firing("Patrol", Severity.P4, "acme", "erp", "app1"), true),
        Arguments.of("pending P3 target is muted too", down, pending("SlowDisk", Severity.P3, "acme", "erp", "db2"), true),
        Arguments.of("P2 is not a target", down, firing("HighCpu", Severity.P2, "acme", "erp", "db1"), false),
        Arguments.of("other system is not muted", down, firing("SlowDisk", Severity.P3, "acme", "crm", "db1"), false),
        Arguments.of("other customer is not muted", down, firing("SlowDisk", Severity.P3, "globex", "erp", "db1"), false),
        Arguments.of("a pending source does not inhibit", pending("SystemDown", Severity.P1, "acme", "erp", "db1"),
            firing("SlowDisk", Severity.P3, "acme", "erp", "db2"), false),
        Arguments.of("a P2 SystemDown is no source", firing("SystemDown", Severity.P2, "acme", "erp", "db1"),
            firing("SlowDisk", Severity.P3, "acme", "erp", "db2"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inhibition")
  void firingSourceMutesTargetsWithEqualLabels(String name, Fault source, Fault target, boolean inhibited) {
    Muter m = new Muter(List.of(), List.of(), List.of(systemDownMutesP3P4()));
    Muting mu = m.muting(target, List.of(source, target), T0);
    assertEquals(inhibited, mu.inhibited(), name);
    if (inhibited) {
      assertEquals(source.fingerprint(), mu.inhibitedBy());
      assertEquals("inhibited by SystemDown (P1) on acme/erp", mu.reason());
      assertNull(mu.until());
    } else {
      assertEquals(Muting.NONE, mu);
    }
  }

  @Test
  void faultNeverInhibitsItself() {
    // Source and target matchers both select P1 SystemDown: it must not mute itself...
    InhibitRule r = new InhibitRule("r", List.of(eq("alertname", "SystemDown")), List.of(eq("alertname", "SystemDown")),
        List.of("customer"), "api", "a");
    Fault a = firing("SystemDown", Severity.P1, "acme", "erp", "db1");
    Fault b = firing("SystemDown", Severity.P1, "acme", "crm", "db1");
    Muter m = new Muter(List.of(), List.of(), List.of(r));
    assertFalse(m.muting(a, List.of(a), T0).muted());
    // ...but another one with the same customer may.
    assertEquals(b.fingerprint(), m.muting(a, List.of(a, b), T0).inhibitedBy());
  }

  @Test
  void equalLabelAbsentOnBothSidesCountsAsEqual() {
    InhibitRule r = new InhibitRule("r", List.of(eq("alertname", "SystemDown")), List.of(eq("severity", "P3")),
        List.of("zone"), "api", "a");
    Fault down = firing("SystemDown", Severity.P1, "acme", "erp", "db1");
    Fault disk = firing("SlowDisk", Severity.P3, "globex", "hr", "x");
    assertTrue(new Muter(List.of(), List.of(), List.of(r)).muting(disk, List.of(down, disk), T0).inhibited());
  }

  @Test
  void mostSevereSourceIsNamedWhenSeveralInhibit() {
    InhibitRule r = new InhibitRule("r", List.of(Silence.matcher("severity", "P1|P2", true, true)),
        List.of(eq("severity", "P4")), List.of("system"), "api", "a");
    Fault p2 = firing("HighCpu", Severity.P2, "acme", "erp", "db1");
    Fault p1 = firing("SystemDown", Severity.P1, "acme", "erp", "db2");
    Fault p4 = firing("Patrol", Severity.P4, "acme", "erp", "db3");
    assertEquals(p1.fingerprint(), new Muter(List.of(), List.of(), List.of(r)).muting(p4, List.of(p2, p4, p1), T0).inhibitedBy());
  }

  @Test
  void mutingsForAllFaultsAgreeWithOneAtATime() {
    Fault down = firing("SystemDown", Severity.P1, "acme", "erp", "db1");
    Fault disk = firing("SlowDisk", Severity.P3, "acme", "erp", "db2");
    Fault cpu = firing("HighCpu", Severity.P2, "globex", "hr", "x");
    List<Fault> all = List.of(down, disk, cpu);
    Muter m = new Muter(List.of(silence("s", T0, T0.plusSeconds(5), eq("customer", "globex"))), List.of(),
        List.of(systemDownMutesP3P4()));
    Map<String, Muting> many = m.mutings(all, all, T0);
    for (Fault f : all) assertEquals(m.muting(f, all, T0), many.get(f.fingerprint()), f.rule());
    assertFalse(many.get(down.fingerprint()).muted());
    assertTrue(many.get(disk.fingerprint()).inhibited());
    assertEquals(List.of("s"), many.get(cpu.fingerprint()).silencedBy());
  }

  @Test
  void maintenanceWindowSelectsCustomerAndOptionallySystem() {
    var all = EnumSet.allOf(DayOfWeek.class);
    MaintenanceWindow acme = new MaintenanceWindow("w1", "acme", null, all, LocalTime.of(17, 0), LocalTime.of(19, 0),
        ZoneId.of("Asia/Shanghai"), "patch night", "noc");
    MaintenanceWindow acmeCrm = new MaintenanceWindow("w2", "acme", "crm", all, LocalTime.of(17, 0), LocalTime.of(19, 0),
        ZoneId.of("Asia/Shanghai"), "crm", "noc");
    Fault erp = firing("HighCpu", Severity.P2, "acme", "erp", "db1");
    Fault crm = firing("HighCpu", Severity.P2, "acme", "crm", "db1");
    Fault other = firing("HighCpu", Severity.P2, "globex", "erp", "db1");
    Muter m = new Muter(List.of(), List.of(acme, acmeCrm), List.of());
    assertEquals(List.of("w1"), m.muting(erp, List.of(), T0).maintenance());
    assertEquals(List.of("w1", "w2"), m.muting(crm, List.of(), T0).maintenance());
    assertFalse(m.muting(other, List.of(), T0).muted());
    Muting mu = m.muting(erp, List.of(), T0);
    assertTrue(mu.silenced());
    assertEquals(Instant.parse("2026-11-23T11:00:00Z"), mu.until()); // 19:00 in Shanghai
    assertEquals("maintenance window: patch night (until 2026-11-23T11:00:00Z)", mu.reason());
    // Outside the window (20:00 in Shanghai): not muted.
    assertFalse(m.muting(erp, List.of(), T0.plus(Duration.ofHours(2))).muted());
  }

  @Test
  void nextChangeIsTheEarliestSilenceOrWindowBoundaryAfterNow() {
    assertEquals(Optional.empty(), Muter.NONE.nextChange(T0));
    Silence past = silence("a", T0.minusSeconds(100), T0.minusSeconds(10), eq("x", "y"));
    Silence running = silence("b", T0.minusSeconds(10), T0.plusSeconds(300), eq("x", "y"));
    Silence future = silence("c", T0.plusSeconds(120), T0.plusSeconds(900), eq("x", "y"));
    assertEquals(Optional.of(T0.plusSeconds(120)), new Muter(List.of(past, running, future), List.of(), List.of()).nextChange(T0));
    assertEquals(Optional.of(T0.plusSeconds(300)), new Muter(List.of(past, running), List.of(), List.of()).nextChange(T0));
    assertEquals(Optional.empty(), new Muter(List.of(past), List.of(), List.of()).nextChange(T0));
    // A boundary exactly at now is not "next".
    assertEquals(Optional.of(T0.plusSeconds(900)), new Muter(List.of(future), List.of(), List.of()).nextChange(T0.plusSeconds(120)));
    MaintenanceWindow w = new MaintenanceWindow("w", "acme", null, EnumSet.of(DayOfWeek.MONDAY), LocalTime.of(18, 1),
        LocalTime.of(19, 0), ZoneId.of("Asia/Shanghai"), "c", "n");
    assertEquals(Optional.of(T0.plusSeconds(60)), new Muter(List.of(running), List.of(w), List.of()).nextChange(T0));
  }

  @Test
  void severalReasonsAreJoinedAndUntilIsTheLatestEnd() {
    Fault disk = firing("SlowDisk", Severity.P3, "acme", "erp", "db2");
    Fault down = firing("SystemDown", Severity.P1, "acme", "erp", "db1");
    Muter m = new Muter(List.of(silence("s1", T0, T0.plusSeconds(60), eq("host", "db2")),
        silence("s2", T0, T0.plusSeconds(600), eq("customer", "acme"))), List.of(), List.of(systemDownMutesP3P4()));
    Muting mu = m.muting(disk, List.of(down, disk), T0);
    assertEquals(List.of("s1", "s2"), mu.silencedBy());
    assertEquals(T0.plusSeconds(600), mu.until());
    assertEquals(down.fingerprint(), mu.inhibitedBy());
    assertEquals(3, mu.reason().split("; ").length, mu.reason());
  }
}
