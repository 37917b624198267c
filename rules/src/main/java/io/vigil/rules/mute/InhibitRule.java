package io.vigil.rules.mute;

import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import java.util.List;
import java.util.Objects;

/**
 * Alertmanager-style inhibition: while a FIRING fault matches every {@code sourceMatch} matcher,
 * active faults that match every {@code targetMatch} matcher and have the same values for the
 * {@code equal} labels (a label absent on both counts as equal, as in Alertmanager) are muted.
 * Matchers see the pseudo-labels {@code severity} and {@code alertname} too. Immutable.
 *
 * @param id     null in a draft; {@code file-<n>} for the n-th rule of the rules file
 * @param origin {@code file} or {@code api}
 */
public record InhibitRule(String id, List<Matcher> sourceMatch, List<Matcher> targetMatch, List<String> equal, String origin,
    String createdBy) {
  public InhibitRule {
    sourceMatch = List.copyOf(sourceMatch);
    targetMatch = List.copyOf(targetMatch);
    equal = List.copyOf(equal);
    Objects.requireNonNull(origin);
  }

  public boolean matchesSource(Labels l) {
    return all(sourceMatch, l);
  }

  public boolean matchesTarget(Labels l) {
    return all(targetMatch, l);
  }

  /** The values of the {@code equal} labels, absent as "". */
  public List<String> equalKey(Labels l) {
    return equal.stream().map(n -> l.getOrDefault(n, "")).toList();
  }

  public InhibitRule withId(String newId) {
    return new InhibitRule(newId, sourceMatch, targetMatch, equal, origin, createdBy);
  }

  private static boolean all(List<Matcher> ms, Labels l) {
    for (Matcher m : ms) if (!m.matches(l)) return false;
    return true;
  }
}
