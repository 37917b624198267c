package io.vigil.web;

import java.util.Locale;

/**
 * What a token may do. {@code admin} may do everything; {@code operator} reads and works tickets;
 * {@code viewer} only reads; {@code ingest} only writes samples (a client system's agent).
 */
public enum Role {
  ADMIN, OPERATOR, VIEWER, INGEST;

  public boolean allows(Role needed) {
    return switch (this) {
      case ADMIN -> true;
      case OPERATOR -> needed == OPERATOR || needed == VIEWER;
      case VIEWER -> needed == VIEWER;
      case INGEST -> needed == INGEST;
    };
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String s) {
    for (Role r : values()) if (r.wireName().equalsIgnoreCase(s)) return r;
    throw new IllegalArgumentException("role must be one of admin, operator, viewer, ingest, got '" + s + "'");
  }
}
