package io.vigil.rules.notify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns escalation targets into whom to page at an instant, against one {@link OnCallConfig}.
 * Immutable and thread-safe; never blocks. On a config reload, make a new resolver.
 */
public final class OnCallResolver {
  private final OnCallConfig config;

  public OnCallResolver(OnCallConfig config) {
    this.config = Objects.requireNonNull(config);
  }

  /**
   * The people {@code target} means at {@code at}: a schedule's person on call then, a person themself,
   * nobody for a receiver target. Empty for a schedule means nobody is on call at that instant (a gap
   * in the layers, or an unknown schedule): the caller skips the step and records "nobody on call".
   */
  public List<Person> resolve(EscalationTarget target, Instant at) {
    if (target instanceof EscalationTarget.ScheduleTarget s) {
      return config.schedule(s.schedule()).flatMap(x -> x.at(at)).flatMap(shift -> config.person(shift.person()))
          .map(List::of).orElse(List.of());
    }
    if (target instanceof EscalationTarget.PersonTarget p) return config.person(p.person()).map(List::of).orElse(List.of());
    return List.of();
  }

  /**
   * The receiver names to notify for {@code target} at {@code at}: the pager receiver of each resolved
   * person (people without one are left out: check {@link #resolve} to report them), or the receiver
   * itself for a receiver target.
   */
  public List<String> receivers(EscalationTarget target, Instant at) {
    if (target instanceof EscalationTarget.ReceiverTarget r) return List.of(r.receiver());
    return resolve(target, at).stream().map(Person::receiver).filter(Objects::nonNull).distinct().toList();
  }

  /** The shift behind a schedule target at {@code at} (for "paged X, on call until Y" messages). */
  public Optional<OnCallShift> shift(EscalationTarget.ScheduleTarget target, Instant at) {
    return config.schedule(target.schedule()).flatMap(s -> s.at(at));
  }
}
