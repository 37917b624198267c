package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vigil.rules.Durations;
import io.vigil.rules.patrol.Criticality;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.HostPort;
import io.vigil.rules.patrol.ProbeSpec;
import io.vigil.rules.patrol.SystemSpec;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/customers}, {@code /api/v1/customers/{id}/systems} and
 * {@code /api/v1/customers/{id}/patrol-report}. Validates input (400 with {@code error} and
 * {@code field}), then hands over to the {@link InventoryService}. Admins change, viewers read.
 * Mount it before {@link WebApi#mount} (which ends {@code /api/*} with a 404). Handlers never block.
 */
public final class PatrolApi {
  /** Ids are the {@code customer} / {@code system} label values: short, URL- and label-safe. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern TIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.x-]{0,31}");
  private static final int SMALL_BODY = 64 * 1024;
  private static final int MAX_PROBES = 20;
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  private static final Duration MAX_INTERVAL = Duration.ofDays(7);
  private final InventoryService inventory;
  private final Auth auth;

  public PatrolApi(InventoryService inventory, Auth auth) {
    this.inventory = inventory;
    this.auth = auth;
  }

  public void mount(Router router) {
    BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);
    router.post("/api/v1/customers").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> Http.answerWithBody(ctx,
        b -> inventory.createCustomer(customer(b, null, inventory.defaultZone()), actor(ctx)).map(PatrolApi::customerJson), 201));
    router.get("/api/v1/customers").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx,
        () -> inventory.customers().map(l -> new JsonObject().put("customers", array(l, PatrolApi::customerJson))), 200));
    router.get("/api/v1/customers/:id").handler(auth.require(Role.VIEWER))
        .handler(ctx -> Http.answer(ctx, () -> inventory.customer(ctx.pathParam("id")).map(PatrolApi::customerJson), 200));
    router.put("/api/v1/customers/:id").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> Http.answerWithBody(ctx,
        b -> inventory.updateCustomer(customer(b, ctx.pathParam("id"), inventory.defaultZone()), actor(ctx)).map(PatrolApi::customerJson), 200));
    router.delete("/api/v1/customers/:id").handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answer(ctx, () -> inventory.deleteCustomer(ctx.pathParam("id"), actor(ctx)), 204));

    router.post("/api/v1/customers/:id/systems").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> Http.answerWithBody(ctx,
        b -> inventory.createSystem(system(b, ctx.pathParam("id"), null), actor(ctx)).map(PatrolApi::systemJson), 201));
    router.get("/api/v1/customers/:id/systems").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx,
        () -> inventory.systems(ctx.pathParam("id")).map(l -> new JsonObject().put("systems", array(l, PatrolApi::systemJson))), 200));
    router.get("/api/v1/customers/:id/systems/:system").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx,
        () -> inventory.system(ctx.pathParam("id"), ctx.pathParam("system")).map(PatrolApi::systemJson), 200));
    router.put("/api/v1/customers/:id/systems/:system").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> Http.answerWithBody(ctx,
        b -> inventory.updateSystem(system(b, ctx.pathParam("id"), ctx.pathParam("system")), actor(ctx)).map(PatrolApi::systemJson), 200));
    router.delete("/api/v1/customers/:id/systems/:system").handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answer(ctx, () -> inventory.deleteSystem(ctx.pathParam("id"), ctx.pathParam("system"), actor(ctx)), 204));

    router.get("/api/v1/customers/:id/patrol-report").handler(auth.require(Role.VIEWER)).handler(this::report);
  }

  private void report(RoutingContext ctx) {
    String date = ctx.request().getParam("date");
    String format = ctx.request().getParam("format");
    if (format != null && !format.equals("json") && !format.equals("html")) {
      Http.json(ctx, 400, new JsonObject().put("error", "'format': json or html, got '" + format + "'").put("field", "format"));
      return;
    }
    String accept = ctx.request().getHeader("Accept");
    boolean html = "html".equals(format) || (format == null && accept != null && accept.contains("text/html"));
    inventory.patrolReport(ctx.pathParam("id"), date).onComplete(ar -> {
      if (ar.failed()) Http.fail(ctx, ar.cause());
      else if (html) ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(PatrolReportPage.render(ar.result()));
      else Http.json(ctx, 200, ar.result());
    });
  }

  private static String actor(RoutingContext ctx) {
    return Auth.principal(ctx).actor();
  }

  // ------------------------------------------------------------------ JSON shapes

  public static JsonObject customerJson(CustomerSpec c) {
    JsonArray contacts = new JsonArray();
    for (CustomerSpec.Contact k : c.contacts()) {
      contacts.add(new JsonObject().put("name", k.name()).put("phone", k.phone()).put("email", k.email()));
    }
    return new JsonObject().put("id", c.id()).put("name", c.name()).put("tier", c.tier()).put("timeZone", c.zone().getId())
        .put("contacts", contacts);
  }

  public static JsonObject systemJson(SystemSpec s) {
    JsonArray probes = new JsonArray();
    for (ProbeSpec p : s.probes()) probes.add(probeJson(p));
    return new JsonObject().put("customer", s.customer()).put("id", s.id()).put("name", s.name())
        .put("heartbeatInterval", s.heartbeatInterval() == null ? null : Durations.format(s.heartbeatInterval()))
        .put("criticality", s.criticality().wireName()).put("probes", probes);
  }

  public static JsonObject probeJson(ProbeSpec p) {
    JsonObject j = new JsonObject().put("name", p.name()).put("type", p.type().wireName()).put("target", p.target())
        .put("interval", Durations.format(p.interval())).put("timeout", Durations.format(p.timeout()));
    if (p.expectStatus() != null) j.put("expectStatus", p.expectStatus());
    if (p.keyword() != null) j.put("keyword", p.keyword());
    return j;
  }

  private static <T> JsonArray array(List<T> l, Function<T, JsonObject> f) {
    JsonArray a = new JsonArray();
    for (T t : l) a.add(f.apply(t));
    return a;
  }

  // ------------------------------------------------------------------ validation

  /** A customer from its JSON; {@code pathId} (PUT) must agree with a body {@code id} when both are given. */
  public static CustomerSpec customer(JsonObject b, String pathId, ZoneId defaultZone) {
    onlyKnown(b, "", CUSTOMER_FIELDS);
    String id = id(b, "id", pathId);
    String name = text(b, "name", false, 200);
    String tier = text(b, "tier", true, 32);
    if (!TIER.matcher(tier).matches()) throw bad("tier", "a contract tier such as 7x24 or 5x8 (letters, digits, _ . x -), got '" + tier + "'");
    ZoneId zone = defaultZone;
    String z = text(b, "timeZone", false, 64);
    if (z != null) {
      try {
        zone = ZoneId.of(z);
      } catch (DateTimeException e) {
        throw bad("timeZone", "unknown time zone '" + z + "' (use an IANA name such as Asia/Shanghai)");
      }
    }
    List<CustomerSpec.Contact> contacts = new ArrayList<>();
    Object c = b.getValue("contacts");
    if (c != null) {
      if (!(c instanceof JsonArray a) || a.size() > 20) throw bad("contacts", "a list of at most 20 {\"name\",\"phone\",\"email\"} objects");
      for (int i = 0; i < a.size(); i++) {
        if (!(a.getValue(i) instanceof JsonObject o)) throw bad("contacts[" + i + "]", "an object {\"name\",\"phone\",\"email\"}");
        String at = "contacts[" + i + "].";
        onlyKnown(o, at, CONTACT_FIELDS);
        CustomerSpec.Contact k = new CustomerSpec.Contact(text(o, "name", false, 200, at), text(o, "phone", false, 64, at),
            text(o, "email", false, 200, at));
        if (k.name() == null && k.phone() == null && k.email() == null) throw bad("contacts[" + i + "]", "give at least one of name, phone, email");
        contacts.add(k);
      }
    }
    return new CustomerSpec(id, name == null ? id : name, tier, zone, contacts);
  }

  /** A system of {@code customer} from its JSON. */
  public static SystemSpec system(JsonObject b, String customer, String pathId) {
    onlyKnown(b, "", SYSTEM_FIELDS);
    String id = id(b, "id", pathId);
    String name = text(b, "name", false, 200);
    Duration heartbeat = null;
    if (b.getValue("heartbeatInterval") != null) heartbeat = duration(b, "heartbeatInterval", MIN_INTERVAL, MAX_INTERVAL);
    Criticality criticality = Criticality.NORMAL;
    String c = text(b, "criticality", false, 16);
    if (c != null) {
      try {
        criticality = Criticality.parse(c);
      } catch (IllegalArgumentException e) {
        throw bad("criticality", e.getMessage());
      }
    }
    List<ProbeSpec> probes = new ArrayList<>();
    Object p = b.getValue("probes");
    if (p != null) {
      if (!(p instanceof JsonArray a)) throw bad("probes", "a list of probe objects");
      if (a.size() > MAX_PROBES) throw bad("probes", "at most " + MAX_PROBES + " probes per system");
      Set<String> names = new HashSet<>();
      for (int i = 0; i < a.size(); i++) {
        if (!(a.getValue(i) instanceof JsonObject o)) throw bad("probes[" + i + "]", "a probe object {\"type\",\"target\",…}");
        ProbeSpec spec = probe(o, "probes[" + i + "].");
        if (!names.add(spec.name())) throw bad("probes[" + i + "].name", "probe name '" + spec.name() + "' is used twice in this system");
        probes.add(spec);
      }
    }
    return new SystemSpec(customer, id, name == null ? id : name, heartbeat, criticality, probes);
  }

  static ProbeSpec probe(JsonObject o, String at) {
    onlyKnown(o, at, PROBE_FIELDS);
    ProbeSpec.Type type;
    String t = text(o, "type", true, 8, at);
    try {
      type = ProbeSpec.Type.parse(t);
    } catch (IllegalArgumentException e) {
      throw bad(at + "type", e.getMessage());
    }
    String name = text(o, "name", false, 64, at);
    if (name == null) name = type.wireName();
    if (!ID.matcher(name).matches()) throw bad(at + "name", "letters, digits, _ . - (at most 64), got '" + name + "'");
    String target = text(o, "target", true, 2000, at);
    if (type == ProbeSpec.Type.HTTP) {
      try {
        URI u = new URI(target);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) throw new IllegalArgumentException();
      } catch (Exception e) {
        throw bad(at + "target", "an http:// or https:// URL with a host, got '" + target + "'");
      }
    } else {
      try {
        HostPort.parse(target);
      } catch (IllegalArgumentException e) {
        throw bad(at + "target", "host:port for a " + type.wireName() + " probe: " + e.getMessage());
      }
    }
    Duration interval = o.getValue("interval") == null ? Duration.ofMinutes(1) : duration(o, "interval", MIN_INTERVAL, Duration.ofDays(1), at);
    Duration timeout = o.getValue("timeout") == null
        ? (interval.compareTo(Duration.ofSeconds(10)) < 0 ? interval : Duration.ofSeconds(10))
        : duration(o, "timeout", Duration.ofMillis(100), Duration.ofMinutes(5), at);
    if (timeout.compareTo(interval) > 0) throw bad(at + "timeout", "must not be longer than the interval (" + Durations.format(interval) + ")");
    Integer expect = null;
    Object e = o.containsKey("expectStatus") ? o.getValue("expectStatus") : o.getValue("expect_status");
    if (e != null) {
      if (!(e instanceof Integer i) || i < 100 || i > 599) throw bad(at + "expectStatus", "an HTTP status from 100 to 599");
      expect = i;
    }
    String keyword = text(o, "keyword", false, 200, at);
    if (type != ProbeSpec.Type.HTTP && (expect != null || keyword != null)) {
      throw bad(at + (expect != null ? "expectStatus" : "keyword"), "only HTTP probes check a status or a keyword");
    }
    return new ProbeSpec(name, type, target, interval, timeout, expect, keyword);
  }

  private static String id(JsonObject b, String field, String pathId) {
    Object v = b.getValue(field);
    if (v == null && pathId != null) return pathId;
    if (!(v instanceof String s) || !ID.matcher(s).matches()) {
      throw bad(field, "letters, digits, _ . - (starting with a letter or digit, at most 64), got " + (v == null ? "nothing" : "'" + v + "'"));
    }
    if (pathId != null && !pathId.equals(s)) throw bad(field, "'" + s + "' differs from '" + pathId + "' in the path (ids do not change)");
    return s;
  }

  private static Duration duration(JsonObject b, String field, Duration min, Duration max) {
    return duration(b, field, min, max, "");
  }

  private static Duration duration(JsonObject b, String field, Duration min, Duration max, String at) {
    if (!(b.getValue(field) instanceof String s)) throw bad(at + field, "a duration such as 30s, 5m, 1h");
    Duration d;
    try {
      d = Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw bad(at + field, e.getMessage());
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw bad(at + field, "must be from " + Durations.format(min) + " to " + Durations.format(max) + ", got " + s);
    }
    return d;
  }

  private static String text(JsonObject b, String field, boolean required, int max) {
    return text(b, field, required, max, "");
  }

  private static String text(JsonObject b, String field, boolean required, int max, String at) {
    Object v = b.getValue(field);
    if (v == null && !required) return null;
    if (!(v instanceof String s) || s.isBlank()) throw bad(at + field, required ? "a non-empty string is required" : "must be a non-empty string");
    if (s.length() > max) throw bad(at + field, "at most " + max + " characters");
    return s.strip();
  }

  // What GET answers may be PUT back unchanged, so the read-only "customer" of a system is known too.
  private static final List<String> CUSTOMER_FIELDS = List.of("id", "name", "tier", "timeZone", "contacts");
  private static final List<String> CONTACT_FIELDS = List.of("name", "phone", "email");
  private static final List<String> SYSTEM_FIELDS = List.of("id", "name", "customer", "heartbeatInterval", "criticality", "probes");
  private static final List<String> PROBE_FIELDS =
      List.of("name", "type", "target", "interval", "timeout", "expectStatus", "expect_status", "keyword");

  /**
   * 400 for a field this API does not know: a misspelt {@code heartbeat_interval} or {@code timezone}
   * would otherwise be dropped silently, leaving a system without NoData watch or a customer in UTC.
   */
  private static void onlyKnown(JsonObject o, String at, List<String> known) {
    for (String k : o.fieldNames()) {
      if (known.contains(k)) continue;
      String squashed = k.replace("_", "").toLowerCase(java.util.Locale.ROOT);
      String like = known.stream().filter(n -> n.replace("_", "").toLowerCase(java.util.Locale.ROOT).equals(squashed)).findFirst().orElse(null);
      throw bad(at + k, "unknown field" + (like == null ? "" : "; did you mean '" + like + "'?") + " (known: " + String.join(", ", known) + ")");
    }
  }

  private static ApiError bad(String field, String message) {
    return new ApiError(400, "'" + field + "': " + message, field);
  }

}
