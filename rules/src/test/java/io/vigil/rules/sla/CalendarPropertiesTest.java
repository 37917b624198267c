package io.vigil.rules.sla;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.expr.Trials;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;

/**
 * Properties of calendar and clock arithmetic over random calendars: zones with DST (including
 * Lord Howe's 30-minute shift), random weekly hours, holidays and make-up days around year ends and
 * DST dates, random starts, amounts and pauses.
 */
class CalendarPropertiesTest {
  private static final List<ZoneId> ZONES = List.of(ZoneId.of("Asia/Shanghai"), ZoneId.of("Europe/Berlin"),
      ZoneId.of("America/New_York"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("UTC"));
  private static final List<LocalDate> NEAR = List.of(LocalDate.parse("2026-12-30"), LocalDate.parse("2026-03-08"),
      LocalDate.parse("2026-03-29"), LocalDate.parse("2026-10-25"), LocalDate.parse("2026-11-01"), LocalDate.parse("2026-04-05"),
      LocalDate.parse("2026-10-04"), LocalDate.parse("2027-01-01"));

  record Case(BusinessCalendar cal, Instant start, Duration a, Duration b, Instant later, List<Pause> pauses) {
    @Override
    public String toString() {
      String hours = cal instanceof WeeklyCalendar w ? w.hours() + " holidays " + w.holidays() + " workdays " + w.workdays() : "";
      return cal + " " + hours + " start " + start + " a " + a + " b " + b + " later " + later + " pauses " + pauses;
    }
  }

  static Case generate(Random r) {
    BusinessCalendar cal = r.nextInt(6) == 0 ? BusinessCalendar.always() : weekly(r);
    LocalDate base = NEAR.get(r.nextInt(NEAR.size()));
    Instant start = base.atStartOfDay(ZoneId.of("UTC")).toInstant().plusSeconds(r.nextInt(10 * 86400) - 5 * 86400L)
        .plusMillis(r.nextInt(1000));
    Duration a = Duration.ofMinutes(1 + r.nextInt(60 * 40)).plusMillis(r.nextInt(1000));
    Duration b = Duration.ofMinutes(1 + r.nextInt(60 * 40));
    Instant later = start.plusSeconds(r.nextInt(20 * 86400));
    List<Pause> pauses = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      Instant ps = start.plusSeconds(r.nextInt(15 * 86400) - 86400L);
      pauses.add(new Pause(ps, r.nextInt(5) == 0 ? null : ps.plusSeconds(r.nextInt(3 * 86400))));
    }
    return new Case(cal, start, a, b, later, pauses);
  }

  static WeeklyCalendar weekly(Random r) {
    Map<DayOfWeek, List<LocalTimeRange>> hours = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (r.nextInt(3) == 0) continue;
      List<LocalTimeRange> ranges = new ArrayList<>();
      int minute = r.nextInt(4) * 30; // from 00:00 .. 01:30, so night ranges meet DST changes
      for (int n = 1 + r.nextInt(3); n > 0 && minute < 24 * 60; n--) {
        int start = minute + r.nextInt(6) * 30;
        int end = start + 30 + r.nextInt(16) * 30;
        if (start >= 24 * 60) break;
        LocalTime e = end >= 24 * 60 ? LocalTime.MIDNIGHT : LocalTime.of(end / 60, end % 60);
        ranges.add(new LocalTimeRange(LocalTime.of(start / 60, start % 60), e));
        if (end >= 24 * 60) break;
        minute = end;
      }
      if (!ranges.isEmpty()) hours.put(d, ranges);
    }
    if (hours.isEmpty()) hours.put(DayOfWeek.MONDAY, List.of(new LocalTimeRange(LocalTime.of(9, 0), LocalTime.of(17, 0))));
    Set<LocalDate> holidays = new HashSet<>();
    Set<LocalDate> workdays = new HashSet<>();
    for (int i = r.nextInt(6); i > 0; i--) {
      LocalDate d = NEAR.get(r.nextInt(NEAR.size())).plusDays(r.nextInt(7) - 3);
      if (r.nextBoolean()) holidays.add(d);
      else if (!holidays.contains(d)) workdays.add(d);
    }
    workdays.removeAll(holidays);
    return new WeeklyCalendar("random", ZONES.get(r.nextInt(ZONES.size())), hours, holidays, workdays);
  }

  private static Stream<DynamicTest> tries(TestInfo info, java.util.function.Consumer<Case> property) {
    return Trials.of(info, 300, CalendarPropertiesTest::generate, property);
  }

  @TestFactory
  Stream<DynamicTest> workingTimeUpToTheAddedInstantIsWhatWasAdded(TestInfo info) {
    return tries(info, c -> assertEquals(c.a(), c.cal().workingTimeBetween(c.start(), c.cal().addWorkingTime(c.start(), c.a()))));
  }

  @TestFactory
  Stream<DynamicTest> theAddedInstantIsTheEarliestOne(TestInfo info) {
    return tries(info, c -> {
      Instant t = c.cal().addWorkingTime(c.start(), c.a());
      assertTrue(c.cal().workingTimeBetween(c.start(), t.minusMillis(1)).compareTo(c.a()) < 0);
    });
  }

  @TestFactory
  Stream<DynamicTest> addingIsMonotonic(TestInfo info) {
    return tries(info, c -> assertFalse(c.cal().addWorkingTime(c.start(), c.a().plus(c.b()))
        .isBefore(c.cal().addWorkingTime(c.start(), c.a()))));
  }

  @TestFactory
  Stream<DynamicTest> addingTwiceIsAddingTheSum(TestInfo info) {
    // Holds for positive amounts because a positive result never lies before its stretch's end is
    // needed: the second addition starts inside (or at the end of) working time.
    return tries(info, c -> assertEquals(c.cal().addWorkingTime(c.start(), c.a().plus(c.b())),
        c.cal().addWorkingTime(c.cal().addWorkingTime(c.start(), c.a()), c.b())));
  }

  @TestFactory
  Stream<DynamicTest> workingTimeIsAdditiveOverAdjacentSpans(TestInfo info) {
    return tries(info, c -> {
      Instant mid = c.start().plus(Duration.between(c.start(), c.later()).dividedBy(3));
      assertEquals(c.cal().workingTimeBetween(c.start(), c.later()),
          c.cal().workingTimeBetween(c.start(), mid).plus(c.cal().workingTimeBetween(mid, c.later())));
    });
  }

  @TestFactory
  Stream<DynamicTest> sevenByTwentyFourIsPlainAddition(TestInfo info) {
    return tries(info, c -> assertEquals(c.start().plus(c.a()), BusinessCalendar.always().addWorkingTime(c.start(), c.a())));
  }

  @TestFactory
  Stream<DynamicTest> theClockHasRunExactlyTheTargetAtItsDue(TestInfo info) {
    return tries(info, c -> {
      Instant due = SlaClock.due(c.start(), c.a(), c.cal(), c.pauses());
      if (due != null) assertEquals(c.a(), SlaClock.elapsed(c.start(), due, c.cal(), c.pauses()));
      else assertTrue(c.pauses().stream().anyMatch(p -> p.end() == null), "no due only with an open pause");
    });
  }

  @TestFactory
  Stream<DynamicTest> elapsedPlusPausedIsTheCalendarsWorkingTime(TestInfo info) {
    return tries(info, c -> assertEquals(c.cal().workingTimeBetween(c.start(), c.later()),
        SlaClock.elapsed(c.start(), c.later(), c.cal(), c.pauses()).plus(SlaClock.paused(c.start(), c.later(), c.cal(), c.pauses()))));
  }

  @TestFactory
  Stream<DynamicTest> pausesNeverBringTheDueForward(TestInfo info) {
    return tries(info, c -> {
      Instant due = SlaClock.due(c.start(), c.a(), c.cal(), c.pauses());
      if (due != null) assertFalse(due.isBefore(c.cal().addWorkingTime(c.start(), c.a())));
    });
  }

  @TestFactory
  Stream<DynamicTest> holidaysHaveNoWorkingTimeAndMakeUpDaysTheStandardDay(TestInfo info) {
    return tries(info, c -> {
      if (!(c.cal() instanceof WeeklyCalendar w)) return;
      for (LocalDate d : w.holidays()) {
        assertEquals(Duration.ZERO, w.workingTimeBetween(d.atStartOfDay(w.zone()).toInstant(), d.plusDays(1).atStartOfDay(w.zone()).toInstant()), d.toString());
      }
      List<LocalTimeRange> standard = w.hours().get(DayOfWeek.MONDAY);
      for (DayOfWeek day : DayOfWeek.values()) if (standard == null) standard = w.hours().get(day);
      for (LocalDate d : w.workdays()) assertEquals(standard, w.rangesOf(d), d + " works the standard day");
    });
  }
}
