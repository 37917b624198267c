package io.vigil.server;

import io.vertx.core.Future;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.MaintenanceWindow;
import io.vigil.rules.mute.Muter;
import io.vigil.rules.mute.Silence;
import io.vigil.server.storage.PgMuteStore;
import io.vigil.web.ApiError;
import io.vigil.web.MuteService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The silences, maintenance windows and inhibit rules in force, held in memory as one immutable
 * {@link Muter} so the pipeline decides muting without a database round trip. Loaded at start;
 * changed through the API (stored first, then applied); reloaded by {@link #refresh()} so changes
 * made on another node apply within the refresh period. Listeners hear about every change that
 * may alter muting. Thread-safe: the maps are guarded by this object, the Muter is a volatile snapshot.
 */
public final class MuteRegistry implements MuteService {
  private final PgMuteStore store;
  private final Clock clock;
  private volatile List<InhibitRule> fileRules;
  private final Map<String, Silence> silences = new LinkedHashMap<>();
  private final Map<String, MaintenanceWindow> windows = new LinkedHashMap<>();
  private final Map<String, InhibitRule> apiRules = new LinkedHashMap<>();
  /** Bumped by every local change; a refresh that overlapped one is discarded (the next refresh catches up). */
  private final AtomicLong changes = new AtomicLong();
  private volatile Muter muter = Muter.NONE;
  private volatile Runnable onChange = () -> {};
  /** Until {@link #inventory} is called (tests of the registry alone), nothing is checked. */
  private volatile InventoryBindings bindings;

  /** @param fileRules inhibit rules from the rules file; they cannot be deleted through the API */
  public MuteRegistry(PgMuteStore store, Clock clock, List<InhibitRule> fileRules) {
    this.store = store;
    this.clock = clock;
    this.fileRules = List.copyOf(fileRules);
    rebuild();
  }

  /** A rules-file reload brought new inhibit rules: they replace the file's old ones at once. */
  public void fileRules(List<InhibitRule> rules) {
    synchronized (this) {
      fileRules = List.copyOf(rules);
      changes.incrementAndGet();
      rebuild();
    }
    onChange.run();
  }

  /** From now on, new silences, windows and inhibit rules must name customers and systems it knows. */
  public void inventory(java.util.function.Supplier<io.vigil.server.patrol.PgInventoryStore.Snapshot> inventory) {
    this.bindings = new InventoryBindings(inventory);
  }

  private Future<Void> known(java.util.function.Function<InventoryBindings, Future<Void>> check) {
    InventoryBindings b = bindings;
    return b == null ? Future.succeededFuture() : check.apply(b);
  }

  /** Called after every change that may alter muting, on the thread that made it. */
  public void onChange(Runnable listener) {
    this.onChange = listener;
  }

  /** The current decision maker; silences that have expired are dropped lazily here. */
  public Muter muter() {
    Muter m = muter;
    Instant now = clock.instant();
    if (m.silences().stream().anyMatch(s -> !s.endsAt().isAfter(now))) {
      synchronized (this) {
        silences.values().removeIf(s -> !s.endsAt().isAfter(now));
        rebuild();
        m = muter;
      }
    }
    return m;
  }

  /** Loads (or reloads) everything from the database. */
  public Future<Void> refresh() {
    long before = changes.get();
    Instant now = clock.instant();
    return store.unexpiredSilences(now).compose(s -> store.windows().compose(w -> store.inhibitRules().map(r -> {
      synchronized (this) {
        if (changes.get() != before) return null;
        // Unchanged (the usual 30 s refresh): no remute of every active fault.
        if (sameById(silences, s, Silence::id) && sameById(windows, w, MaintenanceWindow::id) && sameById(apiRules, r, InhibitRule::id)) return null;
        silences.clear();
        s.forEach(x -> silences.put(x.id(), x));
        windows.clear();
        w.forEach(x -> windows.put(x.id(), x));
        apiRules.clear();
        r.forEach(x -> apiRules.put(x.id(), x));
        rebuild();
      }
      onChange.run();
      return null;
    })));
  }

  private static <T> boolean sameById(Map<String, T> held, List<T> loaded, java.util.function.Function<T, String> id) {
    if (held.size() != loaded.size()) return false;
    for (T x : loaded) if (!x.equals(held.get(id.apply(x)))) return false;
    return true;
  }

  private synchronized void rebuild() {
    List<InhibitRule> rules = new ArrayList<>(fileRules);
    rules.addAll(apiRules.values());
    muter = new Muter(silences.values(), windows.values(), rules);
  }

  private <T> T changed(Runnable update, T result) {
    synchronized (this) {
      changes.incrementAndGet();
      update.run();
      rebuild();
    }
    onChange.run();
    return result;
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Future<Silence> createSilence(Silence draft, String actor) {
    return known(b -> b.silence(draft)).compose(v -> store.insertSilence(draft, actor)).map(s -> changed(() -> silences.put(s.id(), s), s));
  }

  @Override
  public Future<List<Silence>> silences(int limit) {
    return store.silences(limit);
  }

  @Override
  public Future<Silence> silence(String id) {
    return store.silence(id);
  }

  @Override
  public Future<Silence> expireSilence(String id, String actor) {
    return store.expireSilence(id, clock.instant(), actor).map(s -> changed(() -> silences.remove(id), s));
  }

  @Override
  public Future<MaintenanceWindow> createWindow(MaintenanceWindow draft, String actor) {
    return known(b -> b.window(draft)).compose(v -> store.insertWindow(draft, actor)).map(w -> changed(() -> windows.put(w.id(), w), w));
  }

  @Override
  public Future<List<MaintenanceWindow>> windows() {
    return store.windows();
  }

  @Override
  public Future<MaintenanceWindow> window(String id) {
    return store.window(id);
  }

  @Override
  public Future<Void> deleteWindow(String id, String actor) {
    return store.deleteWindow(id, clock.instant(), actor).map(v -> changed(() -> windows.remove(id), null));
  }

  @Override
  public Future<List<InhibitRule>> inhibitRules() {
    return store.inhibitRules().map(api -> {
      List<InhibitRule> all = new ArrayList<>(fileRules);
      all.addAll(api);
      return all;
    });
  }

  @Override
  public Future<InhibitRule> createInhibitRule(InhibitRule draft, String actor) {
    return known(b -> b.inhibitRule(draft)).compose(v -> store.insertInhibitRule(draft, actor)).map(r -> changed(() -> apiRules.put(r.id(), r), r));
  }

  @Override
  public Future<Void> deleteInhibitRule(String id, String actor) {
    for (InhibitRule r : fileRules) {
      if (r.id().equals(id)) {
        return Future.failedFuture(new ApiError(409, "inhibit rule '" + id + "' comes from the rules file: change the file instead"));
      }
    }
    return store.deleteInhibitRule(id, clock.instant(), actor).map(v -> changed(() -> apiRules.remove(id), null));
  }

  @Override
  public String toString() {
    Muter m = muter;
    return "MuteRegistry[silences=" + m.silences().size() + ", windows=" + m.windows().size() + ", inhibitRules=" + m.inhibitRules().size() + "]";
  }
}
