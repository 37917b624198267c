package io.vigil.server;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar vigil.jar}: configuration from the environment (see README), Ctrl-C stops. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    Config config;
    try {
      config = Config.fromEnv(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("vigil: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vigil vigil;
    try {
      vigil = Vigil.start(config, Clock.systemUTC()).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("vigil: start-up failed: " + e.getMessage());
      LOG.info("vigil.start_failed", e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vigil.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("vigil.stop_failed cause=\"{}\"", e.toString());
      }
    }, "vigil-shutdown"));
    String shown = config.adminToken() == null ? vigil.adminToken() : "(from VIGIL_ADMIN_TOKEN)";
    System.out.println("Vigil is listening on http://127.0.0.1:" + vigil.port() + "/   admin token: " + shown);
    onSighup(vigil);
    vigil.ready().onSuccess(v -> System.out.println("Vigil is ready.")).onFailure(t -> {
      System.err.println("vigil: start-up failed: " + t.getMessage());
      System.exit(1);
    });
  }

  /**
   * SIGHUP re-reads the rules file, as Prometheus does. sun.misc.Signal is the JDK's only signal
   * API (module jdk.unsupported, present in every OpenJDK); where it is missing, POST /-/reload
   * remains. The handler runs on a JVM signal thread and only hands the work to Vert.x.
   */
  private static void onSighup(Vigil vigil) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> vigil.vertx().runOnContext(v -> vigil.server().reload()));
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      LOG.warn("rules.sighup_unavailable cause=\"{}\" (use POST /-/reload)", e.toString());
    }
  }
}
