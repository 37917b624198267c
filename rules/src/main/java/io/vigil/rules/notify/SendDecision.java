package io.vigil.rules.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * "Should this group be sent (again) now?" as a pure function of what was last sent, what the
 * group holds now and the route's intervals. Immutable.
 *
 * <table>
 *   <caption>the decision</caption>
 *   <tr><th>last sent</th><th>content</th><th>now</th><th>decision</th></tr>
 *   <tr><td>never</td><td>any</td><td>any</td><td>FIRST</td></tr>
 *   <tr><td>at t</td><td>changed</td><td>&ge; t + group_interval</td><td>CHANGED</td></tr>
 *   <tr><td>at t</td><td>changed</td><td>&lt; t + group_interval</td><td>WAIT until t + group_interval</td></tr>
 *   <tr><td>at t</td><td>unchanged</td><td>&ge; t + repeat_interval</td><td>REPEAT</td></tr>
 *   <tr><td>at t</td><td>unchanged</td><td>&lt; t + repeat_interval</td><td>WAIT until t + repeat_interval</td></tr>
 * </table>
 *
 * "Changed" compares {@link Flush#contentHash} values: a new alert, one resolving or one firing
 * again; annotation edits alone are not news (as in Alertmanager).
 *
 * @param notBefore for {@code WAIT}, the earliest instant the answer can change; null otherwise
 */
public record SendDecision(Kind kind, Instant notBefore) {
  public enum Kind {
    FIRST, CHANGED, REPEAT, WAIT;

    public boolean sends() {
      return this != WAIT;
    }
  }

  public static SendDecision decide(Instant lastSentAt, String lastSentHash, String currentHash, Duration repeatInterval,
      Duration groupInterval, Instant now) {
    Objects.requireNonNull(currentHash);
    Objects.requireNonNull(now);
    if (lastSentAt == null) return new SendDecision(Kind.FIRST, null);
    if (!currentHash.equals(lastSentHash)) {
      Instant at = lastSentAt.plus(groupInterval);
      return now.isBefore(at) ? new SendDecision(Kind.WAIT, at) : new SendDecision(Kind.CHANGED, null);
    }
    Instant at = lastSentAt.plus(repeatInterval);
    return now.isBefore(at) ? new SendDecision(Kind.WAIT, at) : new SendDecision(Kind.REPEAT, null);
  }

  public Flush.Reason reason() {
    return switch (kind) {
      case FIRST -> Flush.Reason.FIRST;
      case CHANGED -> Flush.Reason.CHANGED;
      case REPEAT -> Flush.Reason.REPEAT;
      case WAIT -> throw new IllegalStateException("a WAIT decision sends nothing");
    };
  }
}
