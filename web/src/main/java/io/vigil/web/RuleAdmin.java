package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.Rule;
import java.time.Instant;
import java.util.List;

/**
 * Rules, grading and flap control as the API manages them. Rules come from two places: the rules
 * file (read-only here: change the file and reload) and the API (stored in the database, every
 * change a new version with who and when). Implementations validate with the same parser as the
 * file, apply a change to the running engine before the future completes, and fail with
 * {@link ApiError} (400 invalid, 404 unknown, 409 conflicts with the file or an existing name).
 * Non-blocking.
 */
public interface RuleAdmin {
  /** A rule in force, where it comes from ({@code file} or {@code api}) and its version (api only). */
  record RuleInfo(Rule rule, String source, Integer version) {}

  /** One stored version: {@code definition} is null for a deletion. */
  record Version(int version, JsonObject definition, String actor, Instant at) {}

  /** The settings the API can override: {@code grading}, {@code flapping}. */
  List<String> SETTINGS = List.of("grading", "flapping");

  List<RuleInfo> rules();

  Future<RuleInfo> create(JsonObject definition, String actor);

  Future<RuleInfo> update(String name, JsonObject definition, String actor);

  Future<Void> delete(String name, String actor);

  /** Versions of an API rule ({@code kind} rule) or of a setting, newest first. */
  Future<List<Version>> versions(String kind, String name);

  /** {@code {"source": "file"|"api", "version": n|null, "definition": {...}}} of a setting. */
  JsonObject setting(String name);

  Future<JsonObject> putSetting(String name, JsonObject definition, String actor);

  /** Drops the API's override: the file's setting applies again. */
  Future<JsonObject> deleteSetting(String name, String actor);
}
