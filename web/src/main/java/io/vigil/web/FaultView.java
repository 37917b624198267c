package io.vigil.web;

import io.vigil.rules.Fault;
import io.vigil.rules.mute.Muting;

/**
 * A stored fault: its database id, the fault itself, the ticket opened for it (null if none yet)
 * and its muting as last decided ({@link Muting#NONE} when not muted).
 */
public record FaultView(long id, Fault fault, Long ticketId, Muting muting) {
  public FaultView {
    if (muting == null) muting = Muting.NONE;
  }

  public FaultView(long id, Fault fault, Long ticketId) {
    this(id, fault, ticketId, Muting.NONE);
  }
}
