package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.fail;

import io.vigil.server.Config;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Vigil in a JVM of its own (tests that SIGKILL it), on a free port against {@code db}, ready when
 * constructed. Its output goes to {@link #log}.
 */
final class VigilProcess implements AutoCloseable {
  final Process process;
  final Http http;
  final Path log;

  VigilProcess(Config.Database db, String logPrefix, Map<String, String> extraEnv) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    log = Files.createTempFile(logPrefix, ".log");
    log.toFile().deleteOnExit();
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "io.vigil.server.Main").redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = new HashMap<>(Map.of("VIGIL_DATABASE_URL", EphemeralPostgres.get().url(db),
        "VIGIL_PORT", Integer.toString(port), "VIGIL_HOST", "127.0.0.1", "VIGIL_ADMIN_TOKEN", TestVigil.ADMIN));
    env.putAll(extraEnv);
    pb.environment().putAll(env);
    process = pb.start();
    http = new Http("http://127.0.0.1:" + port, TestVigil.ADMIN);
    try {
      awaitReady();
    } catch (Throwable t) {
      process.destroyForcibly();
      throw t;
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) fail("Vigil exited: " + Files.readString(log));
      try {
        if (http.get("/readyz").status() == 200) return;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    fail("Vigil did not become ready: " + Files.readString(log));
  }

  /** SIGKILL: no shutdown hook, no flush. Waits until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
