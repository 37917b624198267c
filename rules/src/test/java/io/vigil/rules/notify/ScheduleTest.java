package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final LocalTime NINE = LocalTime.of(9, 0);

  static Instant z(String s) {
    return Instant.parse(s);
  }

  static LocalDateTime ldt(String s) {
    return LocalDateTime.parse(s);
  }

  static Schedule schedule(ZoneId zone, Rotation... layers) {
    return new Schedule("s", zone, List.of(layers), List.of());
  }

  static String who(Schedule s, String instant) {
    return s.at(z(instant)).map(OnCallShift::person).orElse(null);
  }

  /** Monday 2026-01-05 09:00 in Shanghai is 01:00Z. */
  static Schedule weeklyABC() {
    return schedule(SHANGHAI, Rotation.weekly(List.of("a", "b", "c"), DayOfWeek.MONDAY, NINE, ldt("2026-01-05T09:00")));
  }

  @Test
  void weeklyRotationHandsOffOnMondayAtNineLocalAndWrapsRound() {
    Schedule s = weeklyABC();
    assertEquals("a", who(s, "2026-01-05T01:00:00Z"));
    assertEquals("a", who(s, "2026-01-12T00:59:59Z"));
    assertEquals("b", who(s, "2026-01-12T01:00:00Z"));
    assertEquals("c", who(s, "2026-01-19T01:00:00Z"));
    assertEquals("a", who(s, "2026-01-26T01:00:00Z"));
    OnCallShift b = s.at(z("2026-01-14T12:00:00Z")).orElseThrow();
    assertEquals(z("2026-01-12T01:00:00Z"), b.start());
    assertEquals(z("2026-01-19T01:00:00Z"), b.end());
    assertEquals(OnCallShift.Source.layer(0), b.source());
  }

  @Test
  void nobodyIsOnCallBeforeTheRotationStarts() {
    Schedule s = weeklyABC();
    assertTrue(s.at(z("2026-01-05T00:59:59Z")).isEmpty());
    List<OnCallShift> shifts = s.shifts(z("2026-01-04T00:00:00Z"), z("2026-01-06T00:00:00Z"));
    assertEquals(1, shifts.size());
    assertEquals(z("2026-01-05T01:00:00Z"), shifts.get(0).start());
  }

  @Test
  void firstShiftRunsFromTheStartToTheFirstHandoffAfterIt() {
    // Starts Wednesday 15:00; the first weekly handoff after it is Monday 12th 09:00.
    Schedule s = schedule(SHANGHAI, Rotation.weekly(List.of("a", "b"), DayOfWeek.MONDAY, NINE, ldt("2026-01-07T15:00")));
    OnCallShift first = s.at(z("2026-01-08T00:00:00Z")).orElseThrow();
    assertEquals("a", first.person());
    assertEquals(z("2026-01-07T07:00:00Z"), first.start());
    assertEquals(z("2026-01-12T01:00:00Z"), first.end());
    assertEquals("b", who(s, "2026-01-12T01:00:00Z"));
  }

  @Test
  void startExactlyAtAHandoffGivesTheFirstPersonAWholePeriod() {
    Schedule s = schedule(SHANGHAI, Rotation.daily(List.of("a", "b"), NINE, ldt("2026-01-05T09:00")));
    OnCallShift first = s.at(z("2026-01-05T01:00:00Z")).orElseThrow();
    assertEquals(Duration.ofHours(24), first.length());
    assertEquals("b", who(s, "2026-01-06T01:00:00Z"));
  }

  @Test
  void shanghaiHasNoDstSoEveryDailyShiftIsTwentyFourHoursAllYear() {
    Schedule s = schedule(SHANGHAI, Rotation.daily(List.of("a", "b"), NINE, ldt("2025-12-31T09:00")));
    List<OnCallShift> year = s.shifts(z("2026-01-01T01:00:00Z"), z("2027-01-01T01:00:00Z"));
    assertEquals(365, year.size());
    for (OnCallShift sh : year) {
      assertEquals(Duration.ofHours(24), sh.length(), sh.toString());
      assertEquals(NINE, sh.start().atZone(SHANGHAI).toLocalTime());
    }
  }

  private static OnCallShift shiftAt(Schedule s, String instant) {
    return s.at(z(instant)).orElseThrow();
  }

  @Test
  void dailyNineOClockHandoffStaysAtNineAcrossBerlinSpringForwardSoThatShiftIs23Hours() {
    // 2026-03-29 02:00 CET → 03:00 CEST. Saturday 09:00 CET = 08:00Z, Sunday 09:00 CEST = 07:00Z.
    Schedule s = schedule(BERLIN, Rotation.daily(List.of("a", "b"), NINE, ldt("2026-03-01T09:00")));
    OnCallShift sat = shiftAt(s, "2026-03-28T12:00:00Z");
    assertEquals(z("2026-03-28T08:00:00Z"), sat.start());
    assertEquals(z("2026-03-29T07:00:00Z"), sat.end());
    assertEquals(Duration.ofHours(23), sat.length());
    assertEquals(Duration.ofHours(24), shiftAt(s, "2026-03-29T12:00:00Z").length());
    assertNotEquals(sat.person(), shiftAt(s, "2026-03-29T07:00:00Z").person());
  }

  @Test
  void dailyNineOClockHandoffStaysAtNineAcrossBerlinFallBackSoThatShiftIs25Hours() {
    // 2026-10-25 03:00 CEST → 02:00 CET. Saturday 09:00 CEST = 07:00Z, Sunday 09:00 CET = 08:00Z.
    Schedule s = schedule(BERLIN, Rotation.daily(List.of("a", "b"), NINE, ldt("2026-10-01T09:00")));
    OnCallShift sat = shiftAt(s, "2026-10-24T12:00:00Z");
    assertEquals(z("2026-10-24T07:00:00Z"), sat.start());
    assertEquals(z("2026-10-25T08:00:00Z"), sat.end());
    assertEquals(Duration.ofHours(25), sat.length());
  }

  @Test
  void newYorkShiftsAre23And25HoursOnItsDstSundays() {
    Schedule s = schedule(NEW_YORK, Rotation.daily(List.of("a", "b", "c"), NINE, ldt("2026-01-01T09:00")));
    // 2026-03-08: 09:00 EST = 14:00Z on Saturday, 09:00 EDT = 13:00Z on Sunday.
    OnCallShift spring = shiftAt(s, "2026-03-07T20:00:00Z");
    assertEquals(z("2026-03-07T14:00:00Z"), spring.start());
    assertEquals(Duration.ofHours(23), spring.length());
    // 2026-11-01: 09:00 EDT = 13:00Z on Saturday, 09:00 EST = 14:00Z on Sunday.
    OnCallShift fall = shiftAt(s, "2026-10-31T20:00:00Z");
    assertEquals(z("2026-10-31T13:00:00Z"), fall.start());
    assertEquals(Duration.ofHours(25), fall.length());
  }

  @Test
  void weeklyShiftOverTheSpringForwardWeekendIs167HoursInBerlin() {
    Schedule s = schedule(BERLIN, Rotation.weekly(List.of("a", "b"), DayOfWeek.MONDAY, NINE, ldt("2026-03-02T09:00")));
    assertEquals(Duration.ofHours(167), shiftAt(s, "2026-03-28T12:00:00Z").length());
    assertEquals(Duration.ofHours(168), shiftAt(s, "2026-04-01T12:00:00Z").length());
  }

  @Test
  void handoffInTheSpringForwardGapMovesLaterByTheGapLikeZonedDateTime() {
    // Berlin 2026-03-29: 02:30 does not exist; the handoff happens at 03:30 CEST = 01:30Z.
    Schedule s = schedule(BERLIN, Rotation.daily(List.of("a", "b"), LocalTime.of(2, 30), ldt("2026-03-01T02:30")));
    OnCallShift before = shiftAt(s, "2026-03-29T00:00:00Z");
    assertEquals(z("2026-03-28T01:30:00Z"), before.start()); // 02:30 CET
    assertEquals(z("2026-03-29T01:30:00Z"), before.end()); // 03:30 CEST
    assertEquals(Duration.ofHours(24), before.length());
    OnCallShift after = shiftAt(s, "2026-03-29T01:30:00Z");
    assertEquals(z("2026-03-30T00:30:00Z"), after.end()); // 02:30 CEST
    assertEquals(Duration.ofHours(23), after.length());
  }

  @Test
  void handoffInNewYorkSpringForwardGapMovesLater() {
    // 2026-03-08 02:30 EST does not exist → 03:30 EDT = 07:30Z.
    Schedule s = schedule(NEW_YORK, Rotation.daily(List.of("a", "b"), LocalTime.of(2, 30), ldt("2026-03-01T02:30")));
    assertEquals(z("2026-03-08T07:30:00Z"), shiftAt(s, "2026-03-08T07:00:00Z").end());
  }

  @Test
  void handoffInTheAutumnOverlapTakesTheEarlierOffset() {
    // Berlin 2026-10-25 02:30 happens twice; the handoff is at the first, 02:30 CEST = 00:30Z.
    Schedule s = schedule(BERLIN, Rotation.daily(List.of("a", "b"), LocalTime.of(2, 30), ldt("2026-10-01T02:30")));
    OnCallShift sat = shiftAt(s, "2026-10-24T12:00:00Z");
    assertEquals(z("2026-10-25T00:30:00Z"), sat.end());
    assertEquals(Duration.ofHours(24), sat.length());
    assertEquals(Duration.ofHours(25), shiftAt(s, "2026-10-25T12:00:00Z").length());
  }

  @Test
  void twelveHourRotationKeepsEightAndTwentyLocalAcrossDst() {
    Rotation r = new Rotation(null, List.of("a", "b"), Rotation.Period.every(Duration.ofHours(12)), null, null,
        ldt("2026-03-27T08:00"), List.of());
    Schedule s = schedule(BERLIN, r);
    List<OnCallShift> shifts = s.shifts(z("2026-03-27T07:00:00Z"), z("2026-03-31T06:00:00Z"));
    for (OnCallShift sh : shifts) {
      LocalTime local = sh.start().atZone(BERLIN).toLocalTime();
      assertTrue(local.equals(LocalTime.of(8, 0)) || local.equals(LocalTime.of(20, 0)), sh.toString());
    }
    // Saturday 20:00 CET to Sunday 08:00 CEST spans the gap: 11 real hours.
    assertEquals(Duration.ofHours(11), shiftAt(s, "2026-03-28T23:00:00Z").length());
    assertEquals("a", shiftAt(s, "2026-03-27T08:00:00Z").person());
    assertEquals("b", shiftAt(s, "2026-03-27T20:00:00Z").person());
  }

  /** Weekly a/b/c days; nights 18:00–09:00 every day by a daily x/y rotation handing off at 18:00. */
  static Schedule dayAndNight() {
    Rotation days = Rotation.weekly(List.of("a", "b", "c"), DayOfWeek.MONDAY, NINE, ldt("2026-01-05T09:00"));
    Rotation nights = new Rotation("nights", List.of("x", "y"), Rotation.Period.DAILY, LocalTime.of(18, 0), null,
        ldt("2026-01-05T18:00"), List.of(RotationRestriction.daily(LocalTime.of(18, 0), NINE)));
    return schedule(SHANGHAI, days, nights);
  }

  @Test
  void laterLayerOverridesEarlierOnesOnlyWhereItIsActive() {
    Schedule s = dayAndNight();
    assertEquals("a", who(s, "2026-01-06T04:00:00Z")); // Tue 12:00
    assertEquals("y", who(s, "2026-01-06T12:00:00Z")); // Tue 20:00, second night
    assertEquals("y", who(s, "2026-01-07T00:59:59Z")); // Wed 08:59:59
    assertEquals("a", who(s, "2026-01-07T01:00:00Z")); // Wed 09:00
    OnCallShift night = s.at(z("2026-01-06T12:00:00Z")).orElseThrow();
    assertEquals(z("2026-01-06T10:00:00Z"), night.start());
    assertEquals(z("2026-01-07T01:00:00Z"), night.end());
    assertEquals(OnCallShift.Source.layer(1), night.source());
  }

  @Test
  void restrictedLayerHandsOffOnItsOwnGridNotAtTheWindowEdges() {
    // A weekly night rotation handing off Monday 09:00: Sunday night belongs to the outgoing person.
    Rotation days = Rotation.daily(List.of("d"), NINE, ldt("2026-01-05T09:00"));
    Rotation nights = Rotation.weekly(List.of("x", "y"), DayOfWeek.MONDAY, NINE, ldt("2026-01-05T09:00"))
        .withRestrict(List.of(RotationRestriction.daily(LocalTime.of(18, 0), NINE)));
    Schedule s = schedule(SHANGHAI, days, nights);
    assertEquals("x", who(s, "2026-01-11T20:00:00Z")); // Mon 12th 04:00, still week 1
    assertEquals("d", who(s, "2026-01-12T02:00:00Z")); // Mon 10:00
    assertEquals("y", who(s, "2026-01-12T11:00:00Z")); // Mon 19:00, week 2
  }

  @Test
  void windowAcrossMidnightBelongsToTheDayItStarts() {
    // Friday nights only: Friday 18:00 → Saturday 09:00.
    Rotation base = Rotation.daily(List.of("d"), NINE, ldt("2026-01-05T09:00"));
    Rotation fri = Rotation.daily(List.of("f"), NINE, ldt("2026-01-05T09:00"))
        .withRestrict(List.of(new RotationRestriction(EnumSet.of(DayOfWeek.FRIDAY), LocalTime.of(18, 0), NINE)));
    Schedule s = schedule(SHANGHAI, base, fri);
    assertEquals("f", who(s, "2026-01-10T00:00:00Z")); // Sat 08:00
    assertEquals("d", who(s, "2026-01-10T12:00:00Z")); // Sat 20:00
    assertEquals("d", who(s, "2026-01-08T12:00:00Z")); // Thu 20:00
  }

  @Test
  void weekendWindowsOfWholeDaysJoinIntoOneShift() {
    Rotation base = Rotation.daily(List.of("d"), NINE, ldt("2026-01-05T09:00"));
    Rotation weekend = Rotation.daily(List.of("w"), NINE, ldt("2026-01-05T09:00")).withRestrict(List.of(
        new RotationRestriction(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT)));
    Schedule s = schedule(SHANGHAI, base, weekend);
    OnCallShift w = s.at(z("2026-01-10T12:00:00Z")).orElseThrow();
    assertEquals("w", w.person());
    assertEquals(z("2026-01-09T16:00:00Z"), w.start()); // Sat 00:00 CST
    assertEquals(z("2026-01-11T16:00:00Z"), w.end()); // Mon 00:00 CST
  }

  @Test
  void overrideBeatsEveryLayerAndTheLaterOverrideWinsWhereTheyOverlap() {
    Schedule s = dayAndNight().withOverrides(List.of(
        new ScheduleOverride("o1", z("2026-01-06T00:00:00Z"), z("2026-01-06T12:00:00Z"), null),
        new ScheduleOverride("o2", z("2026-01-06T06:00:00Z"), z("2026-01-06T08:00:00Z"), "swap")));
    assertEquals("o1", who(s, "2026-01-06T05:00:00Z"));
    assertEquals("o2", who(s, "2026-01-06T07:00:00Z"));
    assertEquals("o1", who(s, "2026-01-06T09:00:00Z"));
    assertEquals("o1", who(s, "2026-01-06T11:00:00Z")); // over the night layer too
    assertEquals("y", who(s, "2026-01-06T12:00:00Z"));
    assertEquals(OnCallShift.Source.override(1), s.at(z("2026-01-06T07:00:00Z")).orElseThrow().source());
  }

  @Test
  void shiftsAreContiguousCutAtTheRangeAndMergedWhenTheSamePersonContinues() {
    // a, a, b: a's two daily turns merge into one 48 h shift.
    Schedule s = schedule(SHANGHAI, Rotation.daily(List.of("a", "a", "b"), NINE, ldt("2026-01-05T09:00")));
    List<OnCallShift> shifts = s.shifts(z("2026-01-05T13:00:00Z"), z("2026-01-09T13:00:00Z"));
    assertEquals(List.of("a", "b", "a"), shifts.stream().map(OnCallShift::person).toList());
    assertEquals(z("2026-01-05T13:00:00Z"), shifts.get(0).start());
    assertEquals(z("2026-01-07T01:00:00Z"), shifts.get(0).end());
    assertEquals(shifts.get(0).end(), shifts.get(1).start());
    assertEquals(z("2026-01-09T13:00:00Z"), shifts.get(2).end());
  }

  @Test
  void overrideByThePersonAlreadyOnCallMergesIntoTheirShift() {
    Schedule s = weeklyABC().withOverrides(List.of(
        new ScheduleOverride("a", z("2026-01-11T00:00:00Z"), z("2026-01-13T00:00:00Z"), "stays on")));
    List<OnCallShift> shifts = s.shifts(z("2026-01-05T01:00:00Z"), z("2026-01-19T01:00:00Z"));
    assertEquals(List.of("a", "b"), shifts.stream().map(OnCallShift::person).toList());
    assertEquals(z("2026-01-13T00:00:00Z"), shifts.get(0).end());
    assertEquals(OnCallShift.Source.layer(0), shifts.get(0).source());
    // at() names what is active at the instant asked, over the merged stretch.
    OnCallShift at = s.at(z("2026-01-12T12:00:00Z")).orElseThrow();
    assertEquals(OnCallShift.Source.override(0), at.source());
    assertEquals(z("2026-01-05T01:00:00Z"), at.start());
  }

  @Test
  void stretchesWithNobodyOnCallAreAbsent() {
    Rotation nightsOnly = Rotation.daily(List.of("x"), NINE, ldt("2026-01-05T09:00"))
        .withRestrict(List.of(RotationRestriction.daily(LocalTime.of(18, 0), NINE)));
    Schedule s = schedule(SHANGHAI, nightsOnly);
    // Tuesday 08:00 to Thursday 08:00 local: the end of Monday's night, Tuesday's, the start of Wednesday's.
    List<OnCallShift> shifts = s.shifts(z("2026-01-06T00:00:00Z"), z("2026-01-08T00:00:00Z"));
    assertEquals(3, shifts.size());
    assertEquals(z("2026-01-06T01:00:00Z"), shifts.get(0).end());
    assertEquals(z("2026-01-06T10:00:00Z"), shifts.get(1).start());
    assertEquals(z("2026-01-07T01:00:00Z"), shifts.get(1).end());
    assertEquals(z("2026-01-07T10:00:00Z"), shifts.get(2).start());
    assertTrue(s.at(z("2026-01-06T04:00:00Z")).isEmpty());
  }

  @Test
  void emptyOrReversedRangeHasNoShifts() {
    assertEquals(List.of(), weeklyABC().shifts(z("2026-02-01T00:00:00Z"), z("2026-02-01T00:00:00Z")));
    assertEquals(List.of(), weeklyABC().shifts(z("2026-02-02T00:00:00Z"), z("2026-02-01T00:00:00Z")));
  }

  @Test
  void shiftsOverlappingKeepTheirTrueStartAndEnd() {
    List<OnCallShift> whole = weeklyABC().shiftsOverlapping(z("2026-01-14T00:00:00Z"), z("2026-01-20T00:00:00Z"));
    assertEquals(2, whole.size());
    assertEquals(z("2026-01-12T01:00:00Z"), whole.get(0).start());
    assertEquals(z("2026-01-26T01:00:00Z"), whole.get(1).end());
  }

  @Test
  void aSinglePersonOnCallForeverIsReportedWithinTheHorizon() {
    Schedule s = schedule(SHANGHAI, Rotation.daily(List.of("solo"), NINE, ldt("2020-01-01T09:00")));
    OnCallShift sh = s.at(z("2026-06-01T00:00:00Z")).orElseThrow();
    assertEquals(z("2026-06-01T00:00:00Z").minus(Schedule.HORIZON), sh.start());
    assertEquals(z("2026-06-01T00:00:00Z").plus(Schedule.HORIZON), sh.end());
  }

  @Test
  void rotationWithNobodyIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Rotation.daily(List.of(), NINE, ldt("2026-01-05T09:00")));
  }

  @Test
  void peopleListsEveryoneNamedOnce() {
    Schedule s = dayAndNight().withOverrides(List.of(new ScheduleOverride("a", z("2026-01-06T00:00:00Z"), z("2026-01-07T00:00:00Z"), null),
        new ScheduleOverride("z", z("2026-01-06T00:00:00Z"), z("2026-01-07T00:00:00Z"), null)));
    assertEquals(List.of("a", "b", "c", "x", "y", "z"), List.copyOf(s.people()));
  }
}
