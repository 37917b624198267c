import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault-to-wall latency: how long from "a sample that breaks a rule is sent" to "the wall's
 * websocket says the fault is firing".
 *
 * <p>Single-file JDK program, no dependencies: {@code java bench/latency/LatencyBench.java --url=http://127.0.0.1:8080 --token=...}
 *
 * <p>Needs a server whose rules contain {@code up == 0} with {@code for: 0s} (bench/rules.yaml).
 * For i = 1..warmup+n, one at a time: t0 = nanoTime just before POSTing
 * {@code up{customer=<customer>,system=s<i>,host=h<i>} = 0} (a new series, so a new fault), then
 * t1 = nanoTime when the websocket listener receives the "fault" message with state "firing" for
 * host h<i>. The first {@code warmup} faults are not counted. Every {@code resolve-every} faults
 * the open ones are resolved (one batch of up=1, and the bench waits for their "resolved"
 * messages) outside the timed section, so the wall's active set stays bounded.
 *
 * <p>Prints a human summary and one {@code RESULT key=value ...} line for scripts.
 * Exit code 0 if every fault arrived and every ingest answered 204, 1 otherwise.
 */
public final class LatencyBench {

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    String url = o.getOrDefault("url", "http://127.0.0.1:8080").replaceAll("/+$", "");
    String token = o.getOrDefault("token", System.getenv("VIGIL_ADMIN_TOKEN"));
    int n = Integer.parseInt(o.getOrDefault("n", "1000"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "100"));
    int resolveEvery = Integer.parseInt(o.getOrDefault("resolve-every", "100"));
    long timeoutMs = Long.parseLong(o.getOrDefault("timeout-ms", "10000"));
    String customer = o.getOrDefault("customer", "bench");
    if (token == null || token.isBlank()) {
      System.err.println("LatencyBench: no token (--token=... or VIGIL_ADMIN_TOKEN)");
      System.exit(2);
    }
    if (!url.startsWith("http://127.0.0.1") && !url.startsWith("http://localhost") && !o.containsKey("allow-remote")) {
      System.err.println("LatencyBench: refusing a non-local URL " + url + " (pass --allow-remote to override)");
      System.exit(2);
    }
    new LatencyBench(url, token, customer, timeoutMs).run(n, warmup, resolveEvery);
  }

  private final String url;
  private final String token;
  private final String customer;
  private final long timeoutMs;
  private final HttpClient http;
  /** "host|state" → receipt time (nanoTime) of the matching fault message. */
  private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
  private final CompletableFuture<Long> snapshot = new CompletableFuture<>();
  private final CompletableFuture<String> closed = new CompletableFuture<>();
  private final AtomicLong lastSeq = new AtomicLong(-1);
  private final AtomicLong seqGaps = new AtomicLong();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong unparsable = new AtomicLong();

  private LatencyBench(String url, String token, String customer, long timeoutMs) {
    this.url = url;
    this.token = token;
    this.customer = customer;
    this.timeoutMs = timeoutMs;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private void run(int n, int warmup, int resolveEvery) throws Exception {
    String wsUrl = url.replaceFirst("^http", "ws") + "/api/v1/stream?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(wsUrl), new Listener()).get(10, TimeUnit.SECONDS);
    long snapSeq = snapshot.get(10, TimeUnit.SECONDS);
    System.out.printf(Locale.ROOT, "LatencyBench: stream connected, snapshot seq=%d; raising %d faults one at a time (+%d warm-up, not counted), resolving every %d%n",
        snapSeq, n, warmup, resolveEvery);

    long[] fault = new long[n];
    long[] ack = new long[n];
    int measured = 0;
    int timeouts = 0;
    int resolveTimeouts = 0;
    int non204 = 0;
    Map<Integer, Integer> statuses = new LinkedHashMap<>();
    List<Integer> open = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 1; i <= warmup + n; i++) {
      String host = "h" + i;
      CompletableFuture<Long> arrival = arrival(host, "firing");
      HttpRequest req = ingestBody(sample(i, 0));
      // ---- timed section ----
      long t0 = System.nanoTime();
      HttpResponse<Void> resp = http.send(req, HttpResponse.BodyHandlers.discarding());
      long tAck = System.nanoTime();
      Long t1 = null;
      if (resp.statusCode() == 204) {
        try {
          t1 = arrival.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          timeouts++;
          System.err.printf("LatencyBench: no firing message for %s within %d ms%n", host, timeoutMs);
        }
      } else {
        non204++;
        statuses.merge(resp.statusCode(), 1, Integer::sum);
      }
      // ---- end of timed section ----
      arrivals.remove(host + "|firing");
      if (closed.isDone()) throw new IllegalStateException("websocket closed: " + closed.getNow(""));
      if (i > warmup && t1 != null) {
        fault[measured] = t1 - t0;
        ack[measured] = tAck - t0;
        measured++;
      }
      open.add(i);
      if (open.size() >= resolveEvery || i == warmup + n) {
        resolveTimeouts += resolve(open);
        open.clear();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);

    long[] f = Arrays.copyOf(fault, measured);
    long[] a = Arrays.copyOf(ack, measured);
    Arrays.sort(f);
    Arrays.sort(a);
    System.out.printf(Locale.ROOT, "  faults measured: %d (warm-up %d not counted), wall time %.1f s, websocket messages %d%n", measured, warmup, seconds, messages.get());
    System.out.printf(Locale.ROOT, "  sample sent -> websocket 'firing' (ms): median %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f%n",
        ms(pct(f, 50)), ms(pct(f, 90)), ms(pct(f, 99)), ms(max(f)), ms(mean(f)));
    System.out.printf(Locale.ROOT, "  sample sent -> ingest 204     (ms): median %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f%n",
        ms(pct(a, 50)), ms(pct(a, 90)), ms(pct(a, 99)), ms(max(a)), ms(mean(a)));
    System.out.printf(Locale.ROOT, "  firing timeouts %d, resolve timeouts %d, non-204 ingests %d %s, stream seq gaps %d, unparsable messages %d%n",
        timeouts, resolveTimeouts, non204, statuses, seqGaps.get(), unparsable.get());
    System.out.printf(Locale.ROOT,
        "RESULT count=%d warmup=%d median_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f mean_ms=%.2f ack_median_ms=%.2f ack_p99_ms=%.2f timeouts=%d resolve_timeouts=%d non204=%d seq_gaps=%d%n",
        measured, warmup, ms(pct(f, 50)), ms(pct(f, 90)), ms(pct(f, 99)), ms(max(f)), ms(mean(f)), ms(pct(a, 50)), ms(pct(a, 99)),
        timeouts, resolveTimeouts, non204, seqGaps.get());
    System.exit(timeouts == 0 && resolveTimeouts == 0 && non204 == 0 && seqGaps.get() == 0 && measured == n ? 0 : 1);
  }

  /** Resolves the given faults with one batch of up=1 and waits until the stream reports each resolved. Returns timeouts. */
  private int resolve(List<Integer> ids) throws Exception {
    if (ids.isEmpty()) return 0;
    List<CompletableFuture<Long>> waits = new ArrayList<>();
    StringBuilder body = new StringBuilder("{\"samples\":[");
    for (int k = 0; k < ids.size(); k++) {
      waits.add(arrival("h" + ids.get(k), "resolved"));
      if (k > 0) body.append(',');
      body.append(sampleJson(ids.get(k), 1));
    }
    body.append("]}");
    HttpResponse<String> resp = http.send(ingestBody(body.toString()), HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 204) throw new IllegalStateException("resolve batch answered " + resp.statusCode() + ": " + resp.body());
    int timeouts = 0;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeoutMs, 30_000));
    for (int k = 0; k < waits.size(); k++) {
      try {
        waits.get(k).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        timeouts++;
        System.err.printf("LatencyBench: no resolved message for h%d%n", ids.get(k));
      }
      arrivals.remove("h" + ids.get(k) + "|resolved");
    }
    return timeouts;
  }

  private CompletableFuture<Long> arrival(String host, String state) {
    return arrivals.computeIfAbsent(host + "|" + state, k -> new CompletableFuture<>());
  }

  private String sampleJson(int i, double value) {
    return "{\"metric\":\"up\",\"labels\":{\"customer\":\"" + customer + "\",\"system\":\"s" + i + "\",\"host\":\"h" + i + "\"},\"value\":" + value + "}";
  }

  private String sample(int i, double value) {
    return "{\"samples\":[" + sampleJson(i, value) + "]}";
  }

  private HttpRequest ingestBody(String body) {
    return HttpRequest.newBuilder(URI.create(url + "/api/v1/ingest"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** Collects whole text messages; stamps each with nanoTime when its last fragment arrives. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder buf = new StringBuilder();

    @Override
    public void onOpen(WebSocket ws) {
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      long now = System.nanoTime();
      buf.append(data);
      if (last) {
        String text = buf.toString();
        buf.setLength(0);
        try {
          handle(text, now);
        } catch (RuntimeException e) {
          unparsable.incrementAndGet();
          System.err.println("LatencyBench: cannot handle message (" + e + "): " + text.substring(0, Math.min(200, text.length())));
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete("error: " + error);
      snapshot.completeExceptionally(error);
    }
  }

  @SuppressWarnings("unchecked")
  private void handle(String text, long now) {
    Map<String, Object> m = (Map<String, Object>) new Json(text).value();
    // A batch carries the deltas that waited for the previous message, in order.
    if ("batch".equals(m.get("type"))) {
      for (Object d : (List<Object>) m.get("messages")) handle((Map<String, Object>) d, now);
    } else {
      handle(m, now);
    }
  }

  @SuppressWarnings("unchecked")
  private void handle(Map<String, Object> m, long now) {
    messages.incrementAndGet();
    String type = (String) m.get("type");
    long seq = m.get("seq") instanceof Number num ? num.longValue() : -1;
    if ("snapshot".equals(type)) {
      lastSeq.set(seq);
      snapshot.complete(seq);
      return;
    }
    if (seq >= 0) {
      long prev = lastSeq.getAndSet(seq);
      if (prev >= 0 && seq != prev + 1) {
        seqGaps.incrementAndGet();
        System.err.printf("LatencyBench: stream seq jumped from %d to %d (%s)%n", prev, seq, type);
      }
    }
    if ("overflow".equals(type)) System.err.println("LatencyBench: server dropped us as too slow: " + m);
    if (!"fault".equals(type)) return;
    Map<String, Object> fault = (Map<String, Object>) m.get("fault");
    Map<String, Object> labels = (Map<String, Object>) fault.get("labels");
    if (labels == null || !customer.equals(labels.get("customer"))) return;
    arrival(String.valueOf(labels.get("host")), String.valueOf(fault.get("state"))).complete(now);
  }

  // ---------------------------------------------------------------- statistics

  /** Nearest-rank percentile of a sorted array. */
  private static long pct(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static long max(long[] sorted) {
    return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
  }

  private static double mean(long[] v) {
    return v.length == 0 ? 0 : Arrays.stream(v).average().orElse(0);
  }

  private static double ms(double nanos) {
    return nanos / 1e6;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (String a : args) {
      if (!a.startsWith("--")) throw new IllegalArgumentException("options look like --name=value, got " + a);
      int eq = a.indexOf('=');
      if (eq < 0) o.put(a.substring(2), "true");
      else o.put(a.substring(2, eq), a.substring(eq + 1));
    }
    return o;
  }

  // ---------------------------------------------------------------- minimal JSON reader

  /** Just enough JSON for the stream's messages: objects → LinkedHashMap, arrays → List, numbers → Double/Long. */
  private static final class Json {
    private final String s;
    private int i;

    Json(String s) {
      this.s = s;
    }

    Object value() {
      ws();
      if (i >= s.length()) throw error("unexpected end");
      char c = s.charAt(i);
      switch (c) {
        case '{': return object();
        case '[': return array();
        case '"': return string();
        case 't': expect("true"); return Boolean.TRUE;
        case 'f': expect("false"); return Boolean.FALSE;
        case 'n': expect("null"); return null;
        default: return number();
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      ws();
      if (peek() == '}') {
        i++;
        return m;
      }
      while (true) {
        ws();
        String k = string();
        ws();
        if (s.charAt(i++) != ':') throw error("expected ':'");
        m.put(k, value());
        ws();
        char c = s.charAt(i++);
        if (c == '}') return m;
        if (c != ',') throw error("expected ',' or '}'");
      }
    }

    private List<Object> array() {
      List<Object> l = new ArrayList<>();
      i++;
      ws();
      if (peek() == ']') {
        i++;
        return l;
      }
      while (true) {
        l.add(value());
        ws();
        char c = s.charAt(i++);
        if (c == ']') return l;
        if (c != ',') throw error("expected ',' or ']'");
      }
    }

    private String string() {
      if (s.charAt(i) != '"') throw error("expected a string");
      i++;
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> b.append(e);
        }
      }
    }

    private Object number() {
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
      String t = s.substring(start, i);
      if (t.isEmpty()) throw error("unexpected character");
      if (t.indexOf('.') < 0 && t.indexOf('e') < 0 && t.indexOf('E') < 0) return Long.parseLong(t);
      return Double.parseDouble(t);
    }

    private void expect(String word) {
      if (!s.startsWith(word, i)) throw error("expected " + word);
      i += word.length();
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : '\0';
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at offset " + i);
    }
  }
}
