package io.vigil.web;

import io.vertx.core.Future;
import io.vigil.rules.mute.InhibitRule;
import io.vigil.rules.mute.MaintenanceWindow;
import io.vigil.rules.mute.Silence;
import java.time.Instant;
import java.util.List;

/**
 * Silences, maintenance windows and inhibit rules: stored with who/when, and applied to faults
 * once stored. All methods are non-blocking and thread-safe. A missing id fails with
 * {@link NotFoundException}; an illegal change (expiring an expired silence, deleting a rule that
 * lives in the rules file) with {@link ApiError} 409. Every change writes the audit log as {@code actor}.
 */
public interface MuteService {
  /** The server's clock: what "active", "pending" and "in the future" are measured against. */
  Instant now();

  /** Stores a validated draft (its id is ignored) and returns it with its new id. */
  Future<Silence> createSilence(Silence draft, String actor);

  /** Newest first, expired ones included (at most {@code limit}). */
  Future<List<Silence>> silences(int limit);

  Future<Silence> silence(String id);

  /** Ends the silence now (a pending one never starts); it stays listed as expired. */
  Future<Silence> expireSilence(String id, String actor);

  Future<MaintenanceWindow> createWindow(MaintenanceWindow draft, String actor);

  /** Windows not deleted, oldest first. */
  Future<List<MaintenanceWindow>> windows();

  Future<MaintenanceWindow> window(String id);

  Future<Void> deleteWindow(String id, String actor);

  /** The rules file's rules first, then those created through the API. */
  Future<List<InhibitRule>> inhibitRules();

  Future<InhibitRule> createInhibitRule(InhibitRule draft, String actor);

  Future<Void> deleteInhibitRule(String id, String actor);
}
