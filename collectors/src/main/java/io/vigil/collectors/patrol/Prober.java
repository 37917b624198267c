package io.vigil.collectors.patrol;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vigil.rules.patrol.HostPort;
import io.vigil.rules.patrol.ProbeSpec;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one probe, non-blocking, on Vert.x's own clients: HTTP(S) through the core HTTP client (no
 * keep-alive, so every run measures a fresh connection as a user would see it), TCP connect and TLS
 * handshake through a {@link NetClient}. A probe never fails its future: every outcome, timeouts
 * included, is a {@link ProbeResult}. Thread-safe; the clients are fields so they live as long as this.
 */
public final class Prober {
  /** HTTP bodies are searched for the keyword within their first MiB; the rest is read and discarded. */
  static final int MAX_BODY = 1 << 20;
  private final HttpClient http;
  private final NetClient net;
  private final Clock clock;

  public Prober(Vertx vertx, Clock clock) {
    this.clock = clock;
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(64));
    this.net = vertx.createNetClient(new NetClientOptions());
  }

  public Future<ProbeResult> run(ProbeSpec spec) {
    long start = System.nanoTime();
    long timeoutMs = spec.timeout().toMillis();
    Future<ProbeResult> f;
    try {
      f = switch (spec.type()) {
        case HTTP -> http(spec, start, timeoutMs);
        case TCP -> tcp(spec, start, timeoutMs);
        case TLS -> tls(spec, start, timeoutMs);
      };
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    // The clients' own timeouts cover connect and idle time; this one bounds the run as a whole.
    return f.timeout(timeoutMs + 50, TimeUnit.MILLISECONDS)
        .recover(t -> Future.succeededFuture(ProbeResult.failed(seconds(start), describe(t, timeoutMs))));
  }

  private Future<ProbeResult> http(ProbeSpec spec, long start, long timeoutMs) {
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(spec.target())
        .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs).setFollowRedirects(false).putHeader("User-Agent", "Vigil-patrol");
    return http.request(req).compose(r -> r.send()).compose(resp -> {
      Buffer body = Buffer.buffer();
      if (spec.keyword() != null) {
        resp.handler(b -> {
          int room = MAX_BODY - body.length();
          if (room > 0) body.appendBuffer(b, 0, Math.min(room, b.length()));
        });
      } else {
        resp.handler(b -> {});
      }
      return resp.end().map(v -> {
        int status = resp.statusCode();
        boolean ok = spec.statusOk(status);
        String error = ok ? null : "status " + status;
        if (ok && spec.keyword() != null && !body.toString(StandardCharsets.UTF_8).contains(spec.keyword())) {
          ok = false;
          error = "keyword '" + spec.keyword() + "' not in the body";
        }
        return new ProbeResult(ok, seconds(start), status, null, error);
      });
    });
  }

  private Future<ProbeResult> tcp(ProbeSpec spec, long start, long timeoutMs) {
    HostPort hp = HostPort.parse(spec.target());
    return net.connect(new ConnectOptions().setHost(hp.host()).setPort(hp.port()).setTimeout((int) timeoutMs))
        .map(socket -> {
          double s = seconds(start);
          socket.close();
          return new ProbeResult(true, s, null, null, null);
        });
  }

  private Future<ProbeResult> tls(ProbeSpec spec, long start, long timeoutMs) {
    HostPort hp = HostPort.parse(spec.target());
    // Trust everything: the point is to read the certificate and its expiry even when it is
    // self-signed or already expired; a failed handshake still fails the probe.
    ClientSSLOptions ssl = new ClientSSLOptions().setTrustAll(true).setHostnameVerificationAlgorithm("")
        .setSslHandshakeTimeout(timeoutMs).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    ConnectOptions opts = new ConnectOptions().setHost(hp.host()).setPort(hp.port()).setTimeout((int) timeoutMs)
        .setSsl(true).setSslOptions(ssl);
    if (!hp.host().matches("[0-9.]+|.*:.*")) opts.setSniServerName(hp.host());
    return net.connect(opts).map(socket -> {
      double s = seconds(start);
      try {
        List<Certificate> chain = socket.peerCertificates();
        if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
          return ProbeResult.failed(s, "no X.509 certificate presented");
        }
        double days = (leaf.getNotAfter().getTime() - clock.millis()) / 86_400_000.0;
        boolean valid = days > 0 && !leaf.getNotBefore().after(new java.util.Date(clock.millis()));
        return new ProbeResult(valid, s, null, days, valid ? null : "certificate not valid now (notAfter " + leaf.getNotAfter().toInstant() + ")");
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        return ProbeResult.failed(s, "no peer certificate: " + e.getMessage());
      } finally {
        socket.close();
      }
    });
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String describe(Throwable t, long timeoutMs) {
    if (t instanceof java.util.concurrent.TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
      return "timed out after " + timeoutMs + " ms";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  public Future<Void> close() {
    return http.close().compose(v -> net.close());
  }
}
