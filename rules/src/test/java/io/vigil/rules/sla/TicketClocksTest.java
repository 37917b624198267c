package io.vigil.rules.sla;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of {@link TicketClocks}, one test each, on DESIGN.md's default policies. */
class TicketClocksTest {
  private static final Instant T0 = Instant.parse("2026-03-02T01:00:00Z"); // a Monday, 09:00 in Shanghai
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final SlaPolicies P = SlaPolicies.defaults();

  private static TicketClocks.Facts open() {
    return new TicketClocks.Facts(T0, null, null, List.of(), null, null, null, null);
  }

  private static TicketClocks.Clocks p1(TicketClocks.Facts f) {
    return TicketClocks.compute(P, "7x24", SHANGHAI, Severity.P1, f);
  }

  @Test
  void bothClocksStartAtTheOpeningAndTheFirstThingDueIsTheRespondWarning() {
    TicketClocks.Clocks c = p1(open());
    assertEquals(T0.plus(Duration.ofMinutes(15)), c.respondBy());
    assertEquals(T0.plus(Duration.ofHours(4)), c.resolveBy());
    assertEquals(T0.plus(Duration.ofMinutes(12)), c.respondWarnAt());
    assertEquals(new TicketClocks.Step(TicketClocks.Clock.RESPOND, TicketClocks.Kind.WARNING, T0.plus(Duration.ofMinutes(12)),
        T0.plus(Duration.ofMinutes(15))), c.next());
  }

  @Test
  void afterTheWarningFiredTheBreachIsNext() {
    TicketClocks.Facts f = new TicketClocks.Facts(T0, null, null, List.of(), T0.plus(Duration.ofMinutes(12)), null, null, null);
    assertEquals(TicketClocks.Kind.BREACH, p1(f).next().kind());
    assertEquals(T0.plus(Duration.ofMinutes(15)), p1(f).next().at());
  }

  @Test
  void theFirstResponseStopsTheRespondClockSoTheResolveWarningIsNext() {
    // P4 has no update_every: only the resolve clock is left.
    TicketClocks.Facts f = new TicketClocks.Facts(T0, T0.plusSeconds(60), null, List.of(), null, null, null, null);
    TicketClocks.Step next = TicketClocks.compute(P, "7x24", SHANGHAI, Severity.P4, f).next();
    assertEquals(TicketClocks.Clock.RESOLVE, next.clock());
    assertEquals(TicketClocks.Kind.WARNING, next.kind());
    assertEquals(T0.plus(Duration.ofHours(24 * 8)), next.at(), "80% of 10 business days of 24 h");
    assertEquals(T0.plus(Duration.ofMinutes(192)), p1(f).resolveWarnAt());
  }

  @Test
  void onceRespondedTheCustomerIsOwedAnUpdateEveryIntervalWithoutOne() {
    // P1: update every 30 min, counted from the response.
    TicketClocks.Facts f = new TicketClocks.Facts(T0, T0.plusSeconds(60), null, List.of(), null, null, null, null);
    TicketClocks.Clocks c = p1(f);
    assertEquals(T0.plusSeconds(60).plus(Duration.ofMinutes(30)), c.updateDueAt());
    assertEquals(new TicketClocks.Step(TicketClocks.Clock.UPDATE, TicketClocks.Kind.UPDATE_DUE, c.updateDueAt(), c.updateDueAt()), c.next());
  }

  @Test
  void aPersonsUpdateOrAReminderRestartsTheUpdateInterval() {
    TicketClocks.Facts updated = new TicketClocks.Facts(T0, T0.plusSeconds(60), null, List.of(), null, null, null, null,
        T0.plus(Duration.ofMinutes(20)), null);
    assertEquals(T0.plus(Duration.ofMinutes(50)), p1(updated).updateDueAt());
    TicketClocks.Facts reminded = updated.reminded(T0.plus(Duration.ofMinutes(50)));
    assertEquals(T0.plus(Duration.ofMinutes(80)), p1(reminded).updateDueAt(), "no update after the reminder: the next one interval later");
  }

  @Test
  void noUpdateIsOwedBeforeTheResponseAfterTheResolutionWhilePausedOrWithoutUpdateEvery() {
    assertNull(p1(open()).updateDueAt(), "not yet responded");
    assertNull(p1(new TicketClocks.Facts(T0, T0.plusSeconds(60), T0.plusSeconds(90), List.of(), null, null, null, null)).updateDueAt());
    assertNull(p1(new TicketClocks.Facts(T0, T0.plusSeconds(60), null, List.of(new Pause(T0.plusSeconds(120), null)),
        null, null, null, null)).updateDueAt(), "waiting on the customer");
    assertNull(TicketClocks.compute(P, "7x24", SHANGHAI, Severity.P4,
        new TicketClocks.Facts(T0, T0.plusSeconds(60), null, List.of(), null, null, null, null)).updateDueAt(), "P4: no update_every");
  }

  @Test
  void aResolutionStopsBothClocks() {
    TicketClocks.Facts f = new TicketClocks.Facts(T0, null, T0.plusSeconds(60), List.of(), null, null, null, null);
    assertNull(p1(f).next());
  }

  @Test
  void anOpenPauseStopsTheClocksAndLeavesNoDue() {
    TicketClocks.Facts f = new TicketClocks.Facts(T0, T0.plusSeconds(60), null, List.of(new Pause(T0.plusSeconds(120), null)),
        null, null, null, null);
    TicketClocks.Clocks c = p1(f);
    assertNull(c.resolveBy());
    assertNull(c.next(), "nothing is due while paused");
  }

  @Test
  void aClosedPausePushesTheDueByItsLength() {
    TicketClocks.Facts f = new TicketClocks.Facts(T0, T0.plusSeconds(60), null,
        List.of(new Pause(T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofHours(3)))), null, null, null, null);
    assertEquals(T0.plus(Duration.ofHours(6)), p1(f).resolveBy());
  }

  @Test
  void aServerAwayPastWarningAndBreachStillGetsTheWarningFirst() {
    TicketClocks.Clocks c = p1(open());
    assertEquals(TicketClocks.Kind.WARNING, c.next().kind(), "the earliest step, whatever the time now");
  }

  @Test
  void businessDaysCountOnTheContractCalendar() {
    // 5x8, P3: respond 4 h of Mon–Fri 09:00–18:00 in Shanghai. Opened Friday 17:00 → Monday 12:00.
    Instant friday17 = Instant.parse("2026-03-06T09:00:00Z");
    TicketClocks.Facts f = new TicketClocks.Facts(friday17, null, null, List.of(), null, null, null, null);
    TicketClocks.Clocks c = TicketClocks.compute(P, "5x8", SHANGHAI, Severity.P3, f);
    assertEquals(Instant.parse("2026-03-09T04:00:00Z"), c.respondBy());
  }

  @Test
  void anUnknownTierRunsUnderTheDefaultPolicy() {
    assertEquals(p1(open()), TicketClocks.compute(P, "no-such-tier", SHANGHAI, Severity.P1, open()));
  }

  @Test
  void aRegradeReArmsWhatLiesInTheFutureUnderTheNewGrade() {
    Instant now = T0.plus(Duration.ofMinutes(20));
    Instant fired = T0.plus(Duration.ofMinutes(15));
    assertNull(TicketClocks.rearm(fired, now.plusSeconds(1), now), "new due later than now: fires again then");
  }

  @Test
  void aRegradeKeepsWhatAlreadyCameUnderTheNewGrade() {
    Instant now = T0.plus(Duration.ofMinutes(20));
    Instant fired = T0.plus(Duration.ofMinutes(15));
    assertEquals(fired, TicketClocks.rearm(fired, now.minusSeconds(1), now), "not fired a second time");
    assertEquals(fired, TicketClocks.rearm(fired, now, now));
    assertNull(TicketClocks.rearm(null, now.minusSeconds(1), now), "never fired stays unfired (and fires at once)");
  }
}
