package io.vigil.collectors.patrol;

import io.vigil.rules.Labels;
import io.vigil.rules.patrol.ProbeSpec;

/** A probe of one system of one customer: what the scheduler runs, and the labels of its samples. */
public record ProbeTarget(String customer, String system, ProbeSpec spec) {
  /** {@code customer/system/probe}: unique across the inventory. */
  public String key() {
    return customer + "/" + system + "/" + spec.name();
  }

  public Labels labels() {
    return Labels.of("customer", customer, "system", system, "probe", spec.name(), "target", spec.target());
  }
}
