package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.expr.Trials;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;

class EscalationChainTest {
  static final Instant T0 = Instant.EPOCH.plus(Duration.ofDays(20_000));
  static final EscalationTarget PRIMARY = EscalationTarget.onCall("primary");
  static final EscalationTarget SECONDARY = EscalationTarget.onCall("secondary");
  static final EscalationTarget MANAGER = EscalationTarget.person("manager");

  static EscalationChain.Step step(EscalationTarget t, int minutes) {
    return new EscalationChain.Step(t, Duration.ofMinutes(minutes));
  }

  /** on-call → 5m → secondary → 10m → manager → 15m → again, two repeats. */
  static EscalationChain chain() {
    return EscalationChain.of("p1", List.of(step(PRIMARY, 5), step(SECONDARY, 10), step(MANAGER, 15)), 2);
  }

  static Instant min(int m) {
    return T0.plus(Duration.ofMinutes(m));
  }

  @Test
  void planFiresEveryStepRoundByRoundAfterTheWaits() {
    List<EscalationStep> plan = chain().plan(T0);
    assertEquals(9, plan.size());
    assertEquals(new EscalationStep(0, 0, 0, min(0), PRIMARY), plan.get(0));
    assertEquals(new EscalationStep(1, 1, 0, min(5), SECONDARY), plan.get(1));
    assertEquals(new EscalationStep(2, 2, 0, min(15), MANAGER), plan.get(2));
    assertEquals(new EscalationStep(3, 0, 1, min(30), PRIMARY), plan.get(3));
    assertEquals(new EscalationStep(8, 2, 2, min(75), MANAGER), plan.get(8));
    assertEquals(Duration.ofMinutes(30), chain().roundLength());
  }

  @Test
  void withoutRepeatThePlanIsOneRound() {
    EscalationChain c = EscalationChain.of("once", List.of(step(PRIMARY, 5), step(MANAGER, 0)), 0);
    assertEquals(List.of(min(0), min(5)), c.plan(T0).stream().map(EscalationStep::at).toList());
  }

  @Test
  void stepsWithoutAWaitFireAtTheSameInstant() {
    EscalationChain c = EscalationChain.of("both", List.of(step(PRIMARY, 0), step(EscalationTarget.receiver("noc-room"), 10), step(MANAGER, 0)), 0);
    List<EscalationStep> due = c.due(T0, 0, T0);
    assertEquals(List.of(PRIMARY, EscalationTarget.receiver("noc-room")), due.stream().map(EscalationStep::target).toList());
  }

  @Test
  void dueReturnsTheStepsWhoseTimeHasComeAndThatWereNotFiredYet() {
    EscalationChain c = chain();
    assertEquals(List.of(0), seqs(c.due(T0, 0, T0)), "the first step fires at the start");
    assertEquals(List.of(), seqs(c.due(T0, 1, min(4))));
    assertEquals(List.of(1), seqs(c.due(T0, 1, min(5))), "due time is inclusive");
    assertEquals(List.of(), seqs(c.due(T0, 2, min(14))));
    assertEquals(List.of(), seqs(c.due(T0, 9, min(1000))), "exhausted");
  }

  @Test
  void afterALongOutageEveryMissedStepFiresOnceInOrder() {
    // The server fired the first step, went down, came back 40 minutes in.
    List<EscalationStep> missed = chain().due(T0, 1, min(40));
    assertEquals(List.of(1, 2, 3, 4), seqs(missed));
    assertEquals(List.of(SECONDARY, MANAGER, PRIMARY, SECONDARY), missed.stream().map(EscalationStep::target).toList());
    assertEquals(Optional.of(min(45)), chain().nextAt(T0, 5));
    assertEquals(Optional.of(min(35)), chain().nextAt(T0, 4), "nextAt may lie in the past when the server is late");
  }

  @Test
  void nextAtNamesTheNextUnfiredStepAndIsEmptyWhenTheChainIsDone() {
    assertEquals(Optional.of(min(0)), chain().nextAt(T0, 0));
    assertEquals(Optional.of(min(15)), chain().nextAt(T0, 2));
    assertEquals(Optional.of(min(75)), chain().nextAt(T0, 8));
    assertEquals(Optional.empty(), chain().nextAt(T0, 9));
  }

  @Test
  void negativeFiredCountIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> chain().due(T0, -1, T0));
    assertThrows(IllegalArgumentException.class, () -> chain().nextAt(T0, -1));
  }

  @Test
  void chainWithoutStepsOrRepeatingWithoutWaitsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> EscalationChain.of("none", List.of(), 0));
    assertThrows(IllegalArgumentException.class, () -> EscalationChain.of("loop", List.of(step(PRIMARY, 0)), 1));
    assertThrows(IllegalArgumentException.class, () -> EscalationChain.of("many", List.of(step(PRIMARY, 1)), EscalationChain.MAX_REPEAT + 1));
  }

  @Test
  void toMapWritesWaitsAsDurationsAndParsesBack() {
    EscalationChain c = chain();
    assertEquals("{name=p1, steps=[{schedule=primary, wait=5m}, {schedule=secondary, wait=10m}, {person=manager, wait=15m}], repeat=2}",
        c.toMap().toString());
    assertEquals(c, EscalationChain.parse(c.toMap(), "chain"));
  }

  record Run(EscalationChain chain, List<Instant> ticks) {}

  /**
   * A server that wakes at arbitrary times (late, early, after outages), fires what {@code due} returns,
   * and keeps nothing between wakes but the persisted count (as after a restart). Every planned step fires exactly once, in
   * order, never before its time, and no later than the first tick at or after it.
   */
  @TestFactory
  Stream<DynamicTest> aServerThatPersistsTheFiredCountFiresEveryStepExactlyOnceInOrder(TestInfo info) {
    return Trials.of(info, 200, (Random r) -> {
      List<EscalationChain.Step> steps = new ArrayList<>();
      for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) steps.add(step(EscalationTarget.person("p" + i), r.nextInt(3) * 5));
      int repeat = steps.stream().allMatch(s -> s.waitAfter().isZero()) ? 0 : r.nextInt(3);
      EscalationChain c = EscalationChain.of("c", steps, repeat);
      List<Instant> ticks = new ArrayList<>();
      Instant t = T0.minus(Duration.ofMinutes(2));
      while (t.isBefore(min(200))) {
        t = t.plus(Duration.ofSeconds(r.nextInt(5) == 0 ? r.nextInt(3600) : r.nextInt(300)));
        ticks.add(t);
      }
      return new Run(c, ticks);
    }, run -> {
      int persisted = 0;
      List<EscalationStep> fired = new ArrayList<>();
      List<Instant> firedAt = new ArrayList<>();
      for (Instant now : run.ticks()) {
        List<EscalationStep> due = run.chain().due(T0, persisted, now);
        for (EscalationStep s : due) {
          assertFalse(s.at().isAfter(now), "fired early: " + s);
          fired.add(s);
          firedAt.add(now);
        }
        persisted += due.size();
      }
      assertEquals(run.chain().plan(T0), fired, "each planned step once, in order");
      for (int i = 0; i < fired.size(); i++) {
        Instant at = fired.get(i).at();
        Instant firstTick = run.ticks().stream().filter(x -> !x.isBefore(at)).findFirst().orElseThrow();
        assertEquals(firstTick, firedAt.get(i), "fired at the first chance: " + fired.get(i));
      }
    });
  }

  private static List<Integer> seqs(List<EscalationStep> steps) {
    return steps.stream().map(EscalationStep::seq).toList();
  }
}
