package io.vigil.rules.mute;

import java.time.Instant;
import java.util.List;

/**
 * Why a fault is muted right now, or {@link #NONE}. A muted fault still exists and is shown, but
 * opens no ticket and pages no one. Immutable; equal by content, so "did it change?" is {@code equals}.
 *
 * @param silencedBy  ids of the active silences that select the fault
 * @param maintenance ids of the maintenance windows in progress that select it
 * @param inhibitedBy fingerprint of the firing fault that inhibits it, or null
 * @param until       when the latest current silence / maintenance occurrence ends (null if none)
 * @param reason      for people, e.g. "inhibited by SystemDown (P1) on acme/erp"; empty when not muted
 */
public record Muting(List<String> silencedBy, List<String> maintenance, String inhibitedBy, Instant until, String reason) {
  public static final Muting NONE = new Muting(List.of(), List.of(), null, null, "");

  public Muting {
    silencedBy = List.copyOf(silencedBy);
    maintenance = List.copyOf(maintenance);
    reason = reason == null ? "" : reason;
  }

  public boolean muted() {
    return silenced() || inhibited();
  }

  /** By a silence or a maintenance window (a maintenance window is a recurring silence). */
  public boolean silenced() {
    return !silencedBy.isEmpty() || !maintenance.isEmpty();
  }

  public boolean inhibited() {
    return inhibitedBy != null;
  }
}
