package io.vigil.server.it;

import static io.vigil.server.it.Http.sample;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL answering but badly (issue 14): a slow disk and a full one. The server stays
 * responsive, the writes it cannot take are 503 with {@code Retry-After} (bounded: no queue grows
 * without limit), and every sample it acknowledged is stored once PostgreSQL is well again, without a
 * restart. (PostgreSQL stopped outright is {@code NocPagesIT} and {@code KillCampaignIT}.)
 */
class StorageDegradedIT {
  private static String batch(int from, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append(sample("load", "acme", "erp", "h" + ((from + i) % 20), from + i));
    }
    return b.toString();
  }

  /** Like {@link #batch}, with values PostgreSQL cannot compress (a random fraction on each): they fill the disk. */
  private static String noisyBatch(int from, int n) {
    StringBuilder b = new StringBuilder();
    java.util.Random r = new java.util.Random(from);
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append(sample("load", "acme", "erp", "h" + ((from + i) % 20), from + i + r.nextDouble() * 0.5));
    }
    return b.toString();
  }

  private record Outcome(int from, int n, Http.Reply reply) {}

  /** Posts {@code count} batches of {@code n} distinct values at once; every answer within {@code deadline}. */
  private static List<Outcome> burst(TestVigil v, int firstFrom, int count, int n, Duration deadline) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      List<Future<Outcome>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int from = firstFrom + i * n;
        sent.add(pool.submit(() -> new Outcome(from, n, v.http.ingest(batch(from, n)))));
      }
      List<Outcome> out = new ArrayList<>();
      long end = System.nanoTime() + deadline.toNanos();
      for (Future<Outcome> f : sent) out.add(f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static long assertOnly204Or503(List<Outcome> outcomes) {
    long acked = 0;
    for (Outcome o : outcomes) {
      int s = o.reply().status();
      assertTrue(s == 204 || s == 503, "only 204 or 503: " + o.reply());
      if (s == 503) assertNotNull(o.reply().header("Retry-After"), "a 503 says when to retry: " + o.reply());
      else acked += o.n();
    }
    return acked;
  }

  private static long healthzMillis(TestVigil v) throws Exception {
    long t0 = System.nanoTime();
    assertEquals(200, v.http.get("/healthz").status());
    return (System.nanoTime() - t0) / 1_000_000;
  }

  @Test
  void aSlowDiskKeepsTheServerResponsiveTurnsTheExcessInto503sAndLosesNothingAcknowledged() throws Exception {
    try (TestVigil v = new TestVigil(Map.of("VIGIL_MAX_INFLIGHT_BATCHES", "16"))) {
      assertEquals(204, v.http.ingest(batch(0, 10)).status());
      // Every write of a batch takes 2 s more: a disk that stalls on each fsync.
      v.sql("CREATE FUNCTION slow_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$; "
          + "CREATE TRIGGER slow_disk BEFORE INSERT ON sample_log FOR EACH STATEMENT EXECUTE FUNCTION slow_disk();");
      ExecutorService probe = Executors.newSingleThreadExecutor();
      Future<Long> worstHealthz = probe.submit(() -> {
        long worst = 0;
        for (int i = 0; i < 20; i++) {
          worst = Math.max(worst, healthzMillis(v));
          Thread.sleep(100);
        }
        return worst;
      });
      List<Outcome> outcomes = burst(v, 1_000, 60, 10, Duration.ofSeconds(60));
      long acked = assertOnly204Or503(outcomes);
      long refused = outcomes.stream().filter(o -> o.reply().status() == 503).count();
      assertTrue(refused >= 60 - 16, "beyond VIGIL_MAX_INFLIGHT_BATCHES the excess is refused at once, not queued: " + refused + " of 60");
      assertTrue(acked > 0, "what fits is still written, slowly");
      long worst = worstHealthz.get(30, TimeUnit.SECONDS);
      probe.shutdownNow();
      assertTrue(worst < 1_000, "the server answers while its storage is slow: /healthz took " + worst + " ms at worst");
      v.sql("DROP TRIGGER slow_disk ON sample_log");
      assertEquals(204, v.http.ingest(batch(100_000, 10)).status(), "accepting again, no restart");
      assertEquals(Long.toString(10 + acked + 10), v.sql("SELECT count(DISTINCT value) FROM samples"), "every acknowledged sample, nothing refused");
    }
  }

  @Test
  void aFullDiskIsA503NotA500AndWritesResumeOnceThereIsSpaceAgain() throws Exception {
    Path mount = Files.createTempDirectory("vigil-full-disk");
    Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()).inheritIO().start();
    Assumptions.assumeTrue(m.waitFor() == 0, "needs root and tmpfs mounts (a small filesystem to fill)");
    EphemeralPostgres pg = EphemeralPostgres.get();
    String space = "full_" + Long.toHexString(System.nanoTime());
    try (TestVigil v = new TestVigil(Map.of())) {
      new ProcessBuilder("chown", "postgres:postgres", mount.toString()).inheritIO().start().waitFor();
      pg.psql(v.db.name(), "CREATE TABLESPACE " + space + " LOCATION '" + mount + "'");
      // The log of acknowledged batches lives on the small filesystem (the WAL does not: PostgreSQL
      // stops when its WAL cannot be written, which is the outage case).
      v.sql("ALTER TABLE sample_log SET TABLESPACE " + space);
      long acked = 0;
      Http.Reply full = null;
      for (int b = 0; b < 400 && full == null; b++) {
        Http.Reply r = v.http.ingest(noisyBatch(b * 2_000, 2_000));
        if (r.status() == 204) acked += 2_000;
        else full = r;
      }
      assertNotNull(full, "2 MiB filled up");
      assertEquals(503, full.status(), "a full disk is the server's trouble, not the client's mistake: " + full);
      assertNotNull(full.header("Retry-After"), full.toString());
      String said = full.json().getString("error");
      assertTrue(said.contains("nothing of this batch was stored") && said.contains("No space left on device"), "says what and why: " + said);
      assertTrue(healthzMillis(v) < 1_000, "still answering");
      assertEquals(503, v.http.ingest(noisyBatch(900_000, 2_000)).status(), "still full");
      // Space again (an operator grew the volume): accepted without a restart.
      assertEquals(0, new ProcessBuilder("mount", "-o", "remount,size=256m", mount.toString()).inheritIO().start().waitFor());
      long before = acked;
      Await.until(Duration.ofSeconds(10), "writes resume", () -> {
        try {
          return v.http.ingest(noisyBatch(1_000_000, 2_000)).status() == 204 ? true : null;
        } catch (Exception e) {
          return null;
        }
      });
      acked += 2_000;
      assertEquals(Long.toString(acked), v.sql("SELECT count(DISTINCT value) FROM samples"),
          "every acknowledged sample (" + before + " before the disk filled, then 2,000), none of the refused");
      v.sql("ALTER TABLE sample_log SET TABLESPACE pg_default");
    } finally {
      try {
        pg.psql("postgres", "DROP TABLESPACE IF EXISTS " + space);
      } catch (RuntimeException e) {
        // left on a throwaway cluster: harmless
      }
      new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
    }
  }
}
