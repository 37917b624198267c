package io.vigil.rules.sla;

import static org.junit.jupiter.api.Assertions.*;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Calendar and clock arithmetic on hand-picked cases: each names the rule it checks. */
class CalendarTest {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  static WeeklyCalendar weekdays(String hours, ZoneId zone, Set<LocalDate> holidays, Set<LocalDate> workdays) {
    Map<DayOfWeek, List<LocalTimeRange>> h = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek d : List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY)) {
      h.put(d, LocalTimeRange.parseList(hours));
    }
    return new WeeklyCalendar("test", zone, h, holidays, workdays);
  }

  static Instant at(String local, ZoneId zone) {
    return LocalDateTime.parse(local).atZone(zone).toInstant();
  }

  private static final WeeklyCalendar CN = weekdays("09:00-12:00,13:00-18:00", SHANGHAI, Set.of(), Set.of());

  @Test
  void sevenByTwentyFourCountsEveryInstant() {
    Instant s = Instant.parse("2026-12-31T23:00:00Z");
    assertEquals(s.plus(Duration.ofHours(4)), BusinessCalendar.always().addWorkingTime(s, Duration.ofHours(4)));
    assertEquals(Duration.ofHours(24), BusinessCalendar.always().businessDay());
  }

  @Test
  void aTargetStartedFridayAfternoonLandsOnMonday() {
    // 2026-12-04 is a Friday: 17:00-18:00 counts 1 h, the other 3 h are Monday 09:00-12:00.
    assertEquals(at("2026-12-07T12:00", SHANGHAI), CN.addWorkingTime(at("2026-12-04T17:00", SHANGHAI), Duration.ofHours(4)));
  }

  @Test
  void theLunchBreakIsSkipped() {
    assertEquals(at("2026-12-07T14:00", SHANGHAI), CN.addWorkingTime(at("2026-12-07T11:00", SHANGHAI), Duration.ofHours(2)));
  }

  @Test
  void aStartOutsideHoursCountsFromTheNextOpening() {
    assertEquals(at("2026-12-07T10:00", SHANGHAI), CN.addWorkingTime(at("2026-12-07T06:30", SHANGHAI), Duration.ofHours(1)));
    assertEquals(at("2026-12-07T06:30", SHANGHAI), CN.addWorkingTime(at("2026-12-07T06:30", SHANGHAI), Duration.ZERO), "zero is the start itself");
  }

  @Test
  void aTargetEndingExactlyAtCloseEndsAtClose() {
    assertEquals(at("2026-12-07T18:00", SHANGHAI), CN.addWorkingTime(at("2026-12-07T09:00", SHANGHAI), Duration.ofHours(8)));
  }

  @Test
  void aHolidayIsSkippedAndAMakeUpSaturdayCounts() {
    // National Day 2026: Oct 1-7 off, Saturday Oct 10 works. From Wed Sep 30 17:00, 9 h = 1 h Sep 30 + 8 h on Oct 8.
    WeeklyCalendar c = weekdays("09:00-12:00,13:00-18:00", SHANGHAI,
        Set.of(LocalDate.parse("2026-10-01"), LocalDate.parse("2026-10-02"), LocalDate.parse("2026-10-05"), LocalDate.parse("2026-10-06"),
            LocalDate.parse("2026-10-07")), Set.of(LocalDate.parse("2026-10-10")));
    assertEquals(at("2026-10-08T18:00", SHANGHAI), c.addWorkingTime(at("2026-09-30T17:00", SHANGHAI), Duration.ofHours(9)));
    assertEquals(Duration.ofHours(8), c.workingTimeBetween(at("2026-10-10T00:00", SHANGHAI), at("2026-10-11T00:00", SHANGHAI)));
    assertEquals(Duration.ZERO, c.workingTimeBetween(at("2026-10-01T00:00", SHANGHAI), at("2026-10-03T00:00", SHANGHAI)));
  }

  @Test
  void theYearEndIsCrossed() {
    // Thu 2026-12-31 17:00 + 2 h: 1 h that day, Jan 1 2027 is a holiday, 1 h on Fri Jan 2? (Jan 2 2027 is a Saturday) → Mon Jan 4 10:00.
    WeeklyCalendar c = weekdays("09:00-18:00", SHANGHAI, Set.of(LocalDate.parse("2027-01-01")), Set.of());
    assertEquals(at("2027-01-04T10:00", SHANGHAI), c.addWorkingTime(at("2026-12-31T17:00", SHANGHAI), Duration.ofHours(2)));
  }

  @Test
  void aRangeEndingAt24CountsToMidnight() {
    WeeklyCalendar c = weekdays("20:00-24:00", SHANGHAI, Set.of(), Set.of());
    assertEquals(at("2026-12-08T00:00", SHANGHAI), c.addWorkingTime(at("2026-12-07T20:00", SHANGHAI), Duration.ofHours(4)));
    assertEquals(Duration.ofHours(4), c.businessDay());
  }

  @Test
  void springForwardShortensANightRangeAndLeavesDayHoursWhole() {
    // 2026-03-08 02:00 → 03:00 in New York (a Sunday): use a 7-day calendar.
    Map<DayOfWeek, List<LocalTimeRange>> h = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek d : DayOfWeek.values()) h.put(d, LocalTimeRange.parseList("01:00-03:00,09:00-17:00"));
    WeeklyCalendar c = new WeeklyCalendar("ny", NEW_YORK, h, Set.of(), Set.of());
    Instant day0 = at("2026-03-08T00:00", NEW_YORK);
    Instant day1 = at("2026-03-09T00:00", NEW_YORK);
    assertEquals(Duration.ofHours(1 + 8), c.workingTimeBetween(day0, day1), "01:00-03:00 is one real hour that night");
    assertEquals(at("2026-03-08T10:00", NEW_YORK), c.addWorkingTime(at("2026-03-08T01:30", NEW_YORK), Duration.ofMinutes(90)));
  }

  @Test
  void fallBackLengthensANightRange() {
    Map<DayOfWeek, List<LocalTimeRange>> h = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek d : DayOfWeek.values()) h.put(d, LocalTimeRange.parseList("01:00-03:00,09:00-17:00"));
    WeeklyCalendar c = new WeeklyCalendar("ny", NEW_YORK, h, Set.of(), Set.of());
    // 2026-11-01 02:00 EDT → 01:00 EST: 01:00 (EDT) to 03:00 (EST) is three real hours.
    assertEquals(Duration.ofHours(3 + 8), c.workingTimeBetween(at("2026-11-01T00:00", NEW_YORK), at("2026-11-02T00:00", NEW_YORK)));
  }

  @Test
  void aClosedPausePushesTheDueByThePausedWorkingTime() {
    Instant s = at("2026-12-07T09:00", SHANGHAI);
    List<Pause> p = List.of(new Pause(at("2026-12-07T10:00", SHANGHAI), at("2026-12-07T14:00", SHANGHAI))); // 3 working hours
    assertEquals(at("2026-12-08T12:00", SHANGHAI), SlaClock.due(s, Duration.ofHours(8), CN, p), "5 h on Monday, 3 h on Tuesday");
    assertEquals(Duration.ofHours(3), SlaClock.paused(s, at("2026-12-08T00:00", SHANGHAI), CN, p));
  }

  @Test
  void anOpenPauseBeforeTheDueStopsTheClock() {
    Instant s = at("2026-12-07T09:00", SHANGHAI);
    assertNull(SlaClock.due(s, Duration.ofHours(8), CN, List.of(new Pause(at("2026-12-07T10:00", SHANGHAI), null))));
    assertEquals(at("2026-12-07T10:00", SHANGHAI),
        SlaClock.due(s, Duration.ofHours(1), CN, List.of(new Pause(at("2026-12-07T10:00", SHANGHAI), null))), "due before the pause");
  }

  @Test
  void aPauseBeforeTheStartIsIgnoredAndOverlappingPausesCountOnce() {
    Instant s = Instant.parse("2026-01-01T00:00:00Z");
    BusinessCalendar c = BusinessCalendar.always();
    assertEquals(s.plusSeconds(3600), SlaClock.due(s, Duration.ofHours(1), c, List.of(new Pause(s.minusSeconds(600), s))));
    List<Pause> overlapping = List.of(new Pause(s.plusSeconds(600), s.plusSeconds(1800)), new Pause(s.plusSeconds(1200), s.plusSeconds(2400)));
    assertEquals(s.plusSeconds(3600 + 1800), SlaClock.due(s, Duration.ofHours(1), c, overlapping));
    assertEquals(Duration.ofSeconds(1800), SlaClock.paused(s, s.plusSeconds(7200), c, overlapping));
  }

  @Test
  void theWarningIsAtEightyPercentOfTheTarget() {
    Instant s = at("2026-12-07T17:00", SHANGHAI);
    assertEquals(at("2026-12-07T17:48", SHANGHAI), SlaClock.warnAt(s, Duration.ofHours(1), 0.8, CN, List.of()));
    assertEquals(at("2026-12-08T10:24", SHANGHAI), SlaClock.warnAt(s, Duration.ofHours(3), 0.8, CN, List.of()), "2 h 24 min of work: 1 h Monday, 1 h 24 min Tuesday");
  }

  @Test
  void badHoursAreRefusedWithTheText() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LocalTimeRange.parseList("09:00-12:00,11:00-13:00"))
        .getMessage().contains("overlap"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LocalTimeRange.parseList("18:00-09:00")).getMessage().contains("18:00"));
    assertThrows(IllegalArgumentException.class, () -> new WeeklyCalendar("none", SHANGHAI, Map.of(), Set.of(), Set.of()));
  }

  @Test
  void workAmountsRoundTrip() {
    assertEquals(Duration.ofHours(24), WorkAmount.parse("3bd").on(CN), "a business day here is 8 h (lunch excluded)");
    for (String s : List.of("15m", "4h", "1h30m", "3bd")) assertEquals(s, WorkAmount.parse(s).toString());
    assertThrows(IllegalArgumentException.class, () -> WorkAmount.parse("3 days"));
  }
}
