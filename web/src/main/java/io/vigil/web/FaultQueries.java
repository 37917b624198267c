package io.vigil.web;

import io.vertx.core.Future;
import io.vigil.rules.FaultState;
import java.util.List;

/** Read access to stored faults. Non-blocking. */
public interface FaultQueries {
  /** Newest first; {@code state} null means any state. */
  Future<List<FaultView>> list(FaultState state, int limit);
}
