package io.vigil.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.FlapPolicy;
import io.vigil.rules.GradingPolicy;
import io.vigil.rules.Labels;
import io.vigil.rules.Rule;
import io.vigil.rules.RuleFileException;
import io.vigil.rules.RuleSet;
import io.vigil.rules.RulesFile;
import io.vigil.server.storage.PgConfigStore;
import io.vigil.web.ApiError;
import io.vigil.web.RuleAdmin;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules in force: the rules file's plus those managed through the API (stored versioned in
 * PostgreSQL), with the API's grading / flapping overriding the file's when set. Every change is
 * validated by the same parser as the file (an API definition is the file's YAML shape, as JSON),
 * stored, then applied to the engine; a change that does not validate changes nothing.
 *
 * <p>Changes are serialised (one chain), so two admins editing at once cannot interleave; the
 * store's version check also refuses a change based on a stale version (409). Reads are lock-free
 * snapshots. Non-blocking.
 */
public final class RuleCatalog implements RuleAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(RuleCatalog.class);
  private static final String API_SOURCE = "api";

  /** One immutable view of both sources and what they make together. */
  private record State(String fileName, String fileText, RuleSet file, Map<String, PgConfigStore.Current> apiRules,
      Map<String, PgConfigStore.Current> settings, RuleSet effective) {}

  private final PgConfigStore store;
  private final Clock clock;
  private final Function<RuleSet, Future<Void>> apply;
  private volatile State state;
  private Future<?> chain = Future.succeededFuture();

  /** @param apply puts a rule set into force (the pipeline's reload); completes once it is */
  public RuleCatalog(PgConfigStore store, Clock clock, Function<RuleSet, Future<Void>> apply) {
    this.store = store;
    this.clock = clock;
    this.apply = apply;
  }

  /**
   * Loads the API's definitions and merges them with the file (already validated by the caller).
   * An API rule that no longer validates with this version (or clashes with a file rule) is left
   * out with a warning rather than keeping Vigil from starting.
   */
  public Future<RuleSet> load(String fileName, String fileText, RuleSet file) {
    return store.current().map(all -> {
      Map<String, PgConfigStore.Current> rules = new LinkedHashMap<>();
      Map<String, PgConfigStore.Current> settings = new LinkedHashMap<>();
      Set<String> fileNames = names(file.rules());
      for (PgConfigStore.Current c : all) {
        if (!c.kind().equals("rule")) {
          settings.put(c.kind(), c);
          continue;
        }
        try {
          if (fileNames.contains(c.name())) throw new RuleFileException(List.of("the rules file defines '" + c.name() + "' too"));
          parseRules(List.of(c.definition()));
          rules.put(c.name(), c);
        } catch (IllegalArgumentException e) {
          LOG.warn("rules.api_rule_skipped name={} version={} cause=\"{}\"", c.name(), c.version(), e.getMessage().replace('\n', ' '));
        }
      }
      RuleSet effective;
      try {
        effective = merge(file, rules, settings);
      } catch (IllegalArgumentException e) {
        LOG.warn("rules.api_settings_skipped cause=\"{}\"", e.getMessage().replace('\n', ' '));
        settings.clear();
        effective = merge(file, rules, settings);
      }
      state = new State(fileName, fileText, file, rules, settings, effective);
      LOG.info("rules.catalog fileRules={} apiRules={} apiSettings={}", file.rules().size(), rules.size(), settings.keySet());
      return effective;
    });
  }

  /** The rules file was re-read: merge it with the API's definitions; refused (nothing changes) if they clash. */
  public Future<RuleSet> reloadFile(String fileName, String fileText) {
    return serial(() -> {
      State s = state;
      RuleSet file = RulesFile.load(fileName, fileText);
      for (String n : names(file.rules())) {
        if (s.apiRules().containsKey(n)) {
          throw new RuleFileException(List.of(fileName + ": rule '" + n + "' is also managed through the API; "
              + "DELETE /api/v1/rules/" + n + " first or rename it"));
        }
      }
      RuleSet effective = merge(file, s.apiRules(), s.settings());
      return apply.apply(effective).map(v -> {
        state = new State(fileName, fileText, file, s.apiRules(), s.settings(), effective);
        return effective;
      });
    });
  }

  public RuleSet effective() {
    return state.effective();
  }

  @Override
  public List<RuleInfo> rules() {
    State s = state;
    List<RuleInfo> out = new ArrayList<>();
    Set<String> fileNames = names(s.file().rules());
    for (Rule r : s.effective().rules()) {
      PgConfigStore.Current c = s.apiRules().get(r.name());
      out.add(fileNames.contains(r.name()) ? new RuleInfo(r, "file", null) : new RuleInfo(r, API_SOURCE, c == null ? null : c.version()));
    }
    return out;
  }

  @Override
  public Future<RuleInfo> create(JsonObject definition, String actor) {
    return serial(() -> {
      String name = nameOf(definition, null);
      State s = state;
      if (names(s.file().rules()).contains(name)) throw new ApiError(409, "rule '" + name + "' is defined in the rules file " + s.fileName() + "; change it there", "name");
      if (s.apiRules().containsKey(name)) throw new ApiError(409, "rule '" + name + "' exists (version " + s.apiRules().get(name).version() + "); use PUT /api/v1/rules/" + name, "name");
      expectVersion(definition, 0, "rule '" + name + "'");
      return putRule(s, name, PgConfigStore.ABSENT, definition, actor);
    });
  }

  @Override
  public Future<RuleInfo> update(String name, JsonObject definition, String actor) {
    return serial(() -> {
      State s = state;
      nameOf(definition, name);
      definition.put("name", name);
      if (names(s.file().rules()).contains(name)) throw new ApiError(409, "rule '" + name + "' is defined in the rules file " + s.fileName() + "; change it there");
      PgConfigStore.Current c = s.apiRules().get(name);
      if (c == null) throw new ApiError(404, "no API-managed rule '" + name + "'; create it with POST /api/v1/rules");
      expectVersion(definition, c.version(), "rule '" + name + "'");
      return putRule(s, name, c.version(), definition, actor);
    });
  }

  @Override
  public Future<Void> delete(String name, String actor) {
    return serial(() -> {
      State s = state;
      if (names(s.file().rules()).contains(name)) throw new ApiError(409, "rule '" + name + "' is defined in the rules file " + s.fileName() + "; remove it there");
      PgConfigStore.Current c = s.apiRules().get(name);
      if (c == null) throw new ApiError(404, "no API-managed rule '" + name + "'");
      Map<String, PgConfigStore.Current> rules = new LinkedHashMap<>(s.apiRules());
      rules.remove(name);
      RuleSet effective = merge(s.file(), rules, s.settings());
      return store.append("rule", name, c.version(), null, actor, clock.instant())
          .compose(v -> apply.apply(effective))
          .map(v -> {
            state = new State(s.fileName(), s.fileText(), s.file(), rules, s.settings(), effective);
            return (Void) null;
          });
    });
  }

  private Future<RuleInfo> putRule(State s, String name, int basedOn, JsonObject definition, String actor) {
    Map<String, PgConfigStore.Current> rules = new LinkedHashMap<>(s.apiRules());
    rules.put(name, new PgConfigStore.Current("rule", name, Math.max(basedOn, 0) + 1, definition));
    RuleSet effective = validated(() -> merge(s.file(), rules, s.settings()));
    return store.append("rule", name, basedOn, definition, actor, clock.instant())
        .compose(version -> apply.apply(effective).map(v -> {
          rules.put(name, new PgConfigStore.Current("rule", name, version, definition));
          state = new State(s.fileName(), s.fileText(), s.file(), rules, s.settings(), effective);
          Rule r = effective.rules().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
          return new RuleInfo(r, API_SOURCE, version);
        }));
  }

  @Override
  public Future<List<Version>> versions(String kind, String name) {
    return store.versions(kind, name).compose(v -> v.isEmpty()
        ? Future.failedFuture(new ApiError(404, "no versions of " + kind + " '" + name + "'"
            + (kind.equals("rule") && names(state.file().rules()).contains(name) ? " (it comes from the rules file, which is versioned by you)" : "")))
        : Future.succeededFuture(v));
  }

  @Override
  public JsonObject setting(String name) {
    State s = state;
    PgConfigStore.Current c = s.settings().get(name);
    return new JsonObject().put("source", c == null ? "file" : API_SOURCE).put("version", c == null ? null : c.version())
        .put("definition", c == null ? describe(name, s.effective()) : c.definition());
  }

  /**
   * Optimistic concurrency (issue 14): a write may say which version it was based on, as
   * {@code "version": n} in its body (0: there is none yet); a stale one is refused with 409 naming
   * the current version, so two editors cannot overwrite each other unseen. The field is taken out
   * of the definition before it is validated. Without it the write applies to the current version.
   */
  static void expectVersion(JsonObject definition, int current, String what) {
    if (!definition.containsKey("version")) return;
    Object v = definition.remove("version");
    if (!(v instanceof Integer expected) || expected < 0) {
      throw new ApiError(400, "'version' must be the whole number of the version this change is based on (0: none yet)", "version");
    }
    if (expected != current) {
      throw new ApiError(409, what + " is at version " + current + ", this change was based on version " + expected
          + ": read it again (GET) and apply the change to the current version", "version");
    }
  }

  @Override
  public Future<JsonObject> putSetting(String name, JsonObject definition, String actor) {
    return serial(() -> {
      State s = state;
      Map<String, PgConfigStore.Current> settings = new LinkedHashMap<>(s.settings());
      PgConfigStore.Current old = settings.get(name);
      int basedOn = old == null ? PgConfigStore.ABSENT : old.version();
      expectVersion(definition, old == null ? 0 : old.version(), name);
      settings.put(name, new PgConfigStore.Current(name, name, Math.max(basedOn, 0) + 1, definition));
      RuleSet effective = validated(() -> merge(s.file(), s.apiRules(), settings));
      return store.append(name, name, basedOn, definition, actor, clock.instant())
          .compose(version -> apply.apply(effective).map(v -> {
            settings.put(name, new PgConfigStore.Current(name, name, version, definition));
            state = new State(s.fileName(), s.fileText(), s.file(), s.apiRules(), settings, effective);
            return setting(name);
          }));
    });
  }

  @Override
  public Future<JsonObject> deleteSetting(String name, String actor) {
    return serial(() -> {
      State s = state;
      PgConfigStore.Current old = s.settings().get(name);
      if (old == null) throw new ApiError(404, "no API override of " + name + "; the rules file's applies");
      Map<String, PgConfigStore.Current> settings = new LinkedHashMap<>(s.settings());
      settings.remove(name);
      RuleSet effective = merge(s.file(), s.apiRules(), settings);
      return store.append(name, name, old.version(), null, actor, clock.instant())
          .compose(v -> apply.apply(effective))
          .map(v -> {
            state = new State(s.fileName(), s.fileText(), s.file(), s.apiRules(), settings, effective);
            return setting(name);
          });
    });
  }

  // ---- merging ------------------------------------------------------------------------------

  // ---- inventory tiers (patrol) ---------------------------------------------------------------

  /** customer → contract tier from the inventory; laid under the grading policy's own {@code customers:}. */
  private volatile Map<String, String> inventoryTiers = Map.of();

  /** Sets the inventory's tiers before {@link #load} (nothing is applied yet). */
  public void initialInventoryTiers(Map<String, String> tiers) {
    inventoryTiers = Map.copyOf(tiers);
  }

  /**
   * The inventory changed: grading uses its contract tiers for customers the grading policy's own
   * {@code customers:} map does not name (an explicit grading entry is an override and wins).
   */
  public Future<RuleSet> inventoryTiers(Map<String, String> tiers) {
    return serial(() -> {
      if (tiers.equals(inventoryTiers)) return Future.succeededFuture(state.effective());
      inventoryTiers = Map.copyOf(tiers);
      State s = state;
      RuleSet effective = merge(s.file(), s.apiRules(), s.settings());
      return apply.apply(effective).map(v -> {
        state = new State(s.fileName(), s.fileText(), s.file(), s.apiRules(), s.settings(), effective);
        return effective;
      });
    });
  }

  private RuleSet merge(RuleSet file, Map<String, PgConfigStore.Current> apiRules, Map<String, PgConfigStore.Current> settings) {
    RuleSet merged = mergeSources(file, apiRules, settings);
    Map<String, String> tiers = inventoryTiers;
    if (tiers.isEmpty()) return merged;
    GradingPolicy g = merged.grading();
    Map<String, String> customers = new LinkedHashMap<>(tiers);
    customers.putAll(g.customerTiers());
    return new RuleSet(merged.rules(), new GradingPolicy(g.scope(), g.duration(), g.tiers(), customers, g.criticality()), merged.flapping());
  }

  private static RuleSet mergeSources(RuleSet file, Map<String, PgConfigStore.Current> apiRules, Map<String, PgConfigStore.Current> settings) {
    List<JsonObject> defs = new ArrayList<>();
    for (PgConfigStore.Current c : apiRules.values()) defs.add(c.definition());
    List<Rule> rules = new ArrayList<>(file.rules());
    rules.addAll(parseRules(defs));
    GradingPolicy grading = settings.containsKey("grading") ? gradingOf(settings.get("grading").definition()) : file.grading();
    FlapPolicy flapping = settings.containsKey("flapping") ? flappingOf(settings.get("flapping").definition()) : file.flapping();
    return new RuleSet(rules, grading, flapping);
  }

  /** API definitions are the rules file's shape; JSON is YAML, so the file's parser reads them as they are. */
  private static List<Rule> parseRules(List<JsonObject> defs) {
    if (defs.isEmpty()) return List.of();
    return RulesFile.parse("api", new JsonObject().put("rules", new JsonArray(new ArrayList<>(defs))).encode());
  }

  private static GradingPolicy gradingOf(JsonObject def) {
    return GradingPolicy.parse(def.getMap());
  }

  private static FlapPolicy flappingOf(JsonObject def) {
    return FlapPolicy.parse(def.getMap());
  }

  private static RuleSet validated(java.util.function.Supplier<RuleSet> build) {
    try {
      return build.get();
    } catch (RuleFileException e) {
      throw new ApiError(400, String.join("; ", e.problems()).replace("api: rule #1: ", "").replace("api: ", ""));
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, e.getMessage());
    }
  }

  private static JsonObject describe(String setting, RuleSet set) {
    if (setting.equals("flapping")) {
      FlapPolicy f = set.flapping();
      return f.enabled()
          ? new JsonObject().put("transitions", f.transitions()).put("window", io.vigil.rules.Durations.format(f.window()))
              .put("quiet", io.vigil.rules.Durations.format(f.quiet()))
          : new JsonObject().put("enabled", false);
    }
    GradingPolicy g = set.grading();
    JsonArray scope = new JsonArray();
    g.scope().forEach(st -> scope.add(new JsonObject().put("systems", st.systems()).put("raise", st.raise())));
    JsonArray duration = new JsonArray();
    g.duration().forEach(st -> duration.add(new JsonObject().put("after", io.vigil.rules.Durations.format(st.after())).put("raise", st.raise())));
    return new JsonObject().put("scope", scope).put("duration", duration).put("tiers", new JsonObject(new LinkedHashMap<>(g.tiers())))
        .put("customers", new JsonObject(new LinkedHashMap<>(g.customerTiers()))).put("criticality", new JsonObject(new LinkedHashMap<>(g.criticality())));
  }

  private static String nameOf(JsonObject def, String pathName) {
    Object n = def.getValue("name");
    if (n == null && pathName != null) return pathName;
    if (!(n instanceof String name) || name.isBlank()) throw new ApiError(400, "missing 'name'", "name");
    if (!Labels.NAME.matcher(name).matches()) throw new ApiError(400, "name must match " + Labels.NAME.pattern(), "name");
    if (pathName != null && !pathName.equals(name)) {
      throw new ApiError(400, "name '" + name + "' in the body differs from '" + pathName + "' in the path (renaming is delete + create)", "name");
    }
    return name;
  }

  private static Set<String> names(List<Rule> rules) {
    Set<String> out = new HashSet<>();
    for (Rule r : rules) out.add(r.name());
    return out;
  }

  /** Runs changes one after another; a synchronous throw becomes the failed future. */
  private synchronized <T> Future<T> serial(java.util.concurrent.Callable<Future<T>> change) {
    Future<T> next = chain.transform(ignored -> {
      try {
        return change.call();
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    });
    chain = next;
    return next;
  }
}
