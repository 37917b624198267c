package io.vigil.collectors.patrol;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vigil.rules.patrol.ProbeSpec;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Probes against real local servers: a Vert.x HTTP server, a closed port, and a TLS server with a certificate made here. */
class ProberTest {
  private static Vertx vertx;
  private static HttpServer web;
  private static Prober prober;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    web = vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/ok" -> req.response().end("<html>all systems nominal</html>");
        case "/down" -> req.response().setStatusCode(503).end("maintenance");
        case "/slow" -> vertx.setTimer(300, id -> req.response().end("slow but fine"));
        case "/hang" -> vertx.setTimer(5_000, id -> req.response().end("too late"));
        default -> req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    prober = new Prober(vertx, Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static ProbeSpec http(String path, Integer expect, String keyword, long timeoutMs) {
    return new ProbeSpec("web", ProbeSpec.Type.HTTP, "http://127.0.0.1:" + web.actualPort() + path, Duration.ofSeconds(30),
        Duration.ofMillis(timeoutMs), expect, keyword);
  }

  private static ProbeResult run(ProbeSpec spec) throws Exception {
    return prober.run(spec).await(20, TimeUnit.SECONDS);
  }

  @Test
  void httpProbeSucceedsOn2xxWithTheKeywordInTheBody() throws Exception {
    ProbeResult r = run(http("/ok", null, "systems nominal", 2000));
    assertTrue(r.success(), r.toString());
    assertEquals(200, r.httpStatus());
  }

  @Test
  void httpProbeFailsWhenTheKeywordIsMissing() throws Exception {
    ProbeResult r = run(http("/ok", null, "ERROR-FREE", 2000));
    assertFalse(r.success());
    assertEquals(200, r.httpStatus());
    assertTrue(r.error().contains("keyword"), r.error());
  }

  @Test
  void httpProbeFailsOnAnUnexpectedStatusAndHonoursExpectStatus() throws Exception {
    ProbeResult down = run(http("/down", null, null, 2000));
    assertFalse(down.success());
    assertEquals(503, down.httpStatus());
    assertTrue(run(http("/down", 503, "maintenance", 2000)).success());
  }

  @Test
  void httpProbeMeasuresLatency() throws Exception {
    ProbeResult r = run(http("/slow", null, null, 2000));
    assertTrue(r.success());
    assertTrue(r.durationSeconds() >= 0.3 && r.durationSeconds() < 2, "duration " + r.durationSeconds());
  }

  @Test
  void httpProbeTimesOutAndFails() throws Exception {
    long t0 = System.nanoTime();
    ProbeResult r = run(http("/hang", null, null, 300));
    assertFalse(r.success());
    assertNull(r.httpStatus());
    assertTrue((System.nanoTime() - t0) / 1e9 < 2, "gave up near the timeout");
  }

  @Test
  void tcpProbeConnectsToAnOpenPortAndFailsOnAClosedOne() throws Exception {
    ProbeSpec open = new ProbeSpec("port", ProbeSpec.Type.TCP, "127.0.0.1:" + web.actualPort(), Duration.ofSeconds(30), Duration.ofSeconds(2), null, null);
    assertTrue(run(open).success());
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ProbeResult r = run(new ProbeSpec("port", ProbeSpec.Type.TCP, "127.0.0.1:" + closed, Duration.ofSeconds(30), Duration.ofSeconds(2), null, null));
    assertFalse(r.success());
    assertNotNull(r.error());
  }

  @Test
  void tlsProbeReadsTheDaysUntilTheCertificateExpires() throws Exception {
    Path dir = Files.createTempDirectory("vigil-tls");
    Path store = dir.resolve("server.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", "20",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret", "-keypass", "secret")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    NetServer tls = vertx.createNetServer(new NetServerOptions().setSsl(true)
            .setKeyCertOptions(new PfxOptions().setPath(store.toString()).setPassword("secret")))
        .connectHandler(s -> {}).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    try {
      ProbeResult r = run(new ProbeSpec("cert", ProbeSpec.Type.TLS, "127.0.0.1:" + tls.actualPort(), Duration.ofSeconds(30),
          Duration.ofSeconds(5), null, null));
      assertTrue(r.success(), r.toString());
      assertEquals(20.0, r.certExpiryDays(), 0.05);
    } finally {
      tls.close().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void tlsProbeFailsAgainstAPlainTcpServer() throws Exception {
    ProbeResult r = run(new ProbeSpec("cert", ProbeSpec.Type.TLS, "127.0.0.1:" + web.actualPort(), Duration.ofSeconds(30),
        Duration.ofSeconds(2), null, null));
    assertFalse(r.success());
    assertNull(r.certExpiryDays());
  }
}
