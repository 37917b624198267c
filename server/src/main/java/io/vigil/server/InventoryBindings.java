package io.vigil.server;

import io.vertx.core.Future;
import io.vigil.rules.Matcher;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.MaintenanceWindow;
import io.vigil.rules.mute.Silence;
import io.vigil.rules.patrol.SystemSpec;
import io.vigil.server.patrol.PgInventoryStore.Snapshot;
import io.vigil.web.ApiError;
import java.util.List;
import java.util.function.Supplier;

/**
 * Refuses a silence, maintenance window or inhibit rule bound to a customer or system that the
 * inventory does not know (issue 11, tenancy): a typo such as {@code customer="acne"} would
 * otherwise be stored and mute nothing, silently. "Bound" means an equality matcher on the
 * {@code customer} or {@code system} label (regex matchers are patterns, not names, and pass). The
 * answer is a 400 that names the value and the field it came from. Reads the in-memory inventory
 * snapshot, so it never waits on the database.
 */
final class InventoryBindings {
  private final Supplier<Snapshot> inventory;

  InventoryBindings(Supplier<Snapshot> inventory) {
    this.inventory = inventory;
  }

  Future<Void> silence(Silence s) {
    return matchers(s.matchers(), "matchers");
  }

  Future<Void> inhibitRule(InhibitRule r) {
    return matchers(r.sourceMatch(), "sourceMatch").compose(v -> matchers(r.targetMatch(), "targetMatch"));
  }

  Future<Void> window(MaintenanceWindow w) {
    String problem = unknown(w.customer(), w.system());
    if (problem == null) return Future.succeededFuture();
    String field = hasCustomer(w.customer()) ? "system" : "customer";
    return Future.failedFuture(new ApiError(400, problem.replace("FIELD", field), field));
  }

  private Future<Void> matchers(List<Matcher> ms, String field) {
    String customer = null;
    String system = null;
    int customerAt = -1;
    int systemAt = -1;
    for (int i = 0; i < ms.size(); i++) {
      Matcher m = ms.get(i);
      if (m.type() != Matcher.Type.EQ) continue;
      if (m.name().equals("customer")) {
        customer = m.value();
        customerAt = i;
      } else if (m.name().equals("system")) {
        system = m.value();
        systemAt = i;
      }
    }
    if (customer == null && system == null) return Future.succeededFuture();
    String problem = unknown(customer, system);
    if (problem == null) return Future.succeededFuture();
    String where = field + "[" + (customer != null && !hasCustomer(customer) ? customerAt : systemAt) + "]";
    return Future.failedFuture(new ApiError(400, problem.replace("FIELD", where), where));
  }

  private boolean hasCustomer(String id) {
    return id == null || inventory.get().customers().stream().anyMatch(c -> c.id().equals(id));
  }

  /** Null when both are known (or absent); otherwise the message, with FIELD for the caller to fill. */
  private String unknown(String customer, String system) {
    if (!hasCustomer(customer)) {
      return "'FIELD': no customer '" + customer + "' in the inventory (POST /api/v1/customers first)";
    }
    if (system == null) return null;
    List<SystemSpec> systems = inventory.get().systems();
    boolean known = systems.stream().anyMatch(s -> s.id().equals(system) && (customer == null || s.customer().equals(customer)));
    if (known) return null;
    return customer == null
        ? "'FIELD': no system '" + system + "' in the inventory (POST /api/v1/customers/{customer}/systems first)"
        : "'FIELD': customer '" + customer + "' has no system '" + system + "' in the inventory (POST /api/v1/customers/"
            + customer + "/systems first)";
  }
}
