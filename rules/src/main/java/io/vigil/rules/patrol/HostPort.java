package io.vigil.rules.patrol;

/** A TCP/TLS probe target {@code host:port} ({@code [v6]:port} for IPv6 literals). */
public record HostPort(String host, int port) {
  /** Parses {@code host:port}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static HostPort parse(String target) {
    if (target == null || target.isBlank()) throw new IllegalArgumentException("a target host:port is required");
    String t = target.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) throw new IllegalArgumentException("'" + target + "' is not host:port");
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty() || host.contains("/") || host.contains(" ")) throw new IllegalArgumentException("'" + target + "' has no valid host");
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + target + "': port must be a number");
    }
    if (port < 1 || port > 65535) throw new IllegalArgumentException("'" + target + "': port must be 1 to 65535");
    return new HostPort(host, port);
  }
}
