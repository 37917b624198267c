package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A storm of new faults: the fault pipeline records them one transaction at a time, so they queue.
 * Past {@code VIGIL_MAX_PENDING_FAULT_WRITES} ingest answers 503 + Retry-After (the queue does not
 * grow the heap), a refused batch stores nothing, and once the queue is under the limit again ingest
 * is accepted and every fault of the storm is recorded with its ticket.
 */
class FaultBacklogIT {
  private static final int STORM = 1500;
  private TestVigil vigil;

  @BeforeEach
  void start() throws Exception {
    vigil = new TestVigil(Map.of("VIGIL_MAX_PENDING_FAULT_WRITES", "100", "VIGIL_MAX_NEW_SERIES_PER_MINUTE", "0"));
  }

  @AfterEach
  void stop() throws Exception {
    vigil.close();
  }

  @Test
  void aFaultStormPastTheLimitGets503UntilItIsRecordedAndLosesNothing() throws Exception {
    StringJoiner storm = new StringJoiner(",");
    for (int i = 0; i < STORM; i++) storm.add(Http.sample("up", "acme", "erp", "storm-" + i, 0));
    assertEquals(204, vigil.http.ingest(storm.toString()).status());
    long stored = vigil.count("samples");
    assertEquals(STORM, stored);

    // The storm's 1,500 fault events are queued right after its commit: a sample now is refused.
    int accepted = 0;
    Http.Reply refused = null;
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (refused == null && System.nanoTime() < end) {
      Http.Reply r = vigil.http.ingest(Http.sample("probe_value", "acme", "erp", "probe", 1));
      if (r.status() == 503) refused = r;
      else if (r.status() == 204) accepted++;
      else fail("unexpected answer " + r);
    }
    assertNotNull(refused, "no 503 while 1,500 fault writes were queued behind a limit of 100");
    assertTrue(refused.json().getString("error").contains("writes behind"), refused.toString());
    assertTrue(refused.json().getString("error").contains("VIGIL_MAX_PENDING_FAULT_WRITES=100"), refused.toString());
    assertNotNull(refused.header("Retry-After"), refused.toString());
    // Nothing of the refused batch was stored; every accepted one was.
    assertEquals(STORM + accepted, vigil.count("samples"));
    assertTrue(vigil.http.get("/metrics").raw().body().contains("vigil_fault_writes_pending"));

    // A client that honours Retry-After gets through once the queue is under the limit.
    assertEquals(204, vigil.http.ingestHonouringRetryAfter(Http.sample("probe_value", "acme", "erp", "probe", 2)).status());
    Await.until(Duration.ofSeconds(60), "every storm fault recorded with a ticket",
        () -> vigil.count("faults") == STORM && vigil.count("tickets") == STORM);
    assertEquals(STORM + accepted + 1, vigil.count("samples"));
  }
}
