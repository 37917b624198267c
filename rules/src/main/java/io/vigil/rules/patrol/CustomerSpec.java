package io.vigil.rules.patrol;

import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * A customer under a service contract. {@code id} is the {@code customer} label of its samples;
 * {@code tier} is the contract tier ({@code 7x24}, {@code 5x8}, …) that grading and SLA read;
 * {@code zone} is where its days (patrol report, report time) begin and end.
 */
public record CustomerSpec(String id, String name, String tier, ZoneId zone, List<Contact> contacts) {
  /** A person to call about this customer's systems; any of the fields may be null. */
  public record Contact(String name, String phone, String email) {}

  public CustomerSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(zone, "zone");
    contacts = contacts == null ? List.of() : List.copyOf(contacts);
  }
}
