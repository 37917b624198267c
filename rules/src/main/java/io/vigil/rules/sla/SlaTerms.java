package io.vigil.rules.sla;

import java.time.Duration;

/**
 * The clocks one ticket runs under, for one tier and severity: respond and resolve targets, an
 * update interval (null: none), the calendar both count in, and whether {@code pending_customer}
 * pauses them.
 */
public record SlaTerms(WorkAmount respondWithin, WorkAmount resolveWithin, Duration updateEvery, String calendar,
    boolean pauseOnPendingCustomer) {}
