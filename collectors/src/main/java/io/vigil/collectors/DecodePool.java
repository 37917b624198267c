package io.vigil.collectors;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;

/**
 * Where collectors decode request bodies: a worker pool of one thread per core, shared by every
 * collector of one Vert.x instance. Decoding a batch is pure CPU work: on a worker it does not
 * hold the event loop (which also serves the API and feeds the rule engine). One thread per core,
 * not Vert.x's whole worker pool: decoders keep per-thread caches of parsed series, and twenty
 * threads would each parse every series again. Thread-safe.
 */
public final class DecodePool {
  private static final String NAME = "vigil-decode";
  private volatile WorkerExecutor pool;

  /** Runs {@code work} on the pool; the future completes on the caller's context. */
  public <T> Future<T> run(Vertx vertx, Callable<T> work) {
    WorkerExecutor p = pool;
    if (p == null) {
      synchronized (this) {
        if (pool == null) pool = vertx.createSharedWorkerExecutor(NAME, Runtime.getRuntime().availableProcessors());
        p = pool;
      }
    }
    return p.executeBlocking(work, false);
  }
}
