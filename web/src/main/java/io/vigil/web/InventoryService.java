package io.vigil.web;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vigil.rules.patrol.CustomerSpec;
import io.vigil.rules.patrol.SystemSpec;
import java.time.ZoneId;
import java.util.List;

/**
 * The customer / system inventory and the patrol reports built on it. All methods are non-blocking
 * and thread-safe. A missing customer or system fails with {@link NotFoundException}; a duplicate or
 * a customer that still has systems with {@link ApiError} 409; a bad report date with {@link ApiError}
 * 400. Every change writes the audit log as {@code actor} and is applied (NoData watch, probes,
 * grading tiers) once committed.
 */
public interface InventoryService {
  /** The zone of a customer created without {@code timeZone}. */
  ZoneId defaultZone();

  Future<List<CustomerSpec>> customers();

  Future<CustomerSpec> customer(String id);

  Future<CustomerSpec> createCustomer(CustomerSpec c, String actor);

  /** Replaces the customer's fields (its id stays). */
  Future<CustomerSpec> updateCustomer(CustomerSpec c, String actor);

  Future<Void> deleteCustomer(String id, String actor);

  Future<List<SystemSpec>> systems(String customer);

  Future<SystemSpec> system(String customer, String id);

  Future<SystemSpec> createSystem(SystemSpec s, String actor);

  Future<SystemSpec> updateSystem(SystemSpec s, String actor);

  Future<Void> deleteSystem(String customer, String id, String actor);

  /**
   * The patrol report of {@code customer} for {@code date} ({@code YYYY-MM-DD}; null: yesterday in
   * the customer's zone): the stored one when it was generated, else computed now (not stored).
   */
  Future<JsonObject> patrolReport(String customer, String date);
}
