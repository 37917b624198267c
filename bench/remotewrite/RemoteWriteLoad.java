import com.google.protobuf.CodedOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * remote_write load for bench/remotewrite.sh. Single-file program; run with snappy-java and
 * protobuf-java on the class path (Vigil's jar has both):
 *
 *   java -cp vigil.jar RemoteWriteLoad.java generate FILE SERIES BATCH ROUNDS CONNS
 *   java -cp vigil.jar RemoteWriteLoad.java post FILE URL TOKEN|- MAX_SECONDS
 *
 * generate: SERIES series of rw_bench_value, split evenly over CONNS connections; each connection's
 * series get one sample per round (timestamps rising 1 ms a round, so every series is in order for
 * a TSDB), cut into prometheus.WriteRequest bodies of BATCH samples (Prometheus'
 * max_samples_per_send), snappy-compressed, written once to FILE.
 * post: CONNS threads, one per connection's body sequence, each posting its bodies in order as
 * Prometheus' shards do (Content-Encoding: snappy, X-Prometheus-Remote-Write-Version: 0.1.0),
 * retrying 5xx and 429 with backoff like Prometheus; prints one RESULT line.
 */
public class RemoteWriteLoad {
  public static void main(String[] a) throws Exception {
    if (a.length > 0 && a[0].equals("generate")) generate(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[5]));
    else if (a.length > 0 && a[0].equals("post")) post(a[1], a[2], a[3].equals("-") ? null : a[3], Integer.parseInt(a[4]));
    else throw new IllegalArgumentException("usage: generate FILE SERIES BATCH ROUNDS CONNS | post FILE URL TOKEN MAX_SECONDS");
  }

  static void generate(String file, int series, int batch, int rounds, int conns) throws IOException {
    long base = System.currentTimeMillis() - 60_000;
    Random rnd = new Random(42);
    byte[][] labelBytes = new byte[series][];
    for (int i = 0; i < series; i++) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      CodedOutputStream c = CodedOutputStream.newInstance(b);
      // __name__ first, then the others sorted, as Prometheus sends them.
      String[] kv = {"__name__", "rw_bench_value", "customer", "bench", "host", "host" + i, "instance", "host" + i + ":9100",
          "job", "node", "system", "sys" + (i % 100)};
      for (int k = 0; k < kv.length; k += 2) c.writeByteArray(1, label(kv[k], kv[k + 1]));
      c.flush();
      labelBytes[i] = b.toByteArray();
    }
    double[] value = new double[series];
    for (int i = 0; i < series; i++) value[i] = rnd.nextDouble() * 100;
    int per = series / conns;
    long samples = 0;
    long bytes = 0;
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(file), 1 << 20))) {
      out.writeInt(conns);
      for (int conn = 0; conn < conns; conn++) {
        int first = conn * per;
        int count = conn == conns - 1 ? series - first : per;
        long total = (long) count * rounds;
        int bodies = (int) ((total + batch - 1) / batch);
        out.writeInt(bodies);
        long n = 0;
        for (int bi = 0; bi < bodies; bi++) {
          ByteArrayOutputStream req = new ByteArrayOutputStream();
          CodedOutputStream r = CodedOutputStream.newInstance(req);
          int inBody = 0;
          for (; inBody < batch && n < total; inBody++, n++) {
            int s = first + (int) (n % count);
            long ts = base + n / count; // one round = 1 ms later
            value[s] += rnd.nextGaussian();
            ByteArrayOutputStream sb = new ByteArrayOutputStream();
            CodedOutputStream c = CodedOutputStream.newInstance(sb);
            c.writeDouble(1, value[s]);
            c.writeInt64(2, ts);
            c.flush();
            ByteArrayOutputStream tsb = new ByteArrayOutputStream(labelBytes[s].length + 24);
            tsb.write(labelBytes[s]);
            CodedOutputStream t = CodedOutputStream.newInstance(tsb);
            t.writeByteArray(2, sb.toByteArray());
            t.flush();
            r.writeByteArray(1, tsb.toByteArray());
          }
          r.flush();
          byte[] body = Snappy.compress(req.toByteArray());
          out.writeInt(inBody);
          out.writeInt(body.length);
          out.write(body);
          samples += inBody;
          bytes += body.length;
        }
      }
    }
    System.out.println("GENERATED series=" + series + " batch=" + batch + " rounds=" + rounds + " conns=" + conns + " samples=" + samples
        + " compressed_bytes=" + bytes);
  }

  private static byte[] label(String name, String value) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(b);
    c.writeString(1, name);
    c.writeString(2, value);
    c.flush();
    return b.toByteArray();
  }

  record Body(int samples, byte[] bytes) {}

  static void post(String file, String url, String token, int maxSeconds) throws Exception {
    List<List<Body>> perConn = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(file), 1 << 20))) {
      int conns = in.readInt();
      for (int c = 0; c < conns; c++) {
        int n = in.readInt();
        List<Body> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          int samples = in.readInt();
          byte[] b = new byte[in.readInt()];
          in.readFully(b);
          l.add(new Body(samples, b));
        }
        perConn.add(l);
      }
    }
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    AtomicLong acked = new AtomicLong();
    AtomicLong ackedRequests = new AtomicLong();
    AtomicLong retries = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    ConcurrentHashMap<String, AtomicLong> statuses = new ConcurrentHashMap<>();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    long t0 = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (List<Body> bodies : perConn) {
      Thread t = new Thread(() -> {
        for (Body b : bodies) {
          long backoff = 30;
          while (true) {
            if (System.nanoTime() > deadline) return;
            HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0").header("User-Agent", "vigil-bench-remotewrite")
                .POST(HttpRequest.BodyPublishers.ofByteArray(b.bytes()));
            if (token != null) rb.header("Authorization", "Bearer " + token);
            int status;
            long s = System.nanoTime();
            try {
              status = client.send(rb.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (Exception e) {
              status = -1;
            }
            statuses.computeIfAbsent(Integer.toString(status), k -> new AtomicLong()).incrementAndGet();
            if (status / 100 == 2) {
              latencies.add(System.nanoTime() - s);
              acked.addAndGet(b.samples());
              ackedRequests.incrementAndGet();
              break;
            }
            if (status == -1 || status >= 500 || status == 429) { // Prometheus retries these
              retries.incrementAndGet();
              try {
                Thread.sleep(backoff);
              } catch (InterruptedException e) {
                return;
              }
              backoff = Math.min(5000, backoff * 2);
              continue;
            }
            refused.addAndGet(b.samples()); // other 4xx: Prometheus drops the batch
            break;
          }
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) t.join();
    double secs = (System.nanoTime() - t0) / 1e9;
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("RESULT acked_samples=%d acked_requests=%d seconds=%.2f samples_per_s=%.0f retries=%d refused_samples=%d "
            + "lat_p50_ms=%.1f lat_p99_ms=%.1f statuses=%s%n", acked.get(), ackedRequests.get(), secs, acked.get() / secs, retries.get(),
        refused.get(), pct(l, 0.5), pct(l, 0.99), statuses);
  }

  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }
}
