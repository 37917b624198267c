package io.vigil.collectors;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vigil.rules.SampleBatch;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The handler behind a real HTTP server and client, with a recording sink. */
class JsonIngestHandlerTest {
  private Vertx vertx;
  private HttpServer server;
  private HttpClientAgent client;
  private final List<SampleBatch> received = new CopyOnWriteArrayList<>();
  private volatile Future<Void> sinkAnswer = Future.succeededFuture();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    SampleSink sink = batch -> sinkAnswer.onSuccess(v -> received.add(batch));
    Router router = Router.router(vertx);
    router.post("/ingest").handler(BodyHandler.create().setBodyLimit(4096))
        .handler(new JsonIngestHandler(sink, 100, Clock.systemUTC(), new SimpleMeterRegistry()));
    server = vertx.createHttpServer().requestHandler(router).listen(0).await(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private HttpClientResponse post(String type, String body) throws Exception {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setPort(server.actualPort())
        .setHost("127.0.0.1").setURI("/ingest");
    if (type != null) o.putHeader("Content-Type", type);
    return client.request(o).compose(r -> r.send(Buffer.buffer(body)).compose(resp -> resp.body().map(b -> {
      resp.request(); // keep the response usable after the body was read
      lastBody = b.toString();
      return resp;
    }))).await(10, TimeUnit.SECONDS);
  }

  private volatile String lastBody;

  @Test
  void answers204AfterSinkCompletesAndHandsOverTheBatch() throws Exception {
    HttpClientResponse r = post("application/json; charset=utf-8",
        "{\"samples\":[{\"metric\":\"cpu\",\"labels\":{\"host\":\"a\"},\"value\":1}]}");
    assertEquals(204, r.statusCode());
    assertEquals(1, received.size());
    assertEquals("cpu", received.get(0).samples().get(0).metric());
  }

  @Test
  void badSampleGets400WithIndexAndNothingReachesTheSink() throws Exception {
    HttpClientResponse r = post("application/json",
        "{\"samples\":[{\"metric\":\"cpu\",\"value\":1},{\"metric\":\"cpu\",\"value\":\"x\"}]}");
    assertEquals(400, r.statusCode());
    JsonObject body = new JsonObject(lastBody);
    assertEquals(1, body.getInteger("index"));
    assertEquals("value", body.getString("field"));
    assertTrue(received.isEmpty());
  }

  @Test
  void wrongContentTypeGets415() throws Exception {
    HttpClientResponse r = post("text/plain", "{\"samples\":[]}");
    assertEquals(415, r.statusCode());
    assertTrue(new JsonObject(lastBody).getString("error").contains("application/json"));
  }

  @Test
  void sinkUnavailableGets503WithRetryAfter() throws Exception {
    sinkAnswer = Future.failedFuture(new SinkUnavailableException("database down", 7, null));
    HttpClientResponse r = post("application/json", "{\"samples\":[{\"metric\":\"cpu\",\"value\":1}]}");
    assertEquals(503, r.statusCode());
    assertEquals("7", r.getHeader("Retry-After"));
    assertTrue(new JsonObject(lastBody).getString("error").contains("database down"));
    assertTrue(received.isEmpty());
  }

  @Test
  void emptyBodyGets400() throws Exception {
    assertEquals(400, post("application/json", "").statusCode());
  }
}
