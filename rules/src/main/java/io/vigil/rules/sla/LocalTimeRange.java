package io.vigil.rules.sla;

import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Working hours of one day in local time, {@code [start, end)}. An {@code end} of {@code 00:00}
 * means midnight at the end of the day (written {@code 24:00}).
 */
public record LocalTimeRange(LocalTime start, LocalTime end) {
  public LocalTimeRange {
    if (!toEndOfDay(end) && !start.isBefore(end)) {
      throw new IllegalArgumentException("working hours " + start + "-" + end + " end before they start");
    }
  }

  /** True when the range runs to the end of the day. */
  public boolean toEndOfDay() {
    return toEndOfDay(end);
  }

  private static boolean toEndOfDay(LocalTime end) {
    return end.equals(LocalTime.MIDNIGHT);
  }

  /** Nominal length (local clock; DST days may differ). */
  public java.time.Duration length() {
    return toEndOfDay() ? java.time.Duration.between(start, LocalTime.MAX).plusNanos(1) : java.time.Duration.between(start, end);
  }

  /** {@code "09:00-12:00,13:00-18:00"}; {@code 24:00} ends a day. Sorted, not overlapping. */
  public static List<LocalTimeRange> parseList(String text) {
    if (text == null || text.isBlank()) throw new IllegalArgumentException("empty working hours; write e.g. 09:00-12:00,13:00-18:00");
    List<LocalTimeRange> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] se = part.trim().split("-");
      if (se.length != 2) throw new IllegalArgumentException("working hours '" + part.trim() + "' in '" + text + "': write HH:MM-HH:MM");
      try {
        LocalTime s = LocalTime.parse(se[0].trim());
        String e = se[1].trim();
        out.add(new LocalTimeRange(s, e.equals("24:00") ? LocalTime.MIDNIGHT : LocalTime.parse(e)));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("working hours '" + part.trim() + "' in '" + text + "': write HH:MM-HH:MM (00:00 to 24:00)");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " (in '" + text + "')");
      }
    }
    out.sort(Comparator.comparing(LocalTimeRange::start));
    for (int i = 1; i < out.size(); i++) {
      LocalTimeRange prev = out.get(i - 1);
      if (prev.toEndOfDay() || out.get(i).start().isBefore(prev.end())) {
        throw new IllegalArgumentException("working hours overlap in '" + text + "'");
      }
    }
    return List.copyOf(out);
  }

  @Override
  public String toString() {
    return start + "-" + (toEndOfDay() ? "24:00" : end.toString());
  }
}
