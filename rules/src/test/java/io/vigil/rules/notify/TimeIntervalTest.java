package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.rules.RuleFileException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class TimeIntervalTest {
  @SuppressWarnings("unchecked")
  static TimeInterval parse(String yaml, ZoneId zone) {
    return TimeInterval.parse((Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml), "time_intervals[0]", zone);
  }

  static final String OFFICE = """
      name: office
      time_intervals:
        - weekdays: ['monday:friday']
          times: [{start_time: '09:00', end_time: '18:00'}]
          location: Asia/Shanghai
      """;

  @Test
  void weekdaysAndTimesAreReadInTheLocation() {
    TimeInterval t = parse(OFFICE, ZoneOffset.UTC);
    assertTrue(t.contains(Instant.parse("2026-12-07T01:00:00Z")), "Monday 09:00 Shanghai: start is inclusive");
    assertFalse(t.contains(Instant.parse("2026-12-07T00:59:00Z")), "Monday 08:59 Shanghai");
    assertTrue(t.contains(Instant.parse("2026-12-07T09:59:00Z")), "Monday 17:59 Shanghai");
    assertFalse(t.contains(Instant.parse("2026-12-07T10:00:00Z")), "Monday 18:00 Shanghai: end is exclusive");
    assertTrue(t.contains(Instant.parse("2026-12-11T09:00:00Z")), "Friday 17:00 Shanghai");
    assertFalse(t.contains(Instant.parse("2026-12-12T02:00:00Z")), "Saturday 10:00 Shanghai");
    // Sunday 23:30 UTC is Monday 07:30 in Shanghai; Monday 17:00 UTC is Tuesday 01:00 there.
    assertFalse(t.contains(Instant.parse("2026-12-06T23:30:00Z")));
    assertTrue(t.contains(Instant.parse("2026-12-06T16:00:00Z").plusSeconds(3600 * 9)), "Monday 09:00 Shanghai = Monday 01:00 UTC");
  }

  @Test
  void weekdayIsTakenFromTheLocalDateNotUtc() {
    TimeInterval sunday = parse("""
        name: sunday
        time_intervals: [{weekdays: [sunday], location: Asia/Shanghai}]
        """, ZoneOffset.UTC);
    assertTrue(sunday.contains(Instant.parse("2026-12-05T16:30:00Z")), "Saturday 16:30 UTC is Sunday 00:30 in Shanghai");
    assertFalse(sunday.contains(Instant.parse("2026-12-06T16:30:00Z")), "Sunday 16:30 UTC is Monday in Shanghai");
  }

  @Test
  void noLocationMeansTheConfigurationsZone() {
    TimeInterval t = parse("""
        name: nights
        time_intervals: [{times: [{start_time: '22:00', end_time: '24:00'}]}]
        """, ZoneId.of("Asia/Shanghai"));
    assertEquals(ZoneId.of("Asia/Shanghai"), t.specs().get(0).location());
    assertTrue(t.contains(Instant.parse("2026-12-07T15:59:00Z")), "23:59 Shanghai");
    assertFalse(t.contains(Instant.parse("2026-12-07T16:00:00Z")), "00:00 Shanghai");
  }

  @Test
  void specsAreAlternativesAndEmptySpecIsAlways() {
    TimeInterval t = parse("""
        name: x
        time_intervals:
          - weekdays: [saturday]
          - weekdays: [sunday]
        """, ZoneOffset.UTC);
    assertTrue(t.contains(Instant.parse("2026-12-05T12:00:00Z")));
    assertTrue(t.contains(Instant.parse("2026-12-06T12:00:00Z")));
    assertFalse(t.contains(Instant.parse("2026-12-07T12:00:00Z")));
    assertTrue(parse("name: always\ntime_intervals: [{}]\n", ZoneOffset.UTC).contains(Instant.EPOCH));
  }

  @Test
  void daysOfMonthMonthsAndYears() {
    TimeInterval last = parse("name: last\ntime_intervals: [{days_of_month: ['-1'], months: ['december'], years: ['2026']}]\n", ZoneOffset.UTC);
    assertTrue(last.contains(Instant.parse("2026-12-31T12:00:00Z")));
    assertFalse(last.contains(Instant.parse("2026-12-30T12:00:00Z")));
    assertFalse(last.contains(Instant.parse("2027-12-31T12:00:00Z")));
  }

  @Test
  void nextChangeFindsTheNextBoundary() {
    TimeInterval t = parse(OFFICE, ZoneOffset.UTC);
    assertEquals(Instant.parse("2026-12-07T10:00:00Z"), t.nextChange(Instant.parse("2026-12-07T02:00:00Z")), "18:00 Shanghai");
  }

  @Test
  void badValuesAreRefusedWithPaths() {
    RuleFileException e = assertThrows(RuleFileException.class, () -> parse("""
        name: bad
        time_intervals:
          - weekdays: ['saturday:sunday', 'funday']
            times: [{start_time: '18:00', end_time: '09:00'}, {start_time: '25:00', end_time: '26:00'}]
            location: Mars/Olympus
        """, ZoneOffset.UTC));
    String p = String.join("\n", e.problems());
    assertTrue(p.contains("weekdays[0]: 'saturday:sunday': the range ends before it starts"), p);
    assertTrue(p.contains("weekdays[1]: 'funday' is not valid here"), p);
    assertTrue(p.contains("times[0]: start_time must be before end_time"), p);
    assertTrue(p.contains("times[1].start_time: '25:00' is not a time of day"), p);
    assertTrue(p.contains("location: 'Mars/Olympus' is not a time zone"), p);
  }

  @Test
  void toMapWritesNamesAndLocation() {
    Map<String, Object> m = parse(OFFICE, ZoneOffset.UTC).toMap();
    assertEquals("{name=office, time_intervals=[{times=[{start_time=09:00, end_time=18:00}], weekdays=[monday:friday], location=Asia/Shanghai}]}",
        m.toString());
  }
}
