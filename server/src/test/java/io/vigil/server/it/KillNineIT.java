package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.server.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A 2xx means durable: Vigil runs as its own JVM, acknowledges batches, is killed with SIGKILL
 * mid-stream, and every acknowledged sample is in the database afterwards.
 */
class KillNineIT {
  @Test
  void everyAcknowledgedSampleSurvivesKillDashNine() throws Exception {
    Config.Database db = EphemeralPostgres.get().freshDatabase();
    VigilProcess vigil = new VigilProcess(db, "vigil-kill9", Map.of(
        // Nothing flushed before the kill: every acknowledged sample is still in sample_log, to be recovered.
        "VIGIL_STORAGE_FLUSH_SAMPLES", "50000000", "VIGIL_STORAGE_FLUSH_INTERVAL", "1h"));
    Http http = vigil.http;
    try {
      // Writers keep sending until the kill; count only what got a 204.
      long acknowledged = 0;
      long sentAfterKill = 0;
      int batch = 200;
      long killAt = System.nanoTime() + 1_500_000_000L;
      boolean killed = false;
      for (int n = 0; n < 100_000; n++) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < batch; i++) {
          if (i > 0) b.append(',');
          b.append(Http.sample("load", "acme", "erp", "h" + (i % 50), n * batch + i));
        }
        try {
          Http.Reply r = http.ingest(b.toString());
          if (r.status() == 204) acknowledged += batch;
          else fail("unexpected " + r);
        } catch (java.io.IOException e) {
          if (!killed) throw e;
          sentAfterKill++;
          break;
        }
        if (!killed && System.nanoTime() > killAt) {
          vigil.kill(); // SIGKILL: no shutdown hook, no flush
          killed = true;
        }
      }
      assertTrue(killed);
      assertTrue(acknowledged > 0);
      long stored = Long.parseLong(EphemeralPostgres.get().psql(db.name(), "SELECT count(*) FROM samples"));
      // Stored may exceed acknowledged by batches committed whose 204 was lost with the process;
      // it may never be less.
      assertTrue(stored >= acknowledged, "acknowledged " + acknowledged + " but only " + stored + " stored");
      assertEquals(0, stored % batch, "batches are all-or-nothing");
      assertTrue(stored - acknowledged <= (long) batch * 64, "at most the in-flight batches beyond the acknowledged");
    } finally {
      vigil.close();
    }

    long before = Long.parseLong(EphemeralPostgres.get().psql(db.name(), "SELECT count(*) FROM samples"));
    assertTrue(Long.parseLong(EphemeralPostgres.get().psql(db.name(), "SELECT count(*) FROM sample_log")) > 0, "the killed writer left log rows");
    // And a restarted Vigil moves the killed writer's log rows into chunks, losing and doubling nothing.
    try (TestVigil again = new TestVigil(db, Map.of())) {
      assertEquals(200, again.http.get("/readyz").status());
      assertEquals(0, again.count("sample_log"));
      assertEquals(before, again.count("samples"));
      assertEquals(Long.toString(before), again.sql("SELECT count(*) FROM (SELECT DISTINCT series_id, time, value FROM samples) d"));
    }
  }
}
