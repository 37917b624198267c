package io.vigil.rules.mute;

import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A time-bounded mute for the faults its matchers select, in Alertmanager's shape. Immutable.
 * A silence selects a fault when <em>all</em> its matchers match the fault's labels plus the
 * pseudo-labels {@code severity} and {@code alertname} (see {@link Muter#matchLabels}).
 *
 * @param id        null in a draft that has not been stored yet
 * @param startsAt  inclusive
 * @param endsAt    exclusive
 */
public record Silence(String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy, String comment) {
  /** Alertmanager's silence states. */
  public enum State {
    PENDING, ACTIVE, EXPIRED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State parse(String s) {
      for (State v : values()) if (v.wireName().equalsIgnoreCase(s)) return v;
      throw new IllegalArgumentException("state must be one of active, pending, expired, got '" + s + "'");
    }
  }

  public Silence {
    matchers = List.copyOf(matchers);
    Objects.requireNonNull(startsAt);
    Objects.requireNonNull(endsAt);
  }

  public State state(Instant now) {
    if (now.isBefore(startsAt)) return State.PENDING;
    return now.isBefore(endsAt) ? State.ACTIVE : State.EXPIRED;
  }

  public boolean activeAt(Instant now) {
    return state(now) == State.ACTIVE;
  }

  /** All matchers match (an empty list never matches: a silence must say what it mutes). */
  public boolean matches(Labels labels) {
    if (matchers.isEmpty()) return false;
    for (Matcher m : matchers) if (!m.matches(labels)) return false;
    return true;
  }

  public Silence withId(String newId) {
    return new Silence(newId, matchers, startsAt, endsAt, createdBy, comment);
  }

  /** Alertmanager's matcher shape: {@code {"name","value","isRegex","isEqual"}}. Regexes are anchored. */
  public static Matcher matcher(String name, String value, boolean isRegex, boolean isEqual) {
    Matcher.Type type = isRegex ? (isEqual ? Matcher.Type.RE : Matcher.Type.NRE) : (isEqual ? Matcher.Type.EQ : Matcher.Type.NE);
    return Matcher.of(name, type, value);
  }

  public static boolean isRegex(Matcher m) {
    return m.type() == Matcher.Type.RE || m.type() == Matcher.Type.NRE;
  }

  public static boolean isEqual(Matcher m) {
    return m.type() == Matcher.Type.EQ || m.type() == Matcher.Type.RE;
  }
}
