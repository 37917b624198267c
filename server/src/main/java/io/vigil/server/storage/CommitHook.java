package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;

/**
 * Work another module does inside a store's transaction, just before its commit, so that what the
 * transaction causes is done in the same commit instead of in a transaction of its own afterwards.
 * The notification router uses it to route a new fault's page in the fault's own transaction (see
 * {@code notify.Router#inTransaction}): no NOTIFY hop, no second transaction on the way to the phone.
 *
 * <p>A hook must not fail the transaction it joins for reasons of its own: it undoes its own work
 * (a savepoint) and leaves it to its regular path. Its future fails only when the connection does.
 */
@FunctionalInterface
public interface CommitHook {
  CommitHook NONE = conn -> Future.succeededFuture(Outcome.NONE);

  /** Runs on {@code conn} inside the open transaction; the outcome hears how the transaction ended. */
  Future<Outcome> beforeCommit(SqlConnection conn);

  /** Told once whether the transaction the hook joined committed. */
  @FunctionalInterface
  interface Outcome {
    Outcome NONE = committed -> {};

    void ended(boolean committed);
  }
}
