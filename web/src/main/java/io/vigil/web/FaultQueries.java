package io.vigil.web;

import io.vertx.core.Future;
import io.vigil.rules.FaultState;
import java.util.List;

/** Read access to stored faults. Non-blocking. */
public interface FaultQueries {
  /** Newest first; {@code state} null means any state, {@code customer} null any customer (its {@code customer} label). */
  Future<List<FaultView>> list(FaultState state, String customer, int limit);
}
