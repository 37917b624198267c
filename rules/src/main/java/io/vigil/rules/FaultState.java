package io.vigil.rules;

/** A fault's lifecycle: {@code PENDING → FIRING → RESOLVED}; a pending fault that clears resolves too. */
public enum FaultState {
  PENDING, FIRING, RESOLVED;

  /** The one place that says which moves are legal. */
  public boolean canMoveTo(FaultState to) {
    return switch (this) {
      case PENDING -> to == FIRING || to == RESOLVED;
      case FIRING -> to == RESOLVED;
      case RESOLVED -> false;
    };
  }

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static FaultState parse(String s) {
    for (FaultState v : values()) if (v.wireName().equalsIgnoreCase(s)) return v;
    throw new IllegalArgumentException("state must be one of pending, firing, resolved, got '" + s + "'");
  }
}
