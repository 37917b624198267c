package io.vigil.rules.mute;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.Labels;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MaintenanceWindowTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static MaintenanceWindow window(ZoneId zone, EnumSet<DayOfWeek> days, String start, String end) {
    return new MaintenanceWindow("w", "acme", null, days, LocalTime.parse(start), LocalTime.parse(end), zone, "c", "noc");
  }

  /** Saturday 22:00 to 02:00 in Shanghai (UTC+8): Sat 14:00Z to Sat 18:00Z. */
  static Stream<Arguments> crossingMidnightInShanghai() {
    return Stream.of(
        Arguments.of("just before start", "2026-11-21T13:59:59Z", false),
        Arguments.of("start is inclusive", "2026-11-21T14:00:00Z", true),
        Arguments.of("local Sunday 01:00, still Saturday's window", "2026-11-21T17:00:00Z", true),
        Arguments.of("end is exclusive", "2026-11-21T18:00:00Z", false),
        Arguments.of("Sunday 22:30 is not a window day", "2026-11-22T14:30:00Z", false),
        Arguments.of("next Saturday again", "2026-11-28T15:00:00Z", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("crossingMidnightInShanghai")
  void windowCrossingMidnightBelongsToTheDayItStarts(String name, String at, boolean active) {
    MaintenanceWindow w = window(SHANGHAI, EnumSet.of(DayOfWeek.SATURDAY), "22:00", "02:00");
    assertEquals(active, w.activeAt(Instant.parse(at)).isPresent(), name);
  }

  @Test
  void equalStartAndEndMeansTwentyFourHours() {
    MaintenanceWindow w = window(SHANGHAI, EnumSet.of(DayOfWeek.MONDAY), "06:00", "06:00");
    var o = w.occurrenceOn(LocalDate.of(2026, 11, 23)).orElseThrow();
    assertEquals(Duration.ofHours(24), Duration.between(o.from(), o.until()));
  }

  @Test
  void berlinSpringForwardShortensAWindowAcrossTheGap() {
    // 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST.
    MaintenanceWindow w = window(BERLIN, EnumSet.of(DayOfWeek.SUNDAY), "01:00", "04:00");
    var o = w.occurrenceOn(LocalDate.of(2026, 3, 29)).orElseThrow();
    assertEquals(Instant.parse("2026-03-29T00:00:00Z"), o.from()); // 01:00 CET
    assertEquals(Instant.parse("2026-03-29T02:00:00Z"), o.until()); // 04:00 CEST
    assertEquals(Duration.ofHours(2), Duration.between(o.from(), o.until()));
    // A week later the same window is three real hours again.
    var next = w.occurrenceOn(LocalDate.of(2026, 4, 5)).orElseThrow();
    assertEquals(Duration.ofHours(3), Duration.between(next.from(), next.until()));
  }

  @Test
  void berlinStartInsideTheGapMovesLaterByTheGap() {
    MaintenanceWindow w = window(BERLIN, EnumSet.of(DayOfWeek.SUNDAY), "02:30", "05:00");
    var o = w.occurrenceOn(LocalDate.of(2026, 3, 29)).orElseThrow();
    assertEquals(Instant.parse("2026-03-29T01:30:00Z"), o.from()); // 03:30 CEST
    assertEquals(Instant.parse("2026-03-29T03:00:00Z"), o.until());
    // Wholly inside the gap: both ends move an hour later, so the window still happens (03:15-03:45 CEST).
    MaintenanceWindow gap = window(BERLIN, EnumSet.of(DayOfWeek.SUNDAY), "02:15", "02:45");
    var g = gap.occurrenceOn(LocalDate.of(2026, 3, 29)).orElseThrow();
    assertEquals(Instant.parse("2026-03-29T01:15:00Z"), g.from());
    assertEquals(Duration.ofMinutes(30), Duration.between(g.from(), g.until()));
  }

  @Test
  void berlinFallBackLengthensAWindowAcrossTheOverlap() {
    // 2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET.
    MaintenanceWindow w = window(BERLIN, EnumSet.of(DayOfWeek.SUNDAY), "01:00", "04:00");
    var o = w.occurrenceOn(LocalDate.of(2026, 10, 25)).orElseThrow();
    assertEquals(Instant.parse("2026-10-24T23:00:00Z"), o.from()); // 01:00 CEST
    assertEquals(Instant.parse("2026-10-25T03:00:00Z"), o.until()); // 04:00 CET
    assertEquals(Duration.ofHours(4), Duration.between(o.from(), o.until()));
    assertTrue(w.activeAt(Instant.parse("2026-10-25T02:30:00Z")).isPresent()); // 03:30 CET, inside
  }

  @Test
  void berlinAmbiguousStartTakesTheEarlierOffset() {
    MaintenanceWindow w = window(BERLIN, EnumSet.of(DayOfWeek.SUNDAY), "02:30", "03:30");
    var o = w.occurrenceOn(LocalDate.of(2026, 10, 25)).orElseThrow();
    assertEquals(Instant.parse("2026-10-25T00:30:00Z"), o.from()); // 02:30 CEST, the first 02:30
    assertEquals(Instant.parse("2026-10-25T02:30:00Z"), o.until()); // 03:30 CET
  }

  @Test
  void shanghaiHistoricalDstIsHonouredAndCrossingMidnightWorksAcrossIt() {
    // China kept DST until 1991: on Sunday 1991-04-14 02:00 +08 became 03:00 +09.
    MaintenanceWindow w = window(SHANGHAI, EnumSet.allOf(DayOfWeek.class), "23:00", "04:00");
    var o = w.occurrenceOn(LocalDate.of(1991, 4, 13)).orElseThrow();
    assertEquals(Instant.parse("1991-04-13T15:00:00Z"), o.from()); // 23:00 +08
    assertEquals(Instant.parse("1991-04-13T19:00:00Z"), o.until()); // 04:00 +09
    assertEquals(Duration.ofHours(4), Duration.between(o.from(), o.until()));
    // On 1991-09-15 02:00 +09 fell back to 01:00 +08: the same window lasts six hours.
    var autumn = w.occurrenceOn(LocalDate.of(1991, 9, 14)).orElseThrow();
    assertEquals(Duration.ofHours(6), Duration.between(autumn.from(), autumn.until()));
    // And today Shanghai is a fixed UTC+8: every night is five hours.
    var now = w.occurrenceOn(LocalDate.of(2026, 3, 28)).orElseThrow();
    assertEquals(Duration.ofHours(5), Duration.between(now.from(), now.until()));
  }

  @Test
  void nextBoundaryFindsStartsAndEndsAcrossTheWeekAndDst() {
    MaintenanceWindow w = window(BERLIN, EnumSet.of(DayOfWeek.SUNDAY), "01:00", "04:00");
    Instant friday = Instant.parse("2026-03-27T12:00:00Z");
    assertEquals(Instant.parse("2026-03-29T00:00:00Z"), w.nextBoundary(friday));
    assertEquals(Instant.parse("2026-03-29T02:00:00Z"), w.nextBoundary(Instant.parse("2026-03-29T00:00:00Z")));
    assertEquals(Instant.parse("2026-04-04T23:00:00Z"), w.nextBoundary(Instant.parse("2026-03-29T02:00:00Z")));
  }

  @Test
  void selectsByCustomerAndOptionalSystem() {
    MaintenanceWindow all = window(SHANGHAI, EnumSet.of(DayOfWeek.MONDAY), "01:00", "02:00");
    MaintenanceWindow crm = new MaintenanceWindow("w", "acme", "crm", EnumSet.of(DayOfWeek.MONDAY), LocalTime.of(1, 0),
        LocalTime.of(2, 0), SHANGHAI, "c", "n");
    assertTrue(all.selects(Labels.of("customer", "acme", "system", "erp")));
    assertFalse(all.selects(Labels.of("customer", "globex", "system", "erp")));
    assertFalse(all.selects(Labels.of("system", "erp")));
    assertTrue(crm.selects(Labels.of("customer", "acme", "system", "crm")));
    assertFalse(crm.selects(Labels.of("customer", "acme", "system", "erp")));
  }

  @Test
  void refusesAWindowWithoutDays() {
    assertThrows(IllegalArgumentException.class, () -> window(SHANGHAI, EnumSet.noneOf(DayOfWeek.class), "01:00", "02:00"));
  }

  @Test
  void occurrencesBetweenListsEveryOverlappingOneInOrderIncludingOneRunningAtTheStart() {
    // Saturdays 22:00-02:00 Shanghai = Sat 14:00Z-18:00Z. From Sat 2026-11-21 15:00Z (inside one) for 15 days.
    MaintenanceWindow w = window(SHANGHAI, EnumSet.of(DayOfWeek.SATURDAY), "22:00", "02:00");
    Instant from = Instant.parse("2026-11-21T15:00:00Z");
    var list = w.occurrencesBetween(from, from.plus(Duration.ofDays(15)));
    assertEquals(3, list.size(), list.toString());
    assertEquals(Instant.parse("2026-11-21T14:00:00Z"), list.get(0).from(), "the one running at the start");
    assertEquals(Instant.parse("2026-11-28T14:00:00Z"), list.get(1).from());
    assertEquals(Instant.parse("2026-12-05T18:00:00Z"), list.get(2).until());
    assertTrue(w.occurrencesBetween(Instant.parse("2026-11-21T18:00:00Z"), Instant.parse("2026-11-28T14:00:00Z")).isEmpty(),
        "between two occurrences, ends exclusive");
  }
}
