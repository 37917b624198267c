package io.vigil.web;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.Fault;
import io.vigil.rules.FaultState;
import io.vigil.rules.Labels;
import io.vigil.rules.Severity;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hub behind a real websocket server, with real websocket clients. */
class StreamHubTest {
  private Vertx vertx;
  private StreamHub hub;
  private HttpServer server;
  private WebSocketClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    hub = new StreamHub(1024 * 1024, new SimpleMeterRegistry());
    server = vertx.createHttpServer().requestHandler(req -> req.toWebSocket().onSuccess(hub::attach)).listen(0)
        .await(10, TimeUnit.SECONDS);
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static FaultView fault(int i, FaultState state, String padding) {
    Fault f = Fault.pending("fp" + i, "R", Severity.P2, Labels.of("host", "h" + i, "pad", padding), i, "s" + i, Instant.EPOCH);
    if (state != FaultState.PENDING) f = f.moveTo(state, Instant.EPOCH);
    return new FaultView(i, f, null);
  }

  private WebSocket connect(BlockingQueue<JsonObject> into) throws Exception {
    // Handler first: the snapshot is sent the moment the server accepts the socket.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(t -> into.add(new JsonObject(t)));
    ws.connect(server.actualPort(), "127.0.0.1", "/").await(10, TimeUnit.SECONDS);
    return ws;
  }

  @Test
  void snapshotCarriesCurrentPictureAndSeqThenDeltasFollowWithSeqPlusOne() throws Exception {
    hub.publishFault(fault(1, FaultState.FIRING, ""));
    hub.publishFault(fault(2, FaultState.FIRING, ""));
    hub.publishFault(fault(1, FaultState.RESOLVED, ""));
    BlockingQueue<JsonObject> got = new LinkedBlockingQueue<>();
    connect(got);
    JsonObject snap = got.poll(10, TimeUnit.SECONDS);
    assertEquals("snapshot", snap.getString("type"));
    assertEquals(3, snap.getLong("seq"));
    assertEquals(1, snap.getJsonArray("faults").size(), "resolved faults leave the picture");
    assertEquals("fp2", snap.getJsonArray("faults").getJsonObject(0).getString("fingerprint"));
    hub.publishFault(fault(3, FaultState.FIRING, ""));
    JsonObject delta = got.poll(10, TimeUnit.SECONDS);
    assertEquals(4, delta.getLong("seq"));
    assertEquals("fp3", delta.getJsonObject("fault").getString("fingerprint"));
  }

  @Test
  void slowClientIsToldAndDisconnectedWhileFastClientGetsEveryDeltaInOrder() throws Exception {
    BlockingQueue<JsonObject> fast = new LinkedBlockingQueue<>();
    BlockingQueue<JsonObject> slow = new LinkedBlockingQueue<>();
    connect(fast);
    WebSocket slowWs = connect(slow);
    CompletableFuture<Short> slowClosed = new CompletableFuture<>();
    slowWs.closeHandler(v -> slowClosed.complete(slowWs.closeStatusCode()));
    assertEquals("snapshot", fast.poll(10, TimeUnit.SECONDS).getString("type"));
    assertEquals("snapshot", slow.poll(10, TimeUnit.SECONDS).getString("type"));
    slowWs.pause(); // stops reading: kernel buffers fill, then the server-side queue

    String pad = "x".repeat(1000); // about the size of a real fault message
    int n = 30_000; // ~36 MB in all: beyond loopback socket buffers (a few MB) plus the 1 MiB bound
    long expectSeq = 1;
    for (int i = 0; i < n; i++) {
      hub.publishFault(fault(i, FaultState.FIRING, pad));
      // The reading client stays within 100 messages (~100 KB, a tenth of its bound) of the
      // publisher, however slow this machine is; the paused one falls behind without limit.
      while (i - (expectSeq - 1) >= 100 || (i == n - 1 && expectSeq <= n)) {
        JsonObject m = fast.poll(20, TimeUnit.SECONDS);
        assertNotNull(m, "reading client missed delta " + expectSeq);
        assertEquals(expectSeq++, m.getLong("seq"));
      }
    }
    assertEquals(1, hub.clientCount(), "the slow client was dropped");

    slowWs.resume();
    Short code = slowClosed.get(20, TimeUnit.SECONDS);
    assertEquals((short) 1013, code);
    List<JsonObject> slowGot = List.copyOf(slow);
    assertFalse(slowGot.isEmpty());
    JsonObject last = slowGot.get(slowGot.size() - 1);
    assertEquals("overflow", last.getString("type"), "the slow client is told why before the close");
    assertTrue(slowGot.size() < n, "the slow client did not get everything buffered for it");
  }
}
