package io.vigil.rules.patrol;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One monitored system of a customer, as the inventory holds it. Identified by
 * ({@code customer}, {@code id}), which are the {@code customer} and {@code system} labels of its samples.
 *
 * @param heartbeatInterval how often the system is expected to send something (any protocol); null:
 *                          no automatic NoData fault for it
 */
public record SystemSpec(String customer, String id, String name, Duration heartbeatInterval, Criticality criticality,
    List<ProbeSpec> probes) {
  public SystemSpec {
    Objects.requireNonNull(customer, "customer");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(criticality, "criticality");
    probes = probes == null ? List.of() : List.copyOf(probes);
  }
}
