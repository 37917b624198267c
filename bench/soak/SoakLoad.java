import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The soak's load and its watch (bench/soak.sh, issue 14): an hour of line protocol at a fixed
 * rate, faults that fire and resolve all along, and a websocket stream client, while it samples
 * the server's memory and connections once a minute.
 *
 * <p>Single-file JDK program, no dependencies:
 * {@code java bench/soak/SoakLoad.java --url=http://127.0.0.1:8080 --token=… --rate=300000 --seconds=3600 --pid=<vigil pid>}
 *
 * <ul>
 *   <li><b>Ingest, open loop.</b> {@code POST /write} batches of {@code --lines} lines over
 *       {@code --series} series (the shape of bench/lineprotocol.sh: {@code bench,customer=load,host=h<i> f1=…,f2=…}),
 *       one every {@code lines / rate} s on a fixed schedule. A request's latency counts from the
 *       moment it was due, not from when it was sent, so a stalled server shows up as latency
 *       instead of as a slower schedule (no coordinated omission). At most {@code --inflight}
 *       requests are open at once.
 *   <li><b>Faults.</b> Every {@code --flap-every} s, {@code soak_flap{customer=soak,host=f<i>}} for
 *       {@code --flap-hosts} hosts flips between 100 and 0 through {@code POST /api/v1/ingest}: with
 *       bench/soak/rules.yaml each host's fault fires and resolves once a cycle, the same
 *       fingerprints over and over (recurrence on their tickets).
 *   <li><b>Stream.</b> One {@code /api/v1/stream} websocket for the whole run: messages counted,
 *       a close is reported.
 *   <li><b>Watch.</b> Once a minute: the server's VmRSS, open file descriptors and sockets
 *       ({@code /proc/<pid>/fd}), and the minute's ingest latency.
 * </ul>
 *
 * <p>Prints a {@code SOAK_MINUTE key=value …} line a minute and one {@code SOAK_RESULT …} line at
 * the end. Exit code 0 when every request was answered 2xx and the stream stayed open, else 1.
 */
public final class SoakLoad {
  private final Map<String, String> o;
  private final String url;
  private final String token;
  private final HttpClient http;
  private final AtomicLong wsMessages = new AtomicLong();
  private final AtomicReference<String> wsClosed = new AtomicReference<>();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong non2xx = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Map<Integer, Long> statuses = new ConcurrentHashMap<>();
  private final AtomicReference<String> firstBad = new AtomicReference<>();
  /** Latencies (µs) of the current minute's completed ingest requests; swapped each minute. */
  private volatile Window window = new Window();

  private SoakLoad(Map<String, String> o) {
    this.o = o;
    this.url = o.getOrDefault("url", "http://127.0.0.1:8080").replaceAll("/+$", "");
    this.token = o.getOrDefault("token", System.getenv("VIGIL_ADMIN_TOKEN"));
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        System.err.println("SoakLoad: arguments are --name=value, got " + a);
        System.exit(2);
      }
      o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    SoakLoad s = new SoakLoad(o);
    if (s.token == null || s.token.isBlank()) {
      System.err.println("SoakLoad: no token (--token=… or VIGIL_ADMIN_TOKEN)");
      System.exit(2);
    }
    System.exit(s.run() ? 0 : 1);
  }

  private int intOpt(String name, int def) {
    return Integer.parseInt(o.getOrDefault(name, Integer.toString(def)));
  }

  private boolean run() throws Exception {
    int rate = intOpt("rate", 300_000);
    int lines = intOpt("lines", 5000);
    int series = intOpt("series", 10_000);
    int seconds = intOpt("seconds", 3600);
    int inflightMax = intOpt("inflight", 8);
    int flapHosts = intOpt("flap-hosts", 20);
    int flapEvery = intOpt("flap-every", 30);
    String pid = o.get("pid");

    WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(url.replaceFirst("^http", "ws") + "/api/v1/stream?token="
            + URLEncoder.encode(token, StandardCharsets.UTF_8)), new Listener())
        .get(10, TimeUnit.SECONDS);

    byte[][] bodies = bodies(lines, series);
    HttpRequest.Builder write = HttpRequest.newBuilder(URI.create(url + "/write?db=soak"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Authorization", "Token " + token);
    Semaphore inflight = new Semaphore(inflightMax);
    long intervalNs = Math.round(lines * 1e9 / rate);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    long nextMinute = start + 60_000_000_000L;
    long nextFlap = start;
    int minute = 0;
    int flaps = 0;
    long sent = 0;
    System.out.printf(Locale.ROOT, "SoakLoad: %d lines/s as %d-line batches every %.1f ms over %d series, %d s; %d flapping faults every %d s; stream connected%n",
        rate, lines, intervalNs / 1e6, series, seconds, flapHosts, flapEvery);
    minuteLine(0, pid);
    for (long due = start; due < end; due += intervalNs) {
      long now;
      while ((now = System.nanoTime()) < due) {
        long waitNs = due - now;
        if (waitNs > 2_000_000) Thread.sleep(waitNs / 1_000_000 - 1); else Thread.onSpinWait();
      }
      if (now >= nextFlap) {
        flap(flaps++, flapHosts);
        nextFlap += flapEvery * 1_000_000_000L;
      }
      if (now >= nextMinute) {
        minuteLine(++minute, pid);
        nextMinute += 60_000_000_000L;
      }
      inflight.acquire(); // a stalled server delays the send; its latency still counts from `due`
      long dueAt = due;
      byte[] body = bodies[(int) (sent++ % bodies.length)];
      http.sendAsync(write.copy().POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> {
            long us = (System.nanoTime() - dueAt) / 1000;
            inflight.release();
            if (e != null) {
              errors.incrementAndGet();
              firstBad.compareAndSet(null, "error " + e);
              return;
            }
            if (r.statusCode() / 100 == 2) {
              ok.incrementAndGet();
              window.add(us);
            } else {
              non2xx.incrementAndGet();
              statuses.merge(r.statusCode(), 1L, Long::sum);
              firstBad.compareAndSet(null, r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length())));
            }
          });
    }
    if (!inflight.tryAcquire(inflightMax, 120, TimeUnit.SECONDS)) errors.incrementAndGet();
    minuteLine(++minute, pid);
    // end with every flapping host resolved, so the fault count at the end is a fact to check
    if (flaps % 2 == 1) flap(flaps++, flapHosts);
    String closedEarly = wsClosed.get(); // before our own close below
    boolean pass = non2xx.get() == 0 && errors.get() == 0 && closedEarly == null;
    System.out.printf(Locale.ROOT, "SOAK_RESULT seconds=%.0f requests=%d ok=%d acked_lines=%d non2xx=%d errors=%d statuses=%s flaps=%d ws_messages=%d ws_closed=%s first_bad=%s%n",
        (System.nanoTime() - start) / 1e9, sent, ok.get(), ok.get() * lines, non2xx.get(), errors.get(), statuses, flaps,
        wsMessages.get(), closedEarly == null ? "no" : closedEarly.replace(' ', '_'), String.valueOf(firstBad.get()).replace(' ', '_'));
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    return pass;
  }

  /** The distinct batch bodies of the rotation (series / lines of them, at least 1). */
  private static byte[][] bodies(int lines, int series) {
    int n = Math.max(1, series / lines);
    byte[][] out = new byte[n][];
    for (int b = 0; b < n; b++) {
      StringBuilder sb = new StringBuilder(lines * 48);
      for (int j = 0; j < lines; j++) {
        int i = (b * lines + j) % series;
        if (j > 0) sb.append('\n');
        sb.append("bench,customer=load,host=h").append(i).append(" f1=").append(i % 100).append(".5,f2=").append(i % 7);
      }
      out[b] = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  /** Cycle k of the flapping faults: odd cycles break the rule, even ones clear it. */
  private void flap(int k, int hosts) {
    StringBuilder sb = new StringBuilder("{\"samples\":[");
    for (int i = 0; i < hosts; i++) {
      if (i > 0) sb.append(',');
      sb.append("{\"metric\":\"soak_flap\",\"labels\":{\"customer\":\"soak\",\"system\":\"s").append(i % 4)
          .append("\",\"host\":\"f").append(i).append("\"},\"value\":").append(k % 2 == 0 ? 100 : 0).append('}');
    }
    sb.append("]}");
    HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/v1/ingest")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(sb.toString())).build();
    http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
      if (e != null) {
        errors.incrementAndGet();
        firstBad.compareAndSet(null, "flap error " + e);
      } else if (r.statusCode() / 100 != 2) {
        non2xx.incrementAndGet();
        statuses.merge(r.statusCode(), 1L, Long::sum);
        firstBad.compareAndSet(null, "flap " + r.statusCode() + " " + r.body());
      }
    });
  }

  private void minuteLine(int minute, String pid) {
    Window w = window;
    window = new Window();
    long[] lat = w.sorted();
    long rss = -1;
    int fds = -1;
    int sockets = -1;
    if (pid != null) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
          if (line.startsWith("VmRSS:")) rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
        fds = 0;
        sockets = 0;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(Path.of("/proc", pid, "fd"))) {
          for (Path fd : d) {
            fds++;
            try {
              if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) sockets++;
            } catch (IOException gone) {
              // closed while listing
            }
          }
        }
      } catch (IOException e) {
        System.err.println("SoakLoad: cannot read /proc/" + pid + ": " + e);
      }
    }
    System.out.printf(Locale.ROOT, "SOAK_MINUTE m=%d requests=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f rss_mib=%d fds=%d sockets=%d ws_messages=%d non2xx=%d errors=%d%n",
        minute, lat.length, pct(lat, 50), pct(lat, 99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1000.0, rss, fds, sockets,
        wsMessages.get(), non2xx.get(), errors.get());
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }

  /** A minute's latencies, appended from the HTTP client's threads. */
  private static final class Window {
    private long[] us = new long[4096];
    private int n;

    synchronized void add(long v) {
      if (n == us.length) us = Arrays.copyOf(us, n * 2);
      us[n++] = v;
    }

    synchronized long[] sorted() {
      long[] s = Arrays.copyOf(us, n);
      Arrays.sort(s);
      return s;
    }
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      if (last) wsMessages.incrementAndGet();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      wsClosed.compareAndSet(null, code + " " + reason);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      wsClosed.compareAndSet(null, "error " + error);
    }
  }
}
