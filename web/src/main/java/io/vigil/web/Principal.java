package io.vigil.web;

/** Who is calling: the token's id and name, and its role. Never holds the secret. */
public record Principal(String tokenId, String name, Role role) {
  /** The actor recorded in ticket events and the audit trail. */
  public String actor() {
    return "token:" + name;
  }
}
