package io.vigil.rules.notify;

import java.time.Instant;

/**
 * One planned firing of an escalation chain step. Immutable.
 *
 * @param seq    position in the chain's whole plan, from 0: the number of firings before this one. A
 *               server that persists how many steps it has fired ({@code alreadyFired}) resumes at
 *               {@code seq == alreadyFired}
 * @param index  the step's position in {@link EscalationChain#steps()}
 * @param round  0 for the first pass through the steps, 1 for the first repeat, …
 * @param at     when it fires if nobody acknowledges first
 */
public record EscalationStep(int seq, int index, int round, Instant at, EscalationTarget target) {}
