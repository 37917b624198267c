package io.vigil.rules.notify;

import java.util.Map;
import java.util.Objects;

/**
 * Whom one escalation step pages: the current on-call person of a schedule, one person, or a receiver
 * directly (a team chat room, a PagerDuty bridge). Immutable. {@link OnCallResolver} turns a target into
 * people and receiver names at an instant.
 */
public sealed interface EscalationTarget {
  /** The YAML/JSON key that names this kind of target: {@code schedule}, {@code person} or {@code receiver}. */
  String key();

  /** The schedule name, person id or receiver name. */
  String ref();

  static EscalationTarget onCall(String schedule) {
    return new ScheduleTarget(schedule);
  }

  static EscalationTarget person(String id) {
    return new PersonTarget(id);
  }

  static EscalationTarget receiver(String name) {
    return new ReceiverTarget(name);
  }

  default Map<String, Object> toMap() {
    return Map.of(key(), ref());
  }

  /** Whoever is on call in {@code schedule} when the step fires. */
  record ScheduleTarget(String schedule) implements EscalationTarget {
    public ScheduleTarget {
      Objects.requireNonNull(schedule);
    }

    @Override
    public String key() {
      return "schedule";
    }

    @Override
    public String ref() {
      return schedule;
    }
  }

  record PersonTarget(String person) implements EscalationTarget {
    public PersonTarget {
      Objects.requireNonNull(person);
    }

    @Override
    public String key() {
      return "person";
    }

    @Override
    public String ref() {
      return person;
    }
  }

  record ReceiverTarget(String receiver) implements EscalationTarget {
    public ReceiverTarget {
      Objects.requireNonNull(receiver);
    }

    @Override
    public String key() {
      return "receiver";
    }

    @Override
    public String ref() {
      return receiver;
    }
  }
}
