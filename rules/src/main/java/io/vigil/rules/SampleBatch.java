package io.vigil.rules;

import java.util.List;

/**
 * The unit every collector hands to the sink: samples accepted together, stored together
 * (all or nothing) and acknowledged together.
 */
public record SampleBatch(List<Sample> samples) {
  public SampleBatch {
    samples = List.copyOf(samples);
  }

  public int size() {
    return samples.size();
  }
}
