package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vigil.server.Config;
import io.vigil.server.Vigil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartupIT {
  private static Map<String, String> env(Config.Database db, Path rules) {
    Map<String, String> env = new HashMap<>();
    env.put("VIGIL_DATABASE_URL", EphemeralPostgres.get().url(db));
    env.put("VIGIL_PORT", "0");
    env.put("VIGIL_HOST", "127.0.0.1");
    env.put("VIGIL_ADMIN_TOKEN", TestVigil.ADMIN);
    if (rules != null) env.put("VIGIL_RULES", rules.toString());
    return env;
  }

  @Test
  void servesHealthButNotReadyUntilTheDatabaseExistsThenBecomesReady() throws Exception {
    EphemeralPostgres pg = EphemeralPostgres.get();
    Config.Database later = new Config.Database("127.0.0.1", pg.port(), "vigil_created_later_" + System.nanoTime(), "postgres", "");
    Vigil vigil = Vigil.start(Config.fromEnv(env(later, null)), Clock.systemUTC()).await(30, TimeUnit.SECONDS);
    try {
      Http http = new Http("http://127.0.0.1:" + vigil.port(), TestVigil.ADMIN);
      assertEquals(200, http.get("/healthz").status());
      Http.Reply ready = http.get("/readyz");
      assertEquals(503, ready.status());
      assertEquals("not ready", ready.json().getString("status"));
      Http.Reply ingest = http.ingest(Http.sample("up", "acme", "erp", "db1", 1));
      assertEquals(503, ingest.status());
      assertNotNull(ingest.header("Retry-After"));

      pg.psql("CREATE DATABASE " + later.name());
      vigil.ready().await(60, TimeUnit.SECONDS);
      assertEquals(200, http.get("/readyz").status());
      assertEquals(204, http.ingest(Http.sample("up", "acme", "erp", "db1", 1)).status());
    } finally {
      vigil.close().await(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void invalidRulesFileStopsStartupNamingFileRuleAndReason() throws Exception {
    Path rules = Files.createTempFile("bad-rules", ".yaml");
    Files.writeString(rules, """
        rules:
          - name: Broken
            expr: cpu_usage >> 90
            severity: P2
        """);
    Config config = Config.fromEnv(env(EphemeralPostgres.get().freshDatabase(), rules));
    Exception e = assertThrows(Exception.class, () -> Vigil.start(config, Clock.systemUTC()).await(30, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains(rules.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("rule 'Broken'"), e.getMessage());
    assertTrue(e.getMessage().contains("column"), e.getMessage());
  }

  @Test
  void missingRulesFileStopsStartupNamingThePath() {
    Config config = Config.fromEnv(env(EphemeralPostgres.get().freshDatabase(), Path.of("/nonexistent/rules.yaml")));
    Exception e = assertThrows(Exception.class, () -> Vigil.start(config, Clock.systemUTC()).await(30, TimeUnit.SECONDS));
    assertTrue(e.getMessage().contains("cannot read rules file '/nonexistent/rules.yaml'"), e.getMessage());
  }
}
