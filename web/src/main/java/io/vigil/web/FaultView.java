package io.vigil.web;

import io.vigil.rules.Fault;

/** A stored fault: its database id, the fault itself and the ticket opened for it (null if none yet). */
public record FaultView(long id, Fault fault, Long ticketId) {}
