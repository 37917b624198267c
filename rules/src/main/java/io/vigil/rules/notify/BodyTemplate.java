package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A webhook body written as a template ({@code format: template}), so chat bots that want their
 * own JSON (DingTalk, WeCom, Feishu, Slack) get it without a relay. The syntax is a small subset of
 * Go's {@code text/template} as Alertmanager templates use it, over the same data:
 *
 * <ul>
 *   <li>{@code {{ .Status }}}, {@code .Receiver}, {@code .GroupKey}, {@code .ExternalURL},
 *       {@code .TruncatedAlerts}, {@code .GroupLabels.x}, {@code .CommonLabels.x},
 *       {@code .CommonAnnotations.x}; {@code $} is the top level inside a {@code range}</li>
 *   <li>{@code {{ range .Alerts }}…{{ end }}} (also {@code .Alerts.Firing},
 *       {@code .Alerts.Resolved}) with {@code .Status}, {@code .Labels.x},
 *       {@code .Annotations.x}, {@code .StartsAt}, {@code .EndsAt}, {@code .GeneratorURL},
 *       {@code .Fingerprint}; {@code {{ else }}} renders when the list is empty</li>
 *   <li>{@code {{ if … }}…{{ else if … }}…{{ else }}…{{ end }}}: empty text, zero, an empty
 *       list and an unset time are false</li>
 *   <li>pipes and calls: {@code {{ .X | json }}} = {@code {{ json .X }}}. Functions:
 *       {@code json} (escaped for use <em>inside</em> a JSON string literal, no quotes added),
 *       {@code toJson} (a complete JSON literal, quotes included), {@code upper}, {@code lower},
 *       {@code len}, {@code eq}, {@code ne}, {@code default} ({@code .X | default "none"}),
 *       {@code local} (a time as {@code yyyy-MM-dd HH:mm:ss} in the configuration's zone)</li>
 *   <li><code>{{-</code> and <code>-}}</code> trim the whitespace beside them; a comment action, opening
 *       with <code>{{/*</code>, is dropped</li>
 * </ul>
 *
 * Compiled once, with field names checked ({@code .CommonLabel.x} is refused at load, not at 3 am);
 * a missing label renders as empty text; rendering never fails. Values are inserted as they are:
 * inside JSON write {@code {{ .X | json }}}.
 */
public final class BodyTemplate {
  private enum Type { ROOT, ALERT, ALERTS, MAP, STRING, INT, BOOL, TIME }

  private sealed interface Node permits Text, Out, Range, If {}

  private record Text(String text) implements Node {}

  private record Out(Pipe pipe) implements Node {}

  private record Range(Pipe pipe, List<Node> body, List<Node> otherwise) implements Node {}

  private record If(Pipe cond, List<Node> then, List<Node> otherwise) implements Node {}

  private sealed interface Arg permits Field, Lit {}

  /** {@code root}: starts at {@code $}; an empty path is the value itself. */
  private record Field(boolean root, List<String> path) implements Arg {}

  private record Lit(Object value) implements Arg {}

  private record Cmd(String func, List<Arg> args) {}

  private record Pipe(List<Cmd> cmds, String text) {}

  private record Item(String text, String action, int offset) {}

  private static final Set<String> FUNCS = Set.of("json", "toJson", "upper", "lower", "len", "eq", "ne", "default", "local");
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private final String source;
  private final List<Node> nodes;

  private BodyTemplate(String source, List<Node> nodes) {
    this.source = source;
    this.nodes = nodes;
  }

  /** Throws {@link IllegalArgumentException} naming the offset and what is wrong. */
  public static BodyTemplate compile(String source) {
    if (source == null) throw new IllegalArgumentException("empty template");
    Parser p = new Parser(source, lex(source));
    List<Node> nodes = p.list(Type.ROOT, Set.of());
    if (p.at < p.items.size()) {
      Item it = p.items.get(p.at);
      throw new IllegalArgumentException("unexpected {{ " + it.action() + " }} at offset " + it.offset());
    }
    return new BodyTemplate(source, List.copyOf(nodes));
  }

  public String source() {
    return source;
  }

  /** For one webhook: its {@code send_resolved} filter and {@code max_alerts}. */
  public String render(Flush flush, WebhookConfig webhook, String receiver, String externalUrl, ZoneId zone) {
    return render(flush, flush.alertsFor(webhook), receiver, externalUrl, webhook.maxAlerts(), zone);
  }

  public String render(Flush flush, List<GroupedAlert> alerts, String receiver, String externalUrl, int maxAlerts, ZoneId zone) {
    NotificationData d = NotificationData.of(flush, alerts, receiver, externalUrl, maxAlerts);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("Status", d.status().wireName());
    root.put("Receiver", d.receiver());
    root.put("GroupKey", d.groupKey());
    root.put("ExternalURL", d.externalUrl());
    root.put("TruncatedAlerts", d.truncated());
    root.put("GroupLabels", d.groupLabels().asMap());
    root.put("CommonLabels", d.commonLabels().asMap());
    root.put("CommonAnnotations", d.commonAnnotations());
    List<Object> list = new ArrayList<>();
    for (GroupedAlert a : d.alerts()) {
      Map<String, Object> am = new LinkedHashMap<>();
      am.put("Status", a.status().wireName());
      am.put("Labels", a.labels().asMap());
      am.put("Annotations", a.annotations());
      am.put("StartsAt", a.startsAt());
      am.put("EndsAt", a.endsAt());
      am.put("GeneratorURL", a.generatorUrl());
      am.put("Fingerprint", a.fingerprint());
      list.add(am);
    }
    root.put("Alerts", list);
    StringBuilder b = new StringBuilder(source.length() * 2);
    new Run(root, zone).nodes(nodes, root, b);
    return b.toString();
  }

  // ---- lexing: text and actions, with {{- -}} trimming and comments dropped

  private static List<Item> lex(String s) {
    List<Item> items = new ArrayList<>();
    int at = 0;
    boolean trimNext = false;
    while (at <= s.length()) {
      int open = s.indexOf("{{", at);
      String text = s.substring(at, open < 0 ? s.length() : open);
      if (trimNext) text = text.stripLeading();
      trimNext = false;
      if (open < 0) {
        if (!text.isEmpty()) items.add(new Item(text, null, at));
        break;
      }
      int start = open + 2;
      boolean trimLeft = start + 1 < s.length() && s.charAt(start) == '-' && Character.isWhitespace(s.charAt(start + 1));
      if (trimLeft) text = text.stripTrailing();
      if (!text.isEmpty()) items.add(new Item(text, null, at));
      int i = start;
      while (i < s.length() && !s.startsWith("}}", i)) {
        if (s.charAt(i) == '"') {
          for (i++; i < s.length() && s.charAt(i) != '"'; i++) if (s.charAt(i) == '\\') i++;
        }
        i++;
      }
      if (i >= s.length()) throw new IllegalArgumentException("unclosed '{{' at offset " + open);
      boolean trimRight = i - 2 >= start && s.charAt(i - 1) == '-' && Character.isWhitespace(s.charAt(i - 2));
      String inner = s.substring(trimLeft ? start + 1 : start, trimRight ? i - 1 : i).strip();
      if (!(inner.startsWith("/*") && inner.endsWith("*/"))) items.add(new Item(null, inner, open));
      trimNext = trimRight;
      at = i + 2;
    }
    return items;
  }

  // ---- parsing and type checking

  private static final class Parser {
    final String source;
    final List<Item> items;
    int at;

    Parser(String source, List<Item> items) {
      this.source = source;
      this.items = items;
    }

    /** Nodes up to (not including) an action whose first word is in {@code stop}. */
    List<Node> list(Type dot, Set<String> stop) {
      List<Node> out = new ArrayList<>();
      while (at < items.size()) {
        Item it = items.get(at);
        if (it.text() != null) {
          out.add(new Text(it.text()));
          at++;
          continue;
        }
        String word = firstWord(it.action());
        if (stop.contains(word)) return out;
        at++;
        switch (word) {
          case "range" -> {
            Pipe p = pipe(rest(it.action(), word), it.offset());
            Type t = type(p, dot, it.offset());
            Type inner = switch (t) {
              case ALERTS -> Type.ALERT;
              case MAP -> Type.STRING;
              default -> throw error(it, "range needs a list (.Alerts, .Alerts.Firing, …) or a mapping, not " + t);
            };
            List<Node> body = list(inner, Set.of("else", "end"));
            List<Node> otherwise = List.of();
            if (at < items.size() && word(items.get(at)).equals("else")) {
              at++;
              otherwise = list(dot, Set.of("end"));
            }
            expectEnd(it);
            out.add(new Range(p, List.copyOf(body), List.copyOf(otherwise)));
          }
          case "if" -> out.add(ifRest(it, rest(it.action(), word), dot));
          case "end", "else" -> throw error(it, "'" + word + "' without range or if");
          default -> {
            Pipe p = pipe(it.action(), it.offset());
            Type t = type(p, dot, it.offset());
            if (t == Type.ROOT || t == Type.ALERT || t == Type.ALERTS || t == Type.MAP) {
              throw error(it, "cannot print " + t.name().toLowerCase(Locale.ROOT) + " '" + it.action() + "': use range or a key");
            }
            out.add(new Out(p));
          }
        }
      }
      if (!stop.isEmpty()) throw new IllegalArgumentException("missing {{ end }} in template");
      return out;
    }

    private If ifRest(Item it, String condText, Type dot) {
      Pipe cond = pipe(condText, it.offset());
      type(cond, dot, it.offset());
      List<Node> then = list(dot, Set.of("else", "end"));
      List<Node> otherwise = List.of();
      Item here = at < items.size() ? items.get(at) : it;
      if (word(here).equals("else")) {
        at++;
        String afterElse = rest(here.action(), "else");
        if (firstWord(afterElse).equals("if")) {
          // {{ else if c }} chains to the same {{ end }}.
          return new If(cond, List.copyOf(then), List.of(ifRest(here, rest(afterElse, "if"), dot)));
        }
        otherwise = list(dot, Set.of("end"));
      }
      expectEnd(it);
      return new If(cond, List.copyOf(then), List.copyOf(otherwise));
    }

    private String word(Item it) {
      return it == null || it.action() == null ? "" : firstWord(it.action());
    }

    private void expectEnd(Item opener) {
      if (at >= items.size() || !word(items.get(at)).equals("end")) {
        throw error(opener, "{{ " + opener.action() + " }} has no {{ end }}");
      }
      at++;
    }

    private IllegalArgumentException error(Item it, String what) {
      return new IllegalArgumentException(what + " (at offset " + it.offset() + ")");
    }

    private Pipe pipe(String text, int offset) {
      List<Cmd> cmds = new ArrayList<>();
      List<String> tokens = tokens(text, offset);
      List<String> current = new ArrayList<>();
      for (String t : tokens) {
        if (t.equals("|")) {
          cmds.add(cmd(current, text, offset));
          current = new ArrayList<>();
        } else {
          current.add(t);
        }
      }
      cmds.add(cmd(current, text, offset));
      for (int i = 1; i < cmds.size(); i++) {
        if (cmds.get(i).func() == null) throw new IllegalArgumentException("'" + text + "' (at offset " + offset + "): after '|' comes a function");
      }
      return new Pipe(List.copyOf(cmds), text);
    }

    private Cmd cmd(List<String> tokens, String text, int offset) {
      if (tokens.isEmpty()) throw new IllegalArgumentException("empty action in '{{ " + text + " }}' at offset " + offset);
      String head = tokens.get(0);
      if (FUNCS.contains(head)) {
        List<Arg> args = new ArrayList<>();
        for (String t : tokens.subList(1, tokens.size())) args.add(arg(t, text, offset));
        return new Cmd(head, List.copyOf(args));
      }
      if (tokens.size() > 1) {
        throw new IllegalArgumentException("unknown function '" + head + "' in '{{ " + text + " }}' at offset " + offset + " (known: "
            + String.join(", ", FUNCS.stream().sorted().toList()) + ")");
      }
      return new Cmd(null, List.of(arg(head, text, offset)));
    }

    private Arg arg(String t, String text, int offset) {
      if (t.startsWith("\"")) return new Lit(t.substring(1));
      if (t.matches("-?\\d+")) return new Lit(Long.parseLong(t));
      if (t.equals(".")) return new Field(false, List.of());
      if (t.equals("$")) return new Field(true, List.of());
      boolean root = t.startsWith("$.");
      String p = root ? t.substring(1) : t;
      if (!p.startsWith(".") || p.length() < 2) {
        throw new IllegalArgumentException("'" + t + "' in '{{ " + text + " }}' at offset " + offset + " is not a field (.Status, .Labels.x), a string or a number");
      }
      List<String> path = List.of(p.substring(1).split("\\.", -1));
      for (String s : path) {
        if (!Labels.NAME.matcher(s).matches()) throw new IllegalArgumentException("bad field '" + t + "' at offset " + offset);
      }
      return new Field(root, path);
    }

    /** Words, '|' and string literals (kept as {@code "}+unescaped text). */
    private List<String> tokens(String text, int offset) {
      List<String> out = new ArrayList<>();
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '|') {
          out.add("|");
          i++;
        } else if (c == '"') {
          StringBuilder b = new StringBuilder("\"");
          for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
            char x = text.charAt(i);
            if (x == '\\' && i + 1 < text.length()) {
              char n = text.charAt(++i);
              b.append(switch (n) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> n;
              });
            } else {
              b.append(x);
            }
          }
          if (i >= text.length()) throw new IllegalArgumentException("unclosed string in '{{ " + text + " }}' at offset " + offset);
          out.add(b.toString());
          i++;
        } else {
          int j = i;
          while (j < text.length() && !Character.isWhitespace(text.charAt(j)) && text.charAt(j) != '|') j++;
          out.add(text.substring(i, j));
          i = j;
        }
      }
      return out;
    }

    private Type type(Pipe p, Type dot, int offset) {
      Type prev = null;
      for (int i = 0; i < p.cmds().size(); i++) {
        Cmd c = p.cmds().get(i);
        List<Type> args = new ArrayList<>();
        for (Arg a : c.args()) args.add(argType(a, dot, p.text(), offset));
        if (c.func() == null) {
          prev = args.get(0);
          continue;
        }
        if (prev != null) args.add(prev);
        prev = funcType(c.func(), args, p.text(), offset);
      }
      return prev;
    }

    private Type argType(Arg a, Type dot, String text, int offset) {
      if (a instanceof Lit l) return l.value() instanceof Long ? Type.INT : Type.STRING;
      Field f = (Field) a;
      Type t = f.root() ? Type.ROOT : dot;
      for (String name : f.path()) {
        Type next = field(t, name);
        if (next == null) {
          throw new IllegalArgumentException("unknown field '" + name + "' in '{{ " + text + " }}' at offset " + offset + ": "
              + t.name().toLowerCase(Locale.ROOT) + " has " + fieldsOf(t));
        }
        t = next;
      }
      return t;
    }

    private Type funcType(String f, List<Type> args, String text, int offset) {
      int want = switch (f) {
        case "eq", "ne", "default" -> 2;
        default -> 1;
      };
      if (args.size() != want) {
        throw new IllegalArgumentException("'" + f + "' takes " + want + " argument" + (want == 1 ? "" : "s") + ", got " + args.size()
            + " in '{{ " + text + " }}' at offset " + offset);
      }
      Type a = args.get(args.size() - 1);
      return switch (f) {
        case "len" -> {
          if (a != Type.ALERTS && a != Type.MAP && a != Type.STRING) throw new IllegalArgumentException("len of " + a + " at offset " + offset);
          yield Type.INT;
        }
        case "eq", "ne" -> Type.BOOL;
        case "local" -> {
          if (a != Type.TIME) throw new IllegalArgumentException("local needs a time (.StartsAt, .EndsAt) at offset " + offset);
          yield Type.STRING;
        }
        case "toJson" -> {
          if (a == Type.ROOT || a == Type.ALERT || a == Type.ALERTS) throw new IllegalArgumentException("toJson of " + a + " at offset " + offset);
          yield Type.STRING;
        }
        default -> {
          if (a == Type.ROOT || a == Type.ALERT || a == Type.ALERTS || a == Type.MAP) {
            throw new IllegalArgumentException(f + " needs a text value, not " + a + " at offset " + offset);
          }
          yield Type.STRING;
        }
      };
    }
  }

  private static String firstWord(String action) {
    String s = action.strip();
    int i = 0;
    while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
    return s.substring(0, i);
  }

  private static String rest(String action, String word) {
    return action.strip().substring(word.length()).strip();
  }

  private static Type field(Type t, String name) {
    return switch (t) {
      case ROOT -> switch (name) {
        case "Status", "Receiver", "GroupKey", "ExternalURL" -> Type.STRING;
        case "TruncatedAlerts" -> Type.INT;
        case "GroupLabels", "CommonLabels", "CommonAnnotations" -> Type.MAP;
        case "Alerts" -> Type.ALERTS;
        default -> null;
      };
      case ALERT -> switch (name) {
        case "Status", "GeneratorURL", "Fingerprint" -> Type.STRING;
        case "Labels", "Annotations" -> Type.MAP;
        case "StartsAt", "EndsAt" -> Type.TIME;
        default -> null;
      };
      case ALERTS -> name.equals("Firing") || name.equals("Resolved") ? Type.ALERTS : null;
      case MAP -> Type.STRING;
      default -> null;
    };
  }

  private static String fieldsOf(Type t) {
    return switch (t) {
      case ROOT -> ".Status, .Receiver, .GroupKey, .ExternalURL, .TruncatedAlerts, .GroupLabels, .CommonLabels, .CommonAnnotations, .Alerts";
      case ALERT -> ".Status, .Labels, .Annotations, .StartsAt, .EndsAt, .GeneratorURL, .Fingerprint";
      case ALERTS -> ".Firing, .Resolved";
      default -> "no fields";
    };
  }

  // ---- rendering

  private record Run(Map<String, Object> root, ZoneId zone) {
    void nodes(List<Node> nodes, Object dot, StringBuilder b) {
      for (Node n : nodes) {
        if (n instanceof Text t) {
          b.append(t.text());
        } else if (n instanceof Out o) {
          b.append(text(eval(o.pipe(), dot)));
        } else if (n instanceof Range r) {
          Object v = eval(r.pipe(), dot);
          List<?> elements = v instanceof Map<?, ?> m ? new ArrayList<>(m.values()) : (List<?>) v;
          if (elements.isEmpty()) nodes(r.otherwise(), dot, b);
          for (Object e : elements) nodes(r.body(), e, b);
        } else if (n instanceof If i) {
          nodes(truthy(eval(i.cond(), dot)) ? i.then() : i.otherwise(), dot, b);
        }
      }
    }

    Object eval(Pipe p, Object dot) {
      Object prev = null;
      boolean first = true;
      for (Cmd c : p.cmds()) {
        List<Object> args = new ArrayList<>();
        for (Arg a : c.args()) args.add(arg(a, dot));
        if (c.func() == null) {
          prev = args.get(0);
        } else {
          if (!first) args.add(prev);
          prev = call(c.func(), args);
        }
        first = false;
      }
      return prev;
    }

    Object arg(Arg a, Object dot) {
      if (a instanceof Lit l) return l.value();
      Field f = (Field) a;
      Object v = f.root() ? root : dot;
      for (String name : f.path()) {
        if (v instanceof Map<?, ?> m) {
          v = m.containsKey(name) ? m.get(name) : "";
        } else if (v instanceof List<?> l) {
          String want = name.equals("Firing") ? "firing" : "resolved";
          v = l.stream().filter(x -> want.equals(((Map<?, ?>) x).get("Status"))).toList();
        }
      }
      return v;
    }

    Object call(String f, List<Object> args) {
      Object a = args.get(args.size() - 1);
      return switch (f) {
        case "json" -> JsonText.escape(text(a));
        case "toJson" -> a instanceof Map<?, ?> || a instanceof Number ? JsonText.write(a) : JsonText.quote(text(a));
        case "upper" -> text(a).toUpperCase(Locale.ROOT);
        case "lower" -> text(a).toLowerCase(Locale.ROOT);
        case "len" -> (long) (a instanceof Map<?, ?> m ? m.size() : a instanceof List<?> l ? l.size() : text(a).length());
        case "eq" -> text(args.get(0)).equals(text(args.get(1)));
        case "ne" -> !text(args.get(0)).equals(text(args.get(1)));
        case "default" -> truthy(a) ? a : args.get(0);
        case "local" -> a == null ? "" : LOCAL.format(((Instant) a).atZone(zone));
        default -> throw new IllegalStateException(f);
      };
    }

    static boolean truthy(Object v) {
      if (v == null) return false;
      if (v instanceof Boolean b) return b;
      if (v instanceof Number n) return n.longValue() != 0;
      if (v instanceof String s) return !s.isEmpty();
      if (v instanceof List<?> l) return !l.isEmpty();
      if (v instanceof Map<?, ?> m) return !m.isEmpty();
      return true;
    }

    static String text(Object v) {
      if (v == null) return "";
      if (v instanceof Instant t) return Rfc3339.format(t);
      return String.valueOf(v);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BodyTemplate t && t.source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return source;
  }
}
