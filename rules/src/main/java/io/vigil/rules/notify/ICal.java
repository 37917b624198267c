package io.vigil.rules.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An on-call schedule as an iCalendar (RFC 5545) text that calendar apps subscribe to. Pure: the caller
 * serves it (as {@code text/calendar; charset=utf-8}). Thread-safe.
 *
 * <p>Times are UTC ({@code DTSTART:20260105T010000Z}), so no {@code VTIMEZONE} is needed and every
 * client shows the shift in its own zone. Lines end in CRLF and are folded at 75 octets (§3.1) without
 * splitting a UTF-8 character; TEXT values are escaped (§3.3.11). An event's {@code UID} is a hash of
 * schedule, person and start, so re-exporting (or a subscription refresh) updates events instead of
 * duplicating them; pass whole shifts ({@link Schedule#shiftsOverlapping}) rather than shifts cut at
 * the range, whose first start would move with the range.
 */
public final class ICal {
  public static final String PRODID = "-//Vigil//On-call//EN";
  private static final String CRLF = "\r\n";
  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final int MAX_OCTETS = 75;

  private ICal() {}

  /**
   * One {@code VEVENT} per shift, {@code SUMMARY:On call: <name>} (the person id when {@code people} does
   * not know it). {@code dtstamp} is the export time, passed in because this module has no clock.
   */
  public static String export(Schedule schedule, List<OnCallShift> shifts, Map<String, Person> people, Instant dtstamp) {
    StringBuilder b = new StringBuilder();
    line(b, "BEGIN:VCALENDAR");
    line(b, "VERSION:2.0");
    line(b, "PRODID:" + PRODID);
    line(b, "CALSCALE:GREGORIAN");
    line(b, "METHOD:PUBLISH");
    // Not in RFC 5545, but Apple, Google and Outlook show it as the calendar's name.
    line(b, "X-WR-CALNAME:" + escapeText("On call: " + schedule.name()));
    for (OnCallShift s : shifts) {
      Person p = people.get(s.person());
      String name = p == null ? s.person() : p.name();
      line(b, "BEGIN:VEVENT");
      line(b, "UID:" + uid(schedule.name(), s.person(), s.start()));
      line(b, "DTSTAMP:" + utc(dtstamp));
      line(b, "DTSTART:" + utc(s.start()));
      line(b, "DTEND:" + utc(s.end()));
      line(b, "SUMMARY:" + escapeText("On call: " + name));
      line(b, "DESCRIPTION:" + escapeText(description(schedule, s, p)));
      line(b, "TRANSP:TRANSPARENT");
      line(b, "END:VEVENT");
    }
    line(b, "END:VCALENDAR");
    return b.toString();
  }

  private static String description(Schedule schedule, OnCallShift s, Person p) {
    StringBuilder d = new StringBuilder("Schedule ").append(schedule.name()).append(", ");
    if (s.source().kind() == OnCallShift.Kind.LAYER && s.source().index() < schedule.layers().size()) {
      String layer = schedule.layers().get(s.source().index()).name();
      d.append(layer == null ? s.source().toString() : "layer " + layer);
    } else if (s.source().kind() == OnCallShift.Kind.OVERRIDE && s.source().index() < schedule.overrides().size()) {
      String note = schedule.overrides().get(s.source().index()).note();
      d.append("override").append(note == null ? "" : ": " + note);
    } else {
      d.append(s.source());
    }
    if (p != null && p.phone() != null) d.append("\nPhone: ").append(p.phone());
    return d.toString();
  }

  /** Seconds are enough for a calendar; sub-second parts are dropped. */
  static String utc(Instant t) {
    return UTC.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /** {@code <32 hex digits of SHA-256(schedule, person, start)>@vigil}: stable across exports. */
  static String uid(String schedule, String person, Instant start) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] h = md.digest((schedule + "\n" + person + "\n" + start).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 16) + "@vigil";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** RFC 5545 §3.3.11: backslash, semicolon and comma escaped; CR, LF and CRLF become {@code \n}. */
  static String escapeText(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case ';' -> b.append("\\;");
        case ',' -> b.append("\\,");
        case '\n' -> b.append("\\n");
        case '\r' -> {
          b.append("\\n");
          if (i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
        }
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static void line(StringBuilder b, String content) {
    b.append(fold(content)).append(CRLF);
  }

  /**
   * RFC 5545 §3.1: a line longer than 75 octets continues on the next line after CRLF and one space.
   * The first line carries 75 octets, each continuation 74 after its space. Cuts fall between code
   * points, so a three-octet 张 or a four-octet emoji is never split.
   */
  static String fold(String content) {
    StringBuilder out = new StringBuilder(content.length() + 8);
    int octets = 0;
    for (int i = 0; i < content.length(); ) {
      int cp = content.codePointAt(i);
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (octets + n > MAX_OCTETS) {
        out.append(CRLF).append(' ');
        octets = 1;
      }
      out.appendCodePoint(cp);
      octets += n;
      i += Character.charCount(cp);
    }
    return out.toString();
  }
}
