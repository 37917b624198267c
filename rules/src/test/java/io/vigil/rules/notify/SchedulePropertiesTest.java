package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.expr.Trials;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;

/**
 * Properties of random schedules over a whole year, in zones with and without DST: an unrestricted
 * base layer, restricted layers over it (windows at half hours, so some start or end in DST gaps) and
 * overlapping overrides, checked against a naive oracle that walks every handoff from the start.
 */
class SchedulePropertiesTest {
  private static final List<ZoneId> ZONES = List.of(ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"),
      ZoneId.of("Asia/Shanghai"), ZoneId.of("Australia/Lord_Howe"));
  private static final Instant YEAR = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant YEAR_END = Instant.parse("2027-01-01T00:00:00Z");
  private static final List<String> POOL = List.of("a", "b", "c", "d", "e");

  record Case(Schedule schedule, List<Instant> probes) {
    @Override
    public String toString() {
      return schedule.toString();
    }
  }

  record Range(Schedule schedule, Instant from, Instant to) {}

  static Case generate(Random r) {
    ZoneId zone = ZONES.get(r.nextInt(ZONES.size()));
    List<Rotation> layers = new ArrayList<>();
    layers.add(rotation(r, LocalDateTime.of(2025, 1 + r.nextInt(12), 1 + r.nextInt(28), r.nextInt(24), 30 * r.nextInt(2))));
    int extra = r.nextInt(3);
    for (int i = 0; i < extra; i++) {
      Rotation l = rotation(r, LocalDateTime.of(2025 + r.nextInt(2), 1 + r.nextInt(12), 1 + r.nextInt(28), r.nextInt(24), 0));
      List<RotationRestriction> windows = new ArrayList<>();
      for (int w = 0, n = 1 + r.nextInt(2); w < n; w++) {
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (DayOfWeek d : DayOfWeek.values()) if (r.nextInt(3) > 0) days.add(d);
        if (days.isEmpty()) days.add(DayOfWeek.SATURDAY);
        windows.add(new RotationRestriction(days, halfHour(r), halfHour(r)));
      }
      layers.add(l.withRestrict(windows));
    }
    List<ScheduleOverride> overrides = new ArrayList<>();
    for (int i = 0, n = r.nextInt(4); i < n; i++) {
      Instant from = YEAR.plus(Duration.ofMinutes(r.nextInt(365 * 24 * 60)));
      overrides.add(new ScheduleOverride(POOL.get(r.nextInt(POOL.size())), from, from.plus(Duration.ofMinutes(30 + r.nextInt(10 * 24 * 60))), null));
    }
    Schedule s = new Schedule("p", zone, layers, overrides);
    List<Instant> probes = new ArrayList<>();
    for (int i = 0; i < 150; i++) probes.add(YEAR.plusSeconds(r.nextLong(Duration.between(YEAR, YEAR_END).toSeconds())));
    // Around this zone's DST changes, where wall-clock handoffs and windows are most likely wrong.
    var rules = zone.getRules();
    for (var t = rules.nextTransition(YEAR); t != null && t.getInstant().isBefore(YEAR_END); t = rules.nextTransition(t.getInstant())) {
      for (int m = -120; m <= 120; m += 15) probes.add(t.getInstant().plus(Duration.ofMinutes(m)));
    }
    return new Case(s, probes);
  }

  private static LocalTime halfHour(Random r) {
    return LocalTime.of(r.nextInt(24), 30 * r.nextInt(2));
  }

  private static Rotation rotation(Random r, LocalDateTime start) {
    List<String> people = new ArrayList<>();
    for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) people.add(POOL.get(r.nextInt(POOL.size())));
    return switch (r.nextInt(3)) {
      case 0 -> new Rotation(null, people, Rotation.Period.DAILY, halfHour(r), null, start, List.of());
      case 1 -> new Rotation(null, people, Rotation.Period.WEEKLY, halfHour(r), DayOfWeek.of(1 + r.nextInt(7)), start, List.of());
      default -> new Rotation(null, people, Rotation.Period.every(Duration.ofHours(List.of(3, 8, 12, 36).get(r.nextInt(4)))), null, null, start, List.of());
    };
  }

  /** Who the naive reading of the config puts on call at {@code t}, and why. */
  static OnCallShift.Source oracleSource(Schedule s, Instant t) {
    for (int i = s.overrides().size() - 1; i >= 0; i--) {
      ScheduleOverride o = s.overrides().get(i);
      if (!t.isBefore(o.from()) && t.isBefore(o.to())) return OnCallShift.Source.override(i);
    }
    for (int i = s.layers().size() - 1; i >= 0; i--) {
      Rotation l = s.layers().get(i);
      if (naiveTurn(l, s.zone(), t) != null && naiveWindow(l, s.zone(), t)) return OnCallShift.Source.layer(i);
    }
    return null;
  }

  static String oracle(Schedule s, Instant t) {
    OnCallShift.Source src = oracleSource(s, t);
    if (src == null) return null;
    return src.kind() == OnCallShift.Kind.OVERRIDE ? s.overrides().get(src.index()).person()
        : naiveTurn(s.layers().get(src.index()), s.zone(), t);
  }

  /** Counts every handoff from the start up to {@code t}, one by one. */
  static String naiveTurn(Rotation l, ZoneId zone, Instant t) {
    Instant first = ZonedDateTime.of(l.start(), zone).toInstant();
    if (t.isBefore(first)) return null;
    long k = 0;
    if (l.period().kind() == Rotation.Kind.EVERY) {
      while (!ZonedDateTime.of(l.start().plus(l.period().length().multipliedBy(k + 1)), zone).toInstant().isAfter(t)) k++;
    } else {
      for (LocalDate d = l.start().toLocalDate(); ; d = d.plusDays(1)) {
        if (l.period().kind() == Rotation.Kind.WEEKLY && d.getDayOfWeek() != l.handoffDay()) continue;
        Instant h = ZonedDateTime.of(d, l.handoff(), zone).toInstant();
        if (!h.isAfter(first)) continue;
        if (h.isAfter(t)) break;
        k++;
      }
    }
    return l.people().get((int) (k % l.people().size()));
  }

  static boolean naiveWindow(Rotation l, ZoneId zone, Instant t) {
    if (l.restrict().isEmpty()) return true;
    LocalDate today = t.atZone(zone).toLocalDate();
    for (RotationRestriction w : l.restrict()) {
      for (LocalDate d = today.minusDays(1); !d.isAfter(today); d = d.plusDays(1)) {
        if (!w.days().contains(d.getDayOfWeek())) continue;
        Instant s = ZonedDateTime.of(d, w.start(), zone).toInstant();
        Instant e = ZonedDateTime.of(w.end().isAfter(w.start()) ? d : d.plusDays(1), w.end(), zone).toInstant();
        if (!t.isBefore(s) && t.isBefore(e)) return true;
      }
    }
    return false;
  }

  @TestFactory
  Stream<DynamicTest> exactlyOnePersonIsOnCallAtEveryInstantOfAYearWhenTheBaseLayerCoversIt(TestInfo info) {
    return Trials.of(info, 30, SchedulePropertiesTest::generate, c -> {
      List<OnCallShift> year = c.schedule().shifts(YEAR, YEAR_END);
      assertEquals(YEAR, year.get(0).start(), "the year starts covered");
      assertEquals(YEAR_END, year.get(year.size() - 1).end(), "the year ends covered");
      for (int i = 1; i < year.size(); i++) {
        assertEquals(year.get(i - 1).end(), year.get(i).start(), "no gap and no overlap at " + year.get(i));
        assertNotEquals(year.get(i - 1).person(), year.get(i).person(), "same person continuing is merged at " + year.get(i));
      }
      int i = 0;
      List<Instant> sorted = c.probes().stream().sorted().toList();
      for (Instant t : sorted) {
        while (!year.get(i).covers(t)) i++;
        String expected = oracle(c.schedule(), t);
        assertEquals(expected, year.get(i).person(), "shifts() at " + t);
        OnCallShift at = c.schedule().at(t).orElseThrow(() -> new AssertionError("nobody at " + t));
        assertEquals(expected, at.person(), "at() at " + t);
        assertEquals(oracleSource(c.schedule(), t), at.source(), "source at " + t);
        assertTrue(at.covers(t));
      }
    });
  }

  @TestFactory
  Stream<DynamicTest> shiftsOfAnyRangeAreTheYearsShiftsCutToIt(TestInfo info) {
    return Trials.of(info, 30, r -> {
      Case c = generate(r);
      Instant from = YEAR.plusSeconds(r.nextInt(300 * 86_400));
      return new Range(c.schedule(), from, from.plusSeconds(1 + r.nextInt(40 * 86_400)));
    }, range -> {
      Schedule s = range.schedule();
      Instant from = range.from();
      Instant to = range.to();
      List<OnCallShift> expected = new ArrayList<>();
      for (OnCallShift sh : s.shifts(YEAR, YEAR_END)) {
        if (!sh.end().isAfter(from) || !sh.start().isBefore(to)) continue;
        Instant a = sh.start().isBefore(from) ? from : sh.start();
        Instant b = sh.end().isAfter(to) ? to : sh.end();
        expected.add(new OnCallShift(sh.person(), a, b, sh.source()));
      }
      List<OnCallShift> actual = s.shifts(from, to);
      assertEquals(expected.stream().map(x -> x.person() + "@" + x.start() + "-" + x.end()).toList(),
          actual.stream().map(x -> x.person() + "@" + x.start() + "-" + x.end()).toList());
    });
  }
}
