package io.vigil.collectors;

import io.vertx.core.Future;
import io.vigil.rules.alerts.Alert;
import java.util.List;

/**
 * Where the alert intake hands alerts pushed by an external source. {@link #accept} must not block
 * and may be called from any event loop; its future succeeds once the faults the alerts cause are
 * stored, and fails with {@link SinkUnavailableException} when they cannot be now (the sender
 * retries; accepting the same alerts again changes nothing).
 */
@FunctionalInterface
public interface AlertSink {
  Future<Void> accept(List<Alert> alerts);
}
