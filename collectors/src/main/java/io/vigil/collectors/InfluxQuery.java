package io.vigil.collectors;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code GET|POST /query}, only as far as writing clients need it. Telegraf's InfluxDB output sends
 * {@code CREATE DATABASE "telegraf"} at start-up (unless {@code skip_database_creation}), and the
 * {@code influx} CLI's {@code -import} runs the file's DDL section. So {@code CREATE DATABASE} and
 * {@code CREATE RETENTION POLICY} are answered as InfluxDB answers them
 * ({@code {"results":[{"statement_id":0}]}}) and do nothing: Vigil has one namespace of series,
 * and the database is not a label ({@link InfluxWrite}).
 *
 * <p>Every other statement (SELECT, SHOW, DROP, …) is refused whole with 400 naming it: Vigil's
 * reads are its own API and rules, not InfluxQL. Answering a SELECT with an empty result would hide
 * the mistake. A missing {@code q} is InfluxDB's 400 {@code missing required parameter "q"}.
 * Statements are split on {@code ;} outside quotes. Pure apart from the answer; never blocks.
 */
public final class InfluxQuery {
  private static final Pattern ACCEPTED = Pattern.compile("(?is)CREATE\\s+(DATABASE|RETENTION\\s+POLICY)\\b.*");
  private static final Pattern FIRST_WORDS = Pattern.compile("(?s)^\\s*(\\S+(?:\\s+\\S+)?).*");

  private InfluxQuery() {}

  /** The handler; the caller authorised the request and read a form body into the parameters. */
  public static Handler<RoutingContext> handler() {
    return ctx -> {
      String q = ctx.request().getParam("q");
      if (q == null || q.isBlank()) {
        Responses.json(ctx, 400, new JsonObject().put("error", "missing required parameter \"q\""));
        return;
      }
      String refusal = refusal(q);
      if (refusal != null) {
        Responses.json(ctx, 400, new JsonObject().put("error", refusal));
        return;
      }
      JsonArray results = new JsonArray();
      int n = statements(q).size();
      for (int i = 0; i < n; i++) results.add(new JsonObject().put("statement_id", i));
      Responses.json(ctx, 200, new JsonObject().put("results", results));
    };
  }

  /** Null when every statement of {@code q} is accepted (and ignored), else why not, naming the first other one. */
  static String refusal(String q) {
    List<String> statements = statements(q);
    if (statements.isEmpty()) return "missing required parameter \"q\"";
    for (int i = 0; i < statements.size(); i++) {
      String s = statements.get(i);
      if (ACCEPTED.matcher(s).matches()) continue;
      var m = FIRST_WORDS.matcher(s);
      String kind = m.matches() ? m.group(1).toUpperCase(Locale.ROOT) : s;
      return "statement " + (i + 1) + " (" + kind + " …) is not supported: Vigil takes InfluxDB writes (/write, /api/v2/write), "
          + "not queries; CREATE DATABASE and CREATE RETENTION POLICY are accepted and ignored (one namespace, the database is not a label)";
    }
    return null;
  }

  /** The non-blank statements of {@code q}, split on semicolons outside single or double quotes. */
  static List<String> statements(String q) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < q.length(); i++) {
      char c = q.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < q.length()) {
          cur.append(c).append(q.charAt(++i));
          continue;
        }
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ';') {
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        cur.setLength(0);
        continue;
      }
      cur.append(c);
    }
    if (!cur.toString().isBlank()) out.add(cur.toString().strip());
    return out;
  }
}
