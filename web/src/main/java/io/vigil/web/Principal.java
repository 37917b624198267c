package io.vigil.web;

/**
 * Who is calling: the token's id and name, its role, and the customer an ingest token is bound to
 * ({@code null}: none; its samples are stamped with / checked against it). Never holds the secret.
 */
public record Principal(String tokenId, String name, Role role, String customer) {
  public Principal(String tokenId, String name, Role role) {
    this(tokenId, name, role, null);
  }

  /** The actor recorded in ticket events and the audit trail. */
  public String actor() {
    return "token:" + name;
  }
}
