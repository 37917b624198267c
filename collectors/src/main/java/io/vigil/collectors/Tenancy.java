package io.vigil.collectors;

import io.vigil.rules.Labels;
import io.vigil.rules.Sample;
import io.vigil.rules.SampleBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tenancy at the door, the same for every collector: an ingest token may be bound to a customer.
 * Samples (and alerts) it sends without a {@code customer} label get that customer; one that names
 * another customer fails the whole request with 403 (never re-labelled: a wrong label is a misconfigured
 * agent or an attempt to write into someone else's systems, and either must be seen, not hidden).
 * A token bound to no customer ({@link #OPEN}) changes nothing. Immutable, thread-safe.
 */
public final class Tenancy {
  public static final String LABEL = "customer";
  public static final Tenancy OPEN = new Tenancy(null, "this token", "this request");
  private final String customer;
  private final String boundBy;
  private final String unit;
  private final Map<String, String> stamp;

  private Tenancy(String customer, String boundBy, String unit) {
    this.customer = customer;
    this.boundBy = boundBy;
    this.unit = unit;
    this.stamp = customer == null ? Map.of() : Map.of(LABEL, customer);
  }

  /** Bound to {@code customer} by the request's token; null or blank is {@link #OPEN}. */
  public static Tenancy of(String customer) {
    return of(customer, "this token", "this request");
  }

  /**
   * Bound to {@code customer} by {@code boundBy}, refusing whole {@code unit}s; both only word the
   * refusal (e.g. "Kafka topic 'acme-metrics'", "this record"). Null or blank is {@link #OPEN}.
   */
  public static Tenancy of(String customer, String boundBy, String unit) {
    return customer == null || customer.isBlank() ? OPEN : new Tenancy(customer, boundBy, unit);
  }

  /** The customer the token is bound to, or null. */
  public String customer() {
    return customer;
  }

  /**
   * Null when a sample whose {@code customer} label is {@code claimed} (null: absent) may pass,
   * else the reason it may not.
   */
  public String conflict(String claimed) {
    return conflict(claimed, "sample");
  }

  /** As {@link #conflict(String)}, for a {@code what} that is not a sample (an alert). */
  public String conflict(String claimed, String what) {
    if (customer == null || claimed == null || claimed.equals(customer)) return null;
    return what + " claims customer '" + claimed + "' but " + boundBy + " is bound to customer '" + customer
        + "'; nothing of " + unit + " was stored";
  }

  /** {@code labels} with the bound customer added when absent (the caller checked {@link #conflict}). */
  public Labels stamp(Labels labels) {
    if (customer == null || labels.get(LABEL) != null) return labels;
    return labels.with(stamp);
  }

  /**
   * The batch with every sample stamped, or an {@link IngestException} (403) naming the first
   * sample that claims another customer.
   */
  public SampleBatch apply(SampleBatch batch) {
    if (customer == null) return batch;
    List<Sample> out = new ArrayList<>(batch.size());
    Labels lastIn = null;
    Labels lastOut = null;
    for (int i = 0; i < batch.size(); i++) {
      Sample s = batch.samples().get(i);
      String why = conflict(s.labels().get(LABEL));
      if (why != null) throw new IngestException(403, why, i, "labels." + LABEL);
      // Consecutive samples often share one Labels instance: stamp it once.
      if (s.labels() != lastIn) {
        lastIn = s.labels();
        lastOut = stamp(lastIn);
      }
      out.add(lastOut == s.labels() ? s : new Sample(s.metric(), lastOut, s.value(), s.timestampMillis()));
    }
    return new SampleBatch(out);
  }

  @Override
  public String toString() {
    return customer == null ? "Tenancy[open]" : "Tenancy[" + customer + "]";
  }
}
