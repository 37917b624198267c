package io.vigil.rules.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Someone who can be on call. Immutable.
 *
 * <p>{@code receiver} names the notification receiver that pages this person (an SMS gateway or
 * chat-bot webhook, say); the on-call code only carries the name, and the server checks it against
 * its receivers ({@link OnCallConfig#receiverNames()}). A person without one can be on call but cannot
 * be paged: the server should record that instead of silently skipping them.
 *
 * @param id       stable key used by schedules and escalation steps ({@code [A-Za-z0-9][A-Za-z0-9_.-]*})
 * @param name     display name, any text (张伟)
 * @param phone    optional, free text as the receiver expects it (e.g. {@code +86 138 0013 8000})
 * @param receiver optional receiver name
 * @param email    optional
 */
public record Person(String id, String name, String phone, String receiver, String email) {
  private static final Set<String> KEYS = Set.of("id", "name", "phone", "receiver", "email");

  public Person {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }

  /** Parses one person from a YAML or JSON mapping; throws {@link io.vigil.rules.RuleFileException} listing every problem. */
  public static Person parse(Map<?, ?> m, String where) {
    OnCallYaml.Problems p = new OnCallYaml.Problems();
    Person person = parse(m, where, p);
    p.throwIfAny();
    return person;
  }

  static Person parse(Object o, String where, OnCallYaml.Problems p) {
    Map<?, ?> m = OnCallYaml.map(o, where, p);
    if (m == null) return null;
    int before = p.size();
    OnCallYaml.knownKeys(m, KEYS, where, p);
    String id = OnCallYaml.id(m, "id", true, where, p);
    String name = OnCallYaml.string(m, "name", false, where, p);
    String phone = OnCallYaml.string(m, "phone", false, where, p);
    String receiver = OnCallYaml.id(m, "receiver", false, where, p);
    String email = OnCallYaml.string(m, "email", false, where, p);
    if (phone != null && !phone.matches("\\+?[0-9][0-9 ()-]{2,30}")) {
      p.add(OnCallYaml.at(where, "phone"), "'" + phone + "' is not a phone number (digits, spaces, '-', '(', ')', a leading '+')");
    }
    if (p.size() > before) return null;
    return new Person(id, name == null ? id : name, phone, receiver, email);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("name", name);
    if (phone != null) m.put("phone", phone);
    if (receiver != null) m.put("receiver", receiver);
    if (email != null) m.put("email", email);
    return m;
  }

  /** The phone masked but its last four digits: these strings end up in logs. */
  @Override
  public String toString() {
    String masked = phone == null ? null : "…" + phone.substring(Math.max(0, phone.length() - 4));
    return "Person[id=" + id + ", name=" + name + ", phone=" + masked + ", receiver=" + receiver + "]";
  }
}
