package io.vigil.web;

import io.vertx.core.Future;
import io.vigil.rules.TicketState;
import java.util.List;

/**
 * Ticket queries and the human transitions. Non-blocking. Transitions fail with
 * {@link NotFoundException} for an unknown id and with
 * {@link io.vigil.rules.IllegalTransitionException} (carrying the current state) for an illegal move.
 * Every successful transition is recorded as a ticket event with the actor and time.
 */
public interface TicketService {
  /** Newest first; {@code state} null means any state. */
  Future<List<TicketView>> list(TicketState state, int limit);

  Future<TicketView> get(long id);

  Future<List<TicketEventView>> events(long id);

  Future<TicketView> acknowledge(long id, String actor);

  Future<TicketView> resolve(long id, TicketView.Resolution resolution, String actor);

  Future<TicketView> close(long id, String actor);
}
