package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vigil.rules.Labels;
import io.vigil.rules.Matcher;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.MaintenanceWindow;
import io.vigil.rules.mute.Silence;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.PatternSyntaxException;

/**
 * {@code /api/v1/silences}, {@code /api/v1/maintenance-windows} and {@code /api/v1/inhibit-rules}.
 * Validates input (400 with {@code error} and {@code field}), then hands over to the
 * {@link MuteService}. Handlers never block.
 */
final class MuteApi {
  private static final int SMALL_BODY = 64 * 1024;
  private static final int MAX_TEXT = 2000;
  private final MuteService mutes;
  private final Auth auth;

  MuteApi(MuteService mutes, Auth auth) {
    this.mutes = mutes;
    this.auth = auth;
  }

  void mount(Router router) {
    BodyHandler small = BodyHandler.create(false).setBodyLimit(SMALL_BODY);

    router.post("/api/v1/silences").handler(small).handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answerWithBody(ctx, body -> {
      Silence draft = silence(body, Auth.principal(ctx).actor(), mutes.now());
      return mutes.createSilence(draft, Auth.principal(ctx).actor())
          .map(s -> Codec.silence(s, mutes.now()).put("silenceID", s.id()));
    }, 201));
    router.get("/api/v1/silences").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx, () -> {
      String raw = ctx.request().getParam("state");
      Silence.State state;
      try {
        state = raw == null || raw.isEmpty() ? null : Silence.State.parse(raw);
      } catch (IllegalArgumentException e) {
        throw new ApiError(400, "query parameter 'state': " + e.getMessage(), "state");
      }
      return mutes.silences(WebApi.limit(ctx)).map(all -> {
        Instant now = mutes.now();
        JsonArray a = new JsonArray();
        for (Silence s : all) if (state == null || s.state(now) == state) a.add(Codec.silence(s, now));
        return new JsonObject().put("silences", a);
      });
    }, 200));
    router.get("/api/v1/silences/:id").handler(auth.require(Role.VIEWER))
        .handler(ctx -> Http.answer(ctx, () -> mutes.silence(ctx.pathParam("id")).map(s -> Codec.silence(s, mutes.now())), 200));
    router.delete("/api/v1/silences/:id").handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answer(ctx,
        () -> mutes.expireSilence(ctx.pathParam("id"), Auth.principal(ctx).actor()).map(s -> Codec.silence(s, mutes.now())), 200));

    router.post("/api/v1/maintenance-windows").handler(small).handler(auth.require(Role.OPERATOR)).handler(ctx -> Http.answerWithBody(ctx, body ->
        mutes.createWindow(window(body, Auth.principal(ctx).actor()), Auth.principal(ctx).actor()).map(w -> Codec.window(w, mutes.now())), 201));
    router.get("/api/v1/maintenance-windows").handler(auth.require(Role.VIEWER)).handler(ctx -> Http.answer(ctx, () -> mutes.windows()
        .map(l -> new JsonObject().put("maintenanceWindows", Codec.array(l, w -> Codec.window(w, mutes.now())))), 200));
    router.get("/api/v1/maintenance-windows/:id").handler(auth.require(Role.VIEWER))
        .handler(ctx -> Http.answer(ctx, () -> mutes.window(ctx.pathParam("id")).map(w -> Codec.window(w, mutes.now())), 200));
    router.delete("/api/v1/maintenance-windows/:id").handler(auth.require(Role.OPERATOR))
        .handler(ctx -> Http.answer(ctx, () -> mutes.deleteWindow(ctx.pathParam("id"), Auth.principal(ctx).actor()), 204));

    router.post("/api/v1/inhibit-rules").handler(small).handler(auth.require(Role.ADMIN)).handler(ctx -> Http.answerWithBody(ctx, body ->
        mutes.createInhibitRule(inhibitRule(body, Auth.principal(ctx).actor()), Auth.principal(ctx).actor()).map(Codec::inhibitRule), 201));
    router.get("/api/v1/inhibit-rules").handler(auth.require(Role.VIEWER))
        .handler(ctx -> Http.answer(ctx, () -> mutes.inhibitRules().map(l -> new JsonObject().put("inhibitRules", Codec.array(l, Codec::inhibitRule))), 200));
    router.delete("/api/v1/inhibit-rules/:id").handler(auth.require(Role.ADMIN))
        .handler(ctx -> Http.answer(ctx, () -> mutes.deleteInhibitRule(ctx.pathParam("id"), Auth.principal(ctx).actor()), 204));
  }


  private static ApiError bad(String field, String message) {
    return new ApiError(400, "'" + field + "': " + message, field);
  }

  // ------------------------------------------------------------------ validation

  /** A silence draft; {@code startsAt} defaults to {@code now}; {@code endsAt} must be after both. */
  static Silence silence(JsonObject b, String actor, Instant now) {
    List<Matcher> matchers = matchers(b, "matchers");
    if (matchers.stream().allMatch(m -> m.matches(Labels.EMPTY))) {
      throw bad("matchers", "at least one matcher must not match the empty string, or the silence would mute everything");
    }
    Instant startsAt = b.getValue("startsAt") == null ? now : time(b, "startsAt");
    Instant endsAt = time(b, "endsAt");
    if (!endsAt.isAfter(startsAt)) throw bad("endsAt", "must be after startsAt (" + startsAt + ")");
    if (!endsAt.isAfter(now)) throw bad("endsAt", "must be in the future (now is " + now + ")");
    String comment = text(b, "comment", true);
    String createdBy = text(b, "createdBy", false);
    return new Silence(null, matchers, startsAt, endsAt, createdBy == null ? actor : createdBy, comment);
  }

  static MaintenanceWindow window(JsonObject b, String actor) {
    String customer = text(b, "customer", true);
    String system = text(b, "system", false);
    Object d = b.getValue("days");
    if (!(d instanceof JsonArray days) || days.isEmpty()) throw bad("days", "a non-empty list of weekdays, e.g. [\"sat\", \"sun\"]");
    EnumSet<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
    for (int i = 0; i < days.size(); i++) set.add(day(days.getValue(i), "days[" + i + "]"));
    LocalTime start = localTime(b, "start");
    LocalTime end = localTime(b, "end");
    ZoneId zone;
    String z = text(b, "timeZone", true);
    try {
      zone = ZoneId.of(z);
    } catch (DateTimeException e) {
      throw bad("timeZone", "unknown time zone '" + z + "' (use an IANA name such as Asia/Shanghai)");
    }
    String createdBy = text(b, "createdBy", false);
    return new MaintenanceWindow(null, customer, system, set, start, end, zone, text(b, "comment", true),
        createdBy == null ? actor : createdBy);
  }

  static InhibitRule inhibitRule(JsonObject b, String actor) {
    List<Matcher> source = matchers(b, "sourceMatch");
    List<Matcher> target = matchers(b, "targetMatch");
    List<String> equal = new ArrayList<>();
    Object e = b.getValue("equal");
    if (e != null) {
      if (!(e instanceof JsonArray a)) throw bad("equal", "a list of label names");
      for (int i = 0; i < a.size(); i++) {
        if (!(a.getValue(i) instanceof String n) || !Labels.NAME.matcher(n).matches()) {
          throw bad("equal[" + i + "]", "a label name matching " + Labels.NAME.pattern());
        }
        equal.add(n);
      }
    }
    return new InhibitRule(null, source, target, equal, "api", actor);
  }

  private static List<Matcher> matchers(JsonObject b, String field) {
    Object o = b.getValue(field);
    if (!(o instanceof JsonArray a) || a.isEmpty()) {
      throw bad(field, "at least one matcher {\"name\",\"value\",\"isRegex\",\"isEqual\"} is required");
    }
    List<Matcher> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String at = field + "[" + i + "]";
      if (!(a.getValue(i) instanceof JsonObject m)) throw bad(at, "a matcher object {\"name\",\"value\",\"isRegex\",\"isEqual\"}");
      if (!(m.getValue("name") instanceof String name) || !Labels.NAME.matcher(name).matches()) {
        throw bad(at + ".name", "a label name matching " + Labels.NAME.pattern());
      }
      if (!(m.getValue("value") instanceof String value)) throw bad(at + ".value", "a string");
      boolean isRegex = bool(m, "isRegex", false, at);
      boolean isEqual = bool(m, "isEqual", true, at);
      try {
        out.add(Silence.matcher(name, value, isRegex, isEqual));
      } catch (PatternSyntaxException e) {
        throw bad(at + ".value", "not a valid regular expression: " + e.getDescription());
      }
    }
    return out;
  }

  private static boolean bool(JsonObject m, String key, boolean fallback, String at) {
    Object v = m.getValue(key);
    if (v == null) return fallback;
    if (v instanceof Boolean bo) return bo;
    throw bad(at + "." + key, "true or false");
  }

  private static Instant time(JsonObject b, String field) {
    if (!(b.getValue(field) instanceof String s)) throw bad(field, "an RFC 3339 time such as 2026-11-22T10:00:00Z is required");
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      throw bad(field, "not an RFC 3339 time: '" + s + "'");
    }
  }

  private static LocalTime localTime(JsonObject b, String field) {
    if (!(b.getValue(field) instanceof String s)) throw bad(field, "a local time HH:mm (or HH:mm:ss) is required");
    try {
      return LocalTime.parse(s);
    } catch (DateTimeParseException e) {
      throw bad(field, "not a local time HH:mm: '" + s + "'");
    }
  }

  private static DayOfWeek day(Object v, String field) {
    if (v instanceof String s) {
      String u = s.trim().toUpperCase(Locale.ROOT);
      for (DayOfWeek d : DayOfWeek.values()) {
        if (d.name().equals(u) || d.name().substring(0, 3).equals(u)) return d;
      }
    }
    throw bad(field, "a weekday: mon, tue, wed, thu, fri, sat, sun (or the full English name), got '" + v + "'");
  }

  private static String text(JsonObject b, String field, boolean required) {
    Object v = b.getValue(field);
    if (v == null && !required) return null;
    if (!(v instanceof String s) || s.isBlank()) throw bad(field, required ? "a non-empty string is required" : "must be a non-empty string");
    if (s.length() > MAX_TEXT) throw bad(field, "at most " + MAX_TEXT + " characters");
    return s.strip();
  }
}
