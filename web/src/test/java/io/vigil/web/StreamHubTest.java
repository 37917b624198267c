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
  private long seq0;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    hub = new StreamHub(1024 * 1024, new SimpleMeterRegistry());
    seq0 = hub.seq();
    server = vertx.createHttpServer().requestHandler(req -> {
      String since = req.getParam("since");
      String customer = req.getParam("customer");
      req.toWebSocket().onSuccess(ws -> hub.attach(ws, customer, since == null ? null : Long.parseLong(since)));
    }).listen(0)
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
    return connect(into, "/");
  }

  private WebSocket connect(BlockingQueue<JsonObject> into, String uri) throws Exception {
    // Handler first: the snapshot is sent the moment the server accepts the socket.
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(t -> {
      JsonObject m = new JsonObject(t);
      if ("batch".equals(m.getString("type"))) m.getJsonArray("messages").forEach(x -> into.add((JsonObject) x));
      else into.add(m);
    });
    ws.connect(server.actualPort(), "127.0.0.1", uri).await(10, TimeUnit.SECONDS);
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
    assertEquals(seq0 + 3, snap.getLong("seq"));
    assertEquals(1, snap.getJsonArray("faults").size(), "resolved faults leave the picture");
    assertEquals("fp2", snap.getJsonArray("faults").getJsonObject(0).getString("fingerprint"));
    hub.publishFault(fault(3, FaultState.FIRING, ""));
    JsonObject delta = got.poll(10, TimeUnit.SECONDS);
    assertEquals(seq0 + 4, delta.getLong("seq"));
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
    long expectSeq = seq0 + 1;
    for (int i = 0; i < n; i++) {
      hub.publishFault(fault(i, FaultState.FIRING, pad));
      // The reading client stays within 100 messages (~100 KB, a tenth of its bound) of the
      // publisher, however slow this machine is; the paused one falls behind without limit.
      while (i - (expectSeq - seq0 - 1) >= 100 || (i == n - 1 && expectSeq <= seq0 + n)) {
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

  private static FaultView fault(int i, String customer, int value) {
    Fault f = Fault.pending("fp" + i, "R", Severity.P2, Labels.of("host", "h" + i, "customer", customer), value, "s" + i, Instant.EPOCH)
        .moveTo(FaultState.FIRING, Instant.EPOCH);
    return new FaultView(i, f, null);
  }

  @Test
  void aClientReconnectingWithItsLastSeqGetsTheLatestMissedStatesOfItsCustomerOnly() throws Exception {
    hub.publishFault(fault(1, "acme", 1));
    BlockingQueue<JsonObject> first = new LinkedBlockingQueue<>();
    WebSocket ws = connect(first, "/?customer=acme");
    long last = first.poll(10, TimeUnit.SECONDS).getLong("seq");
    ws.close().await(10, TimeUnit.SECONDS);
    hub.publishFault(fault(2, "acme", 2));
    hub.publishFault(fault(3, "globex", 3));
    hub.publishFault(fault(2, "acme", 5));
    BlockingQueue<JsonObject> again = new LinkedBlockingQueue<>();
    connect(again, "/?customer=acme&since=" + last);
    JsonObject resume = again.poll(10, TimeUnit.SECONDS);
    assertEquals("resume", resume.getString("type"), resume.encode());
    assertEquals(last, resume.getLong("from"));
    assertEquals(seq0 + 4, resume.getLong("seq"));
    JsonObject b = again.poll(10, TimeUnit.SECONDS);
    assertEquals(seq0 + 4, b.getLong("seq"), "fp2's latest state (its two changes merged), not globex's fp3");
    assertEquals(5.0, b.getJsonObject("fault").getDouble("value"));
    hub.publishFault(fault(4, "acme", 4));
    assertEquals(seq0 + 5, again.poll(10, TimeUnit.SECONDS).getLong("seq"), "then live");
    assertNull(again.poll(200, TimeUnit.MILLISECONDS), "nothing twice");
  }

  @Test
  void aSeqTheHubNoLongerHoldsOrFromAnotherRunGetsASnapshot() throws Exception {
    StreamHub small = new StreamHub(1024 * 1024, 3, 1000, new SimpleMeterRegistry());
    hub = small;
    for (int i = 0; i < 5; i++) small.publishFault(fault(i, "acme", i));
    BlockingQueue<JsonObject> old = new LinkedBlockingQueue<>();
    connect(old, "/?since=1001");
    JsonObject m = old.poll(10, TimeUnit.SECONDS);
    assertEquals("snapshot", m.getString("type"), "1002 is gone (3 kept): a snapshot");
    assertEquals(5, m.getJsonArray("faults").size());
    BlockingQueue<JsonObject> future = new LinkedBlockingQueue<>();
    connect(future, "/?since=99999999");
    assertEquals("snapshot", future.poll(10, TimeUnit.SECONDS).getString("type"), "a seq ahead of this hub is another run's");
    BlockingQueue<JsonObject> recent = new LinkedBlockingQueue<>();
    connect(recent, "/?since=1002");
    assertEquals("resume", recent.poll(10, TimeUnit.SECONDS).getString("type"), "1003.. are all held");
    assertEquals(1003, recent.poll(10, TimeUnit.SECONDS).getLong("seq"));
  }

  @Test
  void aSlowClientGetsTheLatestStateOfEachFaultInsteadOfBeingDropped() throws Exception {
    BlockingQueue<JsonObject> slow = new LinkedBlockingQueue<>();
    WebSocket slowWs = connect(slow);
    assertEquals("snapshot", slow.poll(10, TimeUnit.SECONDS).getString("type"));
    slowWs.pause();
    // 10 faults changing 5,000 times each: ~50 MB of deltas, far past the socket buffers and the
    // 1 MiB queue, but only 10 states are ever current.
    String pad = "x".repeat(1000);
    for (int round = 0; round < 5000; round++) {
      for (int i = 0; i < 10; i++) {
        Fault f = Fault.pending("fp" + i, "R", Severity.P2, Labels.of("host", "h" + i, "pad", pad), round, "s" + i, Instant.EPOCH)
            .moveTo(FaultState.FIRING, Instant.EPOCH);
        hub.publishFault(new FaultView(i, f, null));
      }
    }
    assertEquals(1, hub.clientCount(), "still connected");
    slowWs.resume();
    java.util.Map<String, Double> latest = new java.util.HashMap<>();
    long lastSeq = 0;
    while (latest.size() < 10 || latest.values().stream().anyMatch(v -> v != 4999.0)) {
      JsonObject m = slow.poll(20, TimeUnit.SECONDS);
      assertNotNull(m, "the latest states arrive; so far " + latest);
      assertEquals("fault", m.getString("type"), m.encode());
      assertTrue(m.getLong("seq") > lastSeq, "in order");
      lastSeq = m.getLong("seq");
      latest.put(m.getJsonObject("fault").getString("fingerprint"), m.getJsonObject("fault").getDouble("value"));
    }
    assertEquals(hub.seq(), lastSeq, "the last message is the last change");
  }
}
