package io.vigil.rules.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A named destination of notifications, in Alertmanager's {@code receivers} shape: a name and its
 * {@code webhook_configs} (a receiver with none is valid and swallows what is routed to it, as
 * Alertmanager's "null receiver" does). Other Alertmanager integrations ({@code email_configs},
 * {@code slack_configs}, …) are refused with a pointer to {@code format: template}. Immutable;
 * {@link #toString()} and {@link #toMap()} never show secrets.
 */
public record Receiver(String name, List<WebhookConfig> webhooks) {
  static final Set<String> KEYS = Set.of("name", "webhook_configs");

  public Receiver {
    Objects.requireNonNull(name);
    webhooks = List.copyOf(webhooks);
  }

  /**
   * Parses one receiver (e.g. a REST request body); {@code where} names it in problems. Throws
   * {@link io.vigil.rules.RuleFileException} (an {@link IllegalArgumentException}) listing every problem.
   */
  public static Receiver parse(Map<String, Object> m, String where) {
    ConfigReader r = new ConfigReader("");
    Receiver out = read(m, where, r);
    r.throwIfAny();
    return out;
  }

  static Receiver read(Object node, String path, ConfigReader r) {
    Map<String, Object> m = r.mapping(node, path);
    if (m == null) return null;
    for (String k : m.keySet()) {
      if (k.endsWith("_configs") && !k.equals("webhook_configs")) {
        r.problem(ConfigReader.child(path, k), "not supported: Vigil sends webhooks only; use webhook_configs (format: template builds any JSON body)");
      } else if (!KEYS.contains(k)) {
        r.problem(ConfigReader.child(path, k), "unknown key (known: name, webhook_configs)");
      }
    }
    String name = r.string(m, "name", path);
    if (name == null || name.isBlank()) {
      r.problem(ConfigReader.child(path, "name"), "missing");
      name = null;
    }
    List<WebhookConfig> hooks = new ArrayList<>();
    String hp = ConfigReader.child(path, "webhook_configs");
    List<Object> list = r.list(m.get("webhook_configs"), hp);
    for (int i = 0; i < list.size(); i++) {
      WebhookConfig w = WebhookConfig.read(list.get(i), ConfigReader.item(hp, i), r);
      if (w != null) hooks.add(w);
    }
    return name == null ? null : new Receiver(name, hooks);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("webhook_configs", webhooks.stream().map(w -> (Object) w.toMap()).toList());
    return m;
  }
}
