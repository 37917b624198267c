package io.vigil.rules.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One person on call over {@code [start, end)}. Immutable.
 *
 * @param source which layer or override puts {@code person} on call: for {@link Schedule#at} the one
 *               active at the asked instant, for {@link Schedule#shifts} the one active at {@code start}
 *               (a shift merges consecutive stretches of the same person, which may come from
 *               different layers or overrides)
 */
public record OnCallShift(String person, Instant start, Instant end, Source source) {
  public OnCallShift {
    Objects.requireNonNull(person);
    Objects.requireNonNull(source);
    if (!end.isAfter(start)) throw new IllegalArgumentException("shift ends at " + end + ", not after its start " + start);
  }

  public enum Kind { LAYER, OVERRIDE }

  /** {@code index} is the position in {@link Schedule#layers()} or {@link Schedule#overrides()}. */
  public record Source(Kind kind, int index) {
    public static Source layer(int index) {
      return new Source(Kind.LAYER, index);
    }

    public static Source override(int index) {
      return new Source(Kind.OVERRIDE, index);
    }

    @Override
    public String toString() {
      return (kind == Kind.LAYER ? "layers[" : "overrides[") + index + "]";
    }
  }

  public boolean covers(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }

  public Duration length() {
    return Duration.between(start, end);
  }

  OnCallShift withSource(Source s) {
    return new OnCallShift(person, start, end, s);
  }

  OnCallShift withEnd(Instant e) {
    return new OnCallShift(person, start, e, source);
  }
}
