package io.vigil.rules.patrol;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One active check Vigil runs against a system: an HTTP(S) request, a TCP connect, or a TLS
 * handshake that reads the certificate's expiry. {@code name} is the {@code probe} label of its
 * samples and is unique within the system.
 *
 * @param target       {@code http(s)://…} for HTTP, {@code host:port} for TCP and TLS
 * @param expectStatus HTTP only: the status that counts as success (null: any 2xx)
 * @param keyword      HTTP only: text the body must contain (null: not checked)
 */
public record ProbeSpec(String name, Type type, String target, Duration interval, Duration timeout, Integer expectStatus,
    String keyword) {
  public enum Type {
    HTTP, TCP, TLS;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Type parse(String s) {
      for (Type t : values()) if (t.wireName().equalsIgnoreCase(s)) return t;
      throw new IllegalArgumentException("must be one of http, tcp, tls, got '" + s + "'");
    }
  }

  public ProbeSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** Whether an HTTP status counts as success for this probe. */
  public boolean statusOk(int status) {
    return expectStatus == null ? status >= 200 && status < 300 : status == expectStatus;
  }
}
