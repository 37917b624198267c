package io.vigil.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vigil.rules.Labels;
import io.vigil.rules.alerts.Alert;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertsHandlerTest {
  /** As Prometheus 2.42's notifier sends it (nanosecond times, endsAt always set). */
  private static final String FROM_PROMETHEUS = """
      [{"annotations":{"summary":"always on"},"endsAt":"2026-11-23T08:45:04.487Z","startsAt":"2026-11-23T08:41:00.487123456Z",
        "generatorURL":"http://127.0.0.1:9090/graph?g0.expr=vector%281%29+%3E+0&g0.tab=1",
        "labels":{"alertname":"AlwaysFiring","severity":"critical","customer":"acme"}}]""";

  @Test
  void decodesWhatPrometheusSends() {
    List<Alert> alerts = AlertsHandler.decode(Buffer.buffer(FROM_PROMETHEUS));
    assertEquals(1, alerts.size());
    Alert a = alerts.get(0);
    assertEquals(Labels.of("alertname", "AlwaysFiring", "severity", "critical", "customer", "acme"), a.labels());
    assertEquals(Map.of("summary", "always on"), a.annotations());
    assertEquals(Instant.parse("2026-11-23T08:41:00.487123456Z"), a.startsAt());
    assertEquals(Instant.parse("2026-11-23T08:45:04.487Z"), a.endsAt());
    assertTrue(a.generatorUrl().startsWith("http://127.0.0.1:9090/graph"));
  }

  @Test
  void missingAndGoZeroTimesAreUnset() {
    Alert a = AlertsHandler.decode(Buffer.buffer("[{\"labels\":{\"alertname\":\"X\"},\"endsAt\":\"0001-01-01T00:00:00Z\"}]")).get(0);
    assertNull(a.startsAt());
    assertNull(a.endsAt());
  }

  @Test
  void refusesAlertWithoutAlertnameNamingIndexAndField() {
    IngestException e = assertThrows(IngestException.class,
        () -> AlertsHandler.decode(Buffer.buffer("[{\"labels\":{\"alertname\":\"A\"}},{\"labels\":{\"job\":\"x\"}}]")));
    assertEquals(400, e.status());
    assertEquals(1, e.index());
    assertEquals("labels", e.field());
  }

  @Test
  void refusesEndsAtBeforeStartsAt() {
    IngestException e = assertThrows(IngestException.class, () -> AlertsHandler.decode(Buffer.buffer(
        "[{\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"2026-01-02T00:00:00Z\",\"endsAt\":\"2026-01-01T00:00:00Z\"}]")));
    assertEquals("endsAt", e.field());
  }

  @Test
  void refusesNonStringAnnotationAndBadTime() {
    assertEquals("annotations", assertThrows(IngestException.class, () -> AlertsHandler.decode(Buffer.buffer(
        "[{\"labels\":{\"alertname\":\"A\"},\"annotations\":{\"n\":1}}]"))).field());
    assertEquals("startsAt", assertThrows(IngestException.class, () -> AlertsHandler.decode(Buffer.buffer(
        "[{\"labels\":{\"alertname\":\"A\"},\"startsAt\":\"yesterday\"}]"))).field());
  }

  @Test
  void refusesNonArrayAndBadJson() {
    assertEquals(400, assertThrows(IngestException.class, () -> AlertsHandler.decode(Buffer.buffer("{\"labels\":{}}"))).status());
    assertEquals(400, assertThrows(IngestException.class, () -> AlertsHandler.decode(Buffer.buffer("[{"))).status());
  }

  @Test
  void bindStampsTheTokensCustomerAndRefusesAnAlertNamingAnother() {
    List<Alert> alerts = AlertsHandler.decode(Buffer.buffer(
        "[{\"labels\":{\"alertname\":\"A\"}},{\"labels\":{\"alertname\":\"B\",\"customer\":\"acme\"}}]"));
    List<Alert> bound = AlertsHandler.bind(alerts, Tenancy.of("acme"));
    assertEquals("acme", bound.get(0).labels().get("customer"));
    assertEquals(alerts.get(1), bound.get(1));
    assertSame(alerts, AlertsHandler.bind(alerts, Tenancy.OPEN));
    IngestException e = assertThrows(IngestException.class, () -> AlertsHandler.bind(alerts, Tenancy.of("globex")));
    assertEquals(403, e.status());
    assertEquals("alert 1 claims customer 'acme' but this token is bound to customer 'globex'; nothing of this request was stored", e.getMessage());
    assertEquals("labels.customer", e.toJson().getString("field"));
  }

  @Test
  void malformedJsonIsNamedByLineAndColumnWithoutParserInternals() {
    IngestException e = assertThrows(IngestException.class, () -> AlertsHandler.decode(Buffer.buffer("[{\"labels\":{\"alertname\":\"X\"}}")));
    assertEquals(400, e.status());
    assertEquals("malformed JSON at line 1, column 30: Unexpected end-of-input: expected close marker for Array", e.getMessage());
  }
}
