package io.vigil.server.notify;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The slots the router takes for deliveries it inserts already leased to this node: never more than
 * a receiver's max_concurrency in flight, each lease as long as the webhook's timeout plus the
 * margin, and every slot not used given back.
 */
class SenderSlotsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  private final Vertx vertx = Vertx.vertx();
  private final Sender sender = new Sender(vertx, null, new Sender.Directory() {
    @Override
    public Sender.Target target(String receiver, int webhook) {
      return new Sender.Target("http://127.0.0.1:9/hook", Map.of(), Duration.ofSeconds(3), null, 4);
    }

    @Override
    public int maxConcurrency(String receiver) {
      return receiver.equals("pager") ? 4 : 1;
    }

    @Override
    public Duration retryBase() {
      return Duration.ofSeconds(1);
    }

    @Override
    public Duration retryCap() {
      return Duration.ofMinutes(5);
    }

    @Override
    public Duration deadLetterAfter() {
      return Duration.ofHours(24);
    }
  }, Clock.fixed(NOW, ZoneOffset.UTC), new SimpleMeterRegistry());

  @AfterEach
  void close() {
    vertx.close();
  }

  @Test
  void reservesNoMoreThanEachReceiversConcurrencyAndLeasesForTimeoutPlusMargin() {
    Sender.Handoff h = sender.reserve(Map.of("pager", 10, "chat", 3), NOW);
    assertEquals(4, h.slots("pager"));
    assertEquals(1, h.slots("chat"));
    assertEquals(NOW.plusSeconds(3).plus(Sender.LEASE_MARGIN), h.leaseUntil().get("pager"));
    assertEquals(Map.of("pager", 4, "chat", 1), sender.inFlight());
    // Everything is taken: a second pass gets nothing until slots come back.
    assertSame(Sender.Handoff.NONE, sender.reserve(Map.of("pager", 1, "chat", 1), NOW));
  }

  @Test
  void slotsNotUsedAreGivenBackAfterTheCommitOrARollback() {
    Sender.Handoff h = sender.reserve(Map.of("pager", 3), NOW);
    assertEquals(3, h.slots("pager"));
    sender.handOff(h, List.of()); // rolled back, or every row existed already
    assertEquals(Map.of("pager", 0), sender.inFlight());
    assertEquals(4, sender.reserve(Map.of("pager", 9), NOW).slots("pager"));
  }
}
