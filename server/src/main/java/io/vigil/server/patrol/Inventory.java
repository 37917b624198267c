package io.vigil.server.patrol;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vigil.collectors.patrol.SystemDirectory;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.SystemSpec;
import io.vigil.web.ApiError;
import io.vigil.web.InventoryService;
import io.vigil.web.NotFoundException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The inventory as the rest of Vigil sees it: stored in PostgreSQL, read from an in-memory snapshot
 * (reloaded after every committed change and by {@link #refresh()}, which the server runs
 * periodically for changes made on other nodes). Each new snapshot goes to the listener (NoData
 * watch, probe schedule, grading tiers). Non-blocking, thread-safe.
 */
public final class Inventory implements InventoryService, SystemDirectory {
  private final PgInventoryStore store;
  private final PatrolReports reports;
  private final Clock clock;
  private final ZoneId defaultZone;
  private volatile PgInventoryStore.Snapshot snapshot = new PgInventoryStore.Snapshot(List.of(), List.of());
  private volatile Consumer<PgInventoryStore.Snapshot> listener = s -> {};

  public Inventory(PgInventoryStore store, PatrolReports reports, Clock clock, ZoneId defaultZone) {
    this.store = store;
    this.reports = reports;
    this.clock = clock;
    this.defaultZone = defaultZone;
  }

  /** Called with every new snapshot (from any thread). */
  public void onChange(Consumer<PgInventoryStore.Snapshot> l) {
    listener = l;
  }

  public PgInventoryStore.Snapshot snapshot() {
    return snapshot;
  }

  /** Re-reads the inventory; tells the listener only when it changed. */
  public Future<PgInventoryStore.Snapshot> refresh() {
    return store.load().map(s -> {
      boolean changed = !s.equals(snapshot);
      snapshot = s;
      if (changed) listener.accept(s);
      return s;
    });
  }

  @Override
  public ZoneId defaultZone() {
    return defaultZone;
  }

  @Override
  public List<String> customersOf(String system) {
    List<String> out = new ArrayList<>(1);
    for (SystemSpec s : snapshot.systems()) if (s.id().equals(system)) out.add(s.customer());
    return out;
  }

  @Override
  public Future<List<CustomerSpec>> customers() {
    return Future.succeededFuture(snapshot.customers());
  }

  @Override
  public Future<CustomerSpec> customer(String id) {
    return Future.succeededFuture(find(id));
  }

  private CustomerSpec find(String id) {
    for (CustomerSpec c : snapshot.customers()) if (c.id().equals(id)) return c;
    throw new NotFoundException("no customer '" + id + "'");
  }

  @Override
  public Future<CustomerSpec> createCustomer(CustomerSpec c, String actor) {
    return after(store.insertCustomer(c, actor));
  }

  @Override
  public Future<CustomerSpec> updateCustomer(CustomerSpec c, String actor) {
    return after(store.updateCustomer(c, actor));
  }

  @Override
  public Future<Void> deleteCustomer(String id, String actor) {
    return after(store.deleteCustomer(id, actor));
  }

  @Override
  public Future<List<SystemSpec>> systems(String customer) {
    find(customer);
    return Future.succeededFuture(snapshot.systems().stream().filter(s -> s.customer().equals(customer)).toList());
  }

  @Override
  public Future<SystemSpec> system(String customer, String id) {
    find(customer);
    for (SystemSpec s : snapshot.systems()) if (s.customer().equals(customer) && s.id().equals(id)) return Future.succeededFuture(s);
    throw new NotFoundException("customer '" + customer + "' has no system '" + id + "'");
  }

  @Override
  public Future<SystemSpec> createSystem(SystemSpec s, String actor) {
    return after(store.insertSystem(s, actor));
  }

  @Override
  public Future<SystemSpec> updateSystem(SystemSpec s, String actor) {
    return after(store.updateSystem(s, actor));
  }

  @Override
  public Future<Void> deleteSystem(String customer, String id, String actor) {
    return after(store.deleteSystem(customer, id, actor));
  }

  /** A committed change: refresh the snapshot (so the caller's next read sees it), then answer. */
  private <T> Future<T> after(Future<T> change) {
    return change.compose(v -> refresh().map(s -> v));
  }

  @Override
  public Future<JsonObject> patrolReport(String customer, String date) {
    CustomerSpec c = find(customer);
    LocalDate today = LocalDate.now(clock.withZone(c.zone()));
    LocalDate day;
    if (date == null || date.isBlank()) {
      day = today.minusDays(1);
    } else {
      try {
        day = LocalDate.parse(date.trim());
      } catch (DateTimeParseException e) {
        throw new ApiError(400, "'date': YYYY-MM-DD, got '" + date + "'", "date");
      }
      if (day.isAfter(today)) throw new ApiError(400, "'date': " + day + " has not begun in " + c.zone().getId() + " (today is " + today + ")", "date");
    }
    List<SystemSpec> systems = snapshot.systems().stream().filter(s -> s.customer().equals(customer)).toList();
    return reports.stored(customer, day).compose(stored -> stored != null ? Future.succeededFuture(stored)
        : reports.generate(c, systems, day, clock.instant()));
  }
}
