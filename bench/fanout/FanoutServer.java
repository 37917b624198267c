import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultState;
import io.vigil.rules.Labels;
import io.vigil.rules.Severity;
import io.vigil.web.FaultView;
import io.vigil.web.StreamHub;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The live stream's fanout on its own: Vigil's StreamHub behind a Vert.x HTTP server with the
 * options VigilServer uses, fed with realistic fault deltas at a set rate. Vigil's fault path
 * (sample -> rule -> PostgreSQL -> hub) cannot produce 1,000 changes/s on a 2-core machine (its
 * own figure is ~250/s), so the bench publishes into the hub directly, as the pipeline does after
 * its commit; everything from there to the client's socket is the product's code.
 *
 * <p>{@code java -cp vigil.jar bench/fanout/FanoutServer.java <port> <phases> [clients]} where phases is
 * {@code rate:seconds,...} (e.g. {@code 100:20,1000:30}). Each delta's {@code value} is the
 * publish time in epoch microseconds and its {@code phase} label the phase's rate, so
 * FanoutClients can measure delivery latency per phase. Prints "READY" when listening and
 * "DONE" after the last phase.
 */
public final class FanoutServer {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String[] phases = args[1].split(",");
    int queueBytes = Integer.parseInt(System.getenv().getOrDefault("VIGIL_STREAM_QUEUE_BYTES", String.valueOf(1024 * 1024)));
    Vertx vertx = Vertx.vertx();
    StreamHub hub = new StreamHub(queueBytes, new SimpleMeterRegistry());
    vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true).setMaxWebSocketFrameSize(1 << 20))
        .requestHandler(req -> {
          String since = req.getParam("since");
          req.toWebSocket().onSuccess(ws -> hub.attach(ws, null, since == null ? null : Long.parseLong(since)));
        })
        .listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    System.out.println("READY");
    System.out.flush();
    // 1,000 faults of 20 customers x 50 systems, each delta the next one's change.
    Labels[] labels = new Labels[1000];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = Labels.of("customer", "customer-" + (i % 20), "system", "system-" + (i / 20), "host", "host-" + i + ".prod.example.com",
          "job", "node", "rule_group", "infrastructure");
    }
    // Phases start once the expected clients are connected (or after a minute).
    int expect = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (hub.clientCount() < expect && System.nanoTime() < waitUntil) Thread.sleep(100);
    System.out.println("CLIENTS " + hub.clientCount());
    long seq = 0;
    for (String phase : phases) {
      int rate = Integer.parseInt(phase.split(":")[0]);
      int seconds = Integer.parseInt(phase.split(":")[1]);
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(seconds);
      long sent = 0;
      System.out.println("PHASE rate=" + rate + " seconds=" + seconds + " at=" + Instant.now());
      System.out.flush();
      while (System.nanoTime() < end) {
        // Publish what is due by now (a 1 ms cadence, as a busy pipeline hands them over).
        long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
        while (sent < due) {
          int i = (int) (seq++ % labels.length);
          Instant now = Instant.now();
          double micros = now.getEpochSecond() * 1_000_000d + now.getNano() / 1000;
          Labels l = labels[i].with(java.util.Map.of("phase", Integer.toString(rate)));
          Fault f = Fault.pending(String.format("%016x", i), "HighCpuUsage", Severity.P2, l, micros,
                  "CPU usage 97.5% on " + l.get("host") + " for 5 minutes", now)
              .moveTo(FaultState.FIRING, now);
          hub.publishFault(new FaultView(i, f, 1000L + i, null));
          sent++;
        }
        Thread.sleep(1);
      }
    }
    System.out.println("DONE");
    System.out.flush();
    Thread.sleep(Long.getLong("fanout.lingerMs", 3000));
    vertx.close().await(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
