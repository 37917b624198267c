package io.vigil.rules.notify;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ICalTest {
  static final Instant STAMP = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void shortLinesAreNotFolded() {
    assertEquals("VERSION:2.0", ICal.fold("VERSION:2.0"));
    String exactly75 = "X".repeat(75);
    assertEquals(exactly75, ICal.fold(exactly75));
  }

  @Test
  void longAsciiLineFoldsAt75OctetsThen74AfterTheSpace() {
    String line = "D".repeat(160);
    assertEquals("D".repeat(75) + "\r\n " + "D".repeat(74) + "\r\n " + "D".repeat(11), ICal.fold(line));
  }

  @Test
  void chineseNameIsFoldedBetweenCharactersNeverInsideOne() {
    // "SUMMARY:On call: " is 17 octets; each of these characters is 3. 17 + 19 × 3 = 74: a 20th would make 77.
    String name = "张伟李娜王强".repeat(5);
    String folded = ICal.fold("SUMMARY:On call: " + name);
    assertEquals("SUMMARY:On call: " + name.substring(0, 19) + "\r\n " + name.substring(19), folded);
    for (String part : folded.split("\r\n")) {
      byte[] octets = part.getBytes(StandardCharsets.UTF_8);
      assertTrue(octets.length <= 75, part);
      assertEquals(part, new String(octets, StandardCharsets.UTF_8), "each line is whole UTF-8");
    }
  }

  @Test
  void fourOctetCharactersAreKeptWhole() {
    // 73 ASCII octets, then a 4-octet emoji does not fit in 75: it starts the continuation line.
    String line = "A".repeat(73) + "😀" + "B";
    assertEquals("A".repeat(73) + "\r\n 😀B", ICal.fold(line));
  }

  @Test
  void textEscapesBackslashSemicolonCommaAndEveryNewline() {
    assertEquals("a\\\\b\\;c\\,d\\ne\\nf\\ng", ICal.escapeText("a\\b;c,d\ne\r\nf\rg"));
    assertEquals("张伟", ICal.escapeText("张伟"));
  }

  @Test
  void utcTimesDropSubSeconds() {
    assertEquals("20260105T010000Z", ICal.utc(Instant.parse("2026-01-05T01:00:00.999Z")));
  }

  @Test
  void uidDependsOnSchedulePersonAndStartOnly() {
    Instant t = Instant.parse("2026-01-05T01:00:00Z");
    String uid = ICal.uid("primary", "zhang", t);
    assertTrue(uid.matches("[0-9a-f]{32}@vigil"), uid);
    assertEquals(uid, ICal.uid("primary", "zhang", t));
    assertNotEquals(uid, ICal.uid("primary", "li", t));
    assertNotEquals(uid, ICal.uid("secondary", "zhang", t));
    assertNotEquals(uid, ICal.uid("primary", "zhang", t.plusSeconds(1)));
  }

  static Schedule primary() {
    return new Schedule("primary", ZoneId.of("Asia/Shanghai"),
        List.of(Rotation.weekly(List.of("zhang", "li"), DayOfWeek.MONDAY, LocalTime.of(9, 0), LocalDateTime.parse("2026-01-05T09:00"))),
        List.of(new ScheduleOverride("ghost", Instant.parse("2026-01-20T00:00:00Z"), Instant.parse("2026-01-20T02:00:00Z"), "换班, 临时")));
  }

  @Test
  void exportIsACrlfCalendarWithOneEventPerShift() {
    Schedule s = primary();
    List<OnCallShift> shifts = s.shifts(Instant.parse("2026-01-05T01:00:00Z"), Instant.parse("2026-01-19T01:00:00Z"));
    Map<String, Person> people = Map.of("zhang", new Person("zhang", "张伟", "+86 138 0013 8000", "sms", null),
        "li", new Person("li", "Li, Na; \"NOC\"", null, "sms", null));
    String expected = String.join("\r\n",
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Vigil//On-call//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:On call: primary",
        "BEGIN:VEVENT",
        "UID:" + ICal.uid("primary", "zhang", Instant.parse("2026-01-05T01:00:00Z")),
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20260105T010000Z",
        "DTEND:20260112T010000Z",
        "SUMMARY:On call: 张伟",
        "DESCRIPTION:Schedule primary\\, layers[0]\\nPhone: +86 138 0013 8000",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:" + ICal.uid("primary", "li", Instant.parse("2026-01-12T01:00:00Z")),
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20260112T010000Z",
        "DTEND:20260119T010000Z",
        "SUMMARY:On call: Li\\, Na\\; \"NOC\"",
        "DESCRIPTION:Schedule primary\\, layers[0]",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
        "");
    assertEquals(expected, ICal.export(s, shifts, people, STAMP));
  }

  @Test
  void unknownPersonShowsTheirIdAndOverrideNoteIsEscaped() {
    Schedule s = primary();
    List<OnCallShift> shifts = s.shifts(Instant.parse("2026-01-20T00:00:00Z"), Instant.parse("2026-01-20T02:00:00Z"));
    String ics = ICal.export(s, shifts, Map.of(), STAMP);
    assertTrue(ics.contains("\r\nSUMMARY:On call: ghost\r\n"), ics);
    assertTrue(ics.contains("\r\nDESCRIPTION:Schedule primary\\, override: 换班\\, 临时\r\n"), ics);
  }

  @Test
  void everyLineEndsInCrlfAndFitsIn75Octets() {
    Schedule s = primary();
    Person longName = new Person("zhang", "欧阳".repeat(40), null, null, null);
    String ics = ICal.export(s, s.shifts(Instant.parse("2026-01-05T01:00:00Z"), Instant.parse("2026-03-01T00:00:00Z")),
        Map.of("zhang", longName), STAMP);
    assertTrue(ics.endsWith("END:VCALENDAR\r\n"));
    assertFalse(ics.replace("\r\n", "").contains("\n"), "no bare LF");
    for (String line : ics.split("\r\n")) assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 75, line);
    // Unfolding (§3.1: drop CRLF followed by one space) gives the name back whole.
    assertTrue(ics.replace("\r\n ", "").contains("SUMMARY:On call: " + "欧阳".repeat(40) + "\r\n"));
  }

  @Test
  void uidsStayTheSameWhenTheExportedRangeMoves() {
    Schedule s = primary();
    List<OnCallShift> week2 = s.shiftsOverlapping(Instant.parse("2026-01-14T00:00:00Z"), Instant.parse("2026-01-15T00:00:00Z"));
    List<OnCallShift> weeks23 = s.shiftsOverlapping(Instant.parse("2026-01-13T00:00:00Z"), Instant.parse("2026-01-25T00:00:00Z"));
    String a = ICal.export(s, week2, Map.of(), STAMP);
    String b = ICal.export(s, weeks23, Map.of(), STAMP);
    String uid = "UID:" + ICal.uid("primary", "li", Instant.parse("2026-01-12T01:00:00Z"));
    assertTrue(a.contains(uid), a);
    assertTrue(b.contains(uid), b);
  }
}
