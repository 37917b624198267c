package io.vigil.server.storage;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Function;

/**
 * A transaction whose statements the client may pipeline. Vert.x's {@code Transaction} (what
 * {@code Pool.withTransaction} uses) sends one command at a time and waits for its answer before the
 * next, so even statements that do not depend on each other cost a round trip each, and so does
 * {@code BEGIN}. Here {@code BEGIN} and {@code COMMIT} are plain statements on a pooled connection,
 * which pipelines: {@code BEGIN} goes out with the first statement, and statements the work sends
 * without waiting (joined with {@code Future.all}) go out together. On the path from a fault to its
 * page every round trip is about half a millisecond on a 2-core machine (bench/notify.sh).
 *
 * <p>The work must wait for every statement it sends (PostgreSQL answers {@code COMMIT} of a failed
 * transaction with a rollback, not an error): its future fails when one failed, and then the
 * transaction is rolled back. Semantics are otherwise those of {@code withTransaction}.
 */
public final class Pipelined {
  private Pipelined() {}

  public static <T> Future<T> transaction(Pool pool, Function<SqlConnection, Future<T>> work) {
    return pool.getConnection().compose(conn -> {
      Future<?> begin = conn.query("BEGIN").execute();
      Future<T> done = apply(work, conn);
      return Future.all(begin, done)
          .transform(ar -> ar.succeeded() ? conn.query("COMMIT").execute().map(x -> done.result())
              : conn.query("ROLLBACK").execute().transform(x -> Future.<T>failedFuture(ar.cause())))
          .andThen(x -> conn.close());
    });
  }

  private static <T> Future<T> apply(Function<SqlConnection, Future<T>> work, SqlConnection conn) {
    try {
      return work.apply(conn);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
