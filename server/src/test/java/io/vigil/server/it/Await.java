package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition every 50 ms until it holds or the time is up: tests wait only as long as needed. */
final class Await {
  private Await() {}

  static <T> T until(Duration max, String what, Callable<T> probe) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    T last = null;
    while (System.nanoTime() < end) {
      last = probe.call();
      if (last != null && !Boolean.FALSE.equals(last)) return last;
      Thread.sleep(50);
    }
    fail("waited " + max.toSeconds() + " s for " + what + "; last saw " + last);
    return null;
  }
}
