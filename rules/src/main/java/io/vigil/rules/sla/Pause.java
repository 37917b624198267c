package io.vigil.rules.sla;

import java.time.Instant;

/** A stretch during which a ticket's clocks do not run; {@code end == null}: paused now. */
public record Pause(Instant start, Instant end) {
  public Pause {
    if (start == null) throw new IllegalArgumentException("a pause needs a start");
    if (end != null && end.isBefore(start)) throw new IllegalArgumentException("pause ends before it starts: " + start + " / " + end);
  }
}
