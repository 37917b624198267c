package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vigil.server.demo.DemoClients;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/** The demo's inventory goes in through the real REST API, and a second run (409s) changes nothing. */
class DemoInventoryIT {
  @Test
  void demoRegistersItsCustomersSystemsAndProbesOnceAndARerunKeepsThem() throws Exception {
    try (TestVigil v = new TestVigil()) {
      HttpClient http = HttpClient.newHttpClient();
      DemoClients.registerInventory(http, v.http.base, TestVigil.ADMIN, DemoClients.SYSTEMS);
      DemoClients.registerInventory(http, v.http.base, TestVigil.ADMIN, DemoClients.SYSTEMS);
      JsonArray customers = v.http.get("/api/v1/customers").json().getJsonArray("customers");
      assertEquals(3, customers.size(), customers.encode());
      assertEquals("7", v.sql("SELECT count(*) FROM systems"));
      assertEquals("7x24", v.sql("SELECT tier FROM customers WHERE id = 'acme'"));
      JsonArray erp = v.http.get("/api/v1/customers/acme/systems").json().getJsonArray("systems");
      String probes = erp.stream().map(Object::toString).filter(s -> s.contains("\"id\":\"erp\"")).findFirst().orElseThrow();
      assertTrue(probes.contains("\"type\":\"http\"") && probes.contains("/healthz"), probes);
      assertTrue(probes.contains("\"heartbeatInterval\":\"1m\"") || probes.contains("\"heartbeatInterval\":\"PT1M\""), probes);
    }
  }
}
