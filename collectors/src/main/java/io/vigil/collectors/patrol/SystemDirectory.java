package io.vigil.collectors.patrol;

import java.util.List;

/** Which customers have a system of a given id (the inventory, served from memory). Non-blocking, thread-safe. */
@FunctionalInterface
public interface SystemDirectory {
  /** The customers with a system {@code system}, empty when none has. */
  List<String> customersOf(String system);
}
