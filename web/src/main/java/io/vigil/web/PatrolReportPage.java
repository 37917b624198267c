package io.vigil.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The patrol report (巡检报告) as a printable HTML page, rendered from the report's JSON so the
 * page and the API never disagree. English headings with Chinese beside them; a print stylesheet
 * keeps sections off page breaks. Times are shown in the customer's zone, to the second (the
 * JSON keeps UTC instants): the page is printed for the customer. Pure: a function of the JSON.
 */
public final class PatrolReportPage {
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  private PatrolReportPage() {}

  /** An instant of the JSON as local time in {@code zone}; "" for null. */
  static String local(String instant, ZoneId zone) {
    return instant == null ? "" : LOCAL.format(Instant.parse(instant).atZone(zone));
  }

  public static String render(JsonObject r) {
    JsonObject c = r.getJsonObject("customer");
    JsonObject sum = r.getJsonObject("summary");
    ZoneId zone = ZoneId.of(c.getString("timeZone"));
    StringBuilder b = new StringBuilder(8192);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Patrol report 巡检报告 · ")
        .append(esc(c.getString("name"))).append(" · ").append(esc(r.getString("date"))).append("</title><style>").append(CSS)
        .append("</style></head><body><header><h1>Patrol report <span class=\"zh\">巡检报告</span></h1><dl class=\"meta\">");
    meta(b, "Customer", "客户", c.getString("name") + " (" + c.getString("id") + ")");
    meta(b, "Contract tier", "服务等级", c.getString("tier"));
    meta(b, "Date", "日期", r.getString("date") + " (" + c.getString("timeZone") + ")");
    meta(b, "Generated", "生成时间", local(r.getString("generatedAt"), zone)
        + (r.getBoolean("complete", true) ? "" : " — day not over, partial 当日未结束"));
    b.append("</dl></header>");

    b.append("<section id=\"summary\"><h2>Summary <span class=\"zh\">概要</span></h2><ul class=\"tiles\">");
    tile(b, "checks", "Checks run", "检查次数", String.valueOf(sum.getLong("checks")));
    tile(b, "success", "Success ratio", "成功率", pct(sum.getDouble("successRatio")));
    tile(b, "findings", "Findings", "巡检发现", String.valueOf(sum.getInteger("findings")));
    tile(b, "faults", "Faults", "故障", String.valueOf(sum.getLong("faults")));
    b.append("</ul></section>");

    b.append("<section id=\"checks\"><h2>Checks run <span class=\"zh\">检查执行情况</span></h2><table><thead><tr>")
        .append("<th>System 系统</th><th>Check 检查项</th><th>Target 目标</th><th class=\"n\">Runs 次数</th><th class=\"n\">Failed 失败</th>")
        .append("<th class=\"n\">Success 成功率</th><th class=\"n\">Avg time 平均耗时</th></tr></thead><tbody>");
    for (Object o : r.getJsonArray("systems")) {
      JsonObject s = (JsonObject) o;
      String sys = s.getString("name") + (s.getString("criticality") == null ? "" : " · " + s.getString("criticality"));
      JsonObject rep = s.getJsonObject("reporting");
      if (rep != null) {
        // Runs: the day observed; Failed: the time silent (under NoData); Success: the share not silent.
        long silent = rep.getLong("silentSeconds");
        long observed = rep.getLong("observedSeconds");
        b.append("<tr").append(silent > 0 ? " class=\"bad\"" : "").append(" id=\"reporting-").append(esc(s.getString("id")))
            .append("\"><td>").append(esc(sys)).append("</td><td>reporting 数据上报 (≤ ").append(esc(rep.getString("interval")))
            .append(" apart)</td><td>").append(observed == 0 ? "not yet in the inventory 当日未登记" : "")
            .append("</td><td class=\"n\">").append(duration(observed)).append("</td><td class=\"n\">")
            .append(silent == 0 ? "0" : "silent 静默 " + duration(silent)).append("</td><td class=\"n\">").append(pct(rep.getDouble("ratio")))
            .append("</td><td></td></tr>");
      }
      JsonObject hb = s.getJsonObject("heartbeats");
      // Only for systems that beat: one that sends metrics instead is reporting with no heartbeats at all.
      if (hb.getLong("received") > 0) {
        b.append("<tr><td>").append(esc(sys)).append("</td><td>heartbeat 心跳</td><td></td><td class=\"n\">").append(hb.getLong("received"))
            .append(hb.getValue("expected") == null || hb.getLong("expected") == 0 ? "" : " / " + hb.getLong("expected")).append("</td><td></td><td></td><td></td></tr>");
      }
      for (Object po : s.getJsonArray("probes")) {
        JsonObject p = (JsonObject) po;
        boolean failed = p.getLong("failures") > 0;
        b.append("<tr").append(failed ? " class=\"bad\"" : "").append("><td>").append(esc(sys)).append("</td><td>")
            .append(esc(p.getString("probe"))).append(p.getString("type") == null ? "" : " (" + esc(p.getString("type")) + ")")
            .append("</td><td class=\"t\">").append(esc(p.getString("target"))).append("</td><td class=\"n\">").append(p.getLong("runs"))
            .append("</td><td class=\"n\">").append(p.getLong("failures")).append("</td><td class=\"n\">").append(pct(p.getDouble("successRatio")))
            .append("</td><td class=\"n\">").append(p.getDouble("avgDurationSeconds") == null ? "" : ms(p.getDouble("avgDurationSeconds")))
            .append("</td></tr>");
      }
    }
    b.append("</tbody></table></section>");

    b.append("<section id=\"findings\"><h2>Findings <span class=\"zh\">巡检发现</span></h2>");
    JsonArray findings = r.getJsonArray("findings");
    if (findings.isEmpty()) b.append("<p class=\"ok\">Nothing found. 未发现问题。</p>");
    else {
      b.append("<table><thead><tr><th>Grade 级别</th><th>Kind 类别</th><th>System 系统</th><th>Finding 说明</th></tr></thead><tbody>");
      for (Object o : findings) {
        JsonObject f = (JsonObject) o;
        b.append("<tr class=\"sev-").append(esc(f.getString("severity"))).append("\"><td>").append(esc(f.getString("severity")))
            .append("</td><td>").append(kind(f.getString("kind"))).append("</td><td>").append(esc(f.getString("system")))
            .append("</td><td>").append(esc(f.getString("text"))).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    b.append("</section>");

    JsonObject faults = r.getJsonObject("faults");
    b.append("<section id=\"faults\"><h2>Faults of the day <span class=\"zh\">当日故障</span></h2><table><thead><tr>")
        .append("<th>Severity 级别</th><th class=\"n\">Faults 数量</th><th class=\"n\">Resolved 已恢复</th><th class=\"n\">Open 未恢复</th>")
        .append("<th class=\"n\">MTTR so far 平均修复时间</th></tr></thead><tbody>");
    for (Object o : faults.getJsonArray("bySeverity")) {
      JsonObject s = (JsonObject) o;
      b.append("<tr><td>").append(esc(s.getString("severity"))).append(" ").append(esc(s.getString("name"))).append("</td><td class=\"n\">")
          .append(s.getLong("count")).append("</td><td class=\"n\">").append(s.getLong("resolved")).append("</td><td class=\"n\">")
          .append(s.getLong("open")).append("</td><td class=\"n\">").append(duration(s.getLong("mttrSeconds"))).append("</td></tr>");
    }
    b.append("</tbody></table>");
    JsonArray list = faults.getJsonArray("list");
    if (!list.isEmpty()) {
      b.append("<table class=\"list\"><thead><tr><th>Fired 发生</th><th>Severity 级别</th><th>System 系统</th><th>Fault 故障</th><th>Resolved 恢复</th></tr></thead><tbody>");
      for (Object o : list) {
        JsonObject f = (JsonObject) o;
        b.append("<tr><td>").append(local(f.getString("firingAt"), zone)).append("</td><td>").append(esc(f.getString("severity"))).append("</td><td>")
            .append(esc(f.getString("system"))).append("</td><td>").append(esc(f.getString("rule"))).append(": ").append(esc(f.getString("summary")))
            .append("</td><td>").append(f.getString("endsAt") == null ? "open 未恢复" : local(f.getString("endsAt"), zone)).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    b.append("</section>");

    b.append("<section id=\"trends\"><h2>Trends <span class=\"zh\">趋势预测</span></h2>");
    JsonArray trends = r.getJsonArray("trends");
    if (trends.isEmpty()) b.append("<p>No disk usage samples this day. 当日无磁盘使用率数据。</p>");
    else {
      b.append("<table><thead><tr><th>System 系统</th><th>Host 主机</th><th class=\"n\">Disk used 磁盘使用率</th><th class=\"n\">Per day 日增长</th>")
          .append("<th class=\"n\">Full in 预计写满</th></tr></thead><tbody>");
      for (Object o : trends) {
        JsonObject t = (JsonObject) o;
        b.append("<tr").append(t.getBoolean("fullWithin7Days") ? " class=\"bad\"" : "").append("><td>").append(esc(t.getString("system")))
            .append("</td><td>").append(esc(t.getString("host"))).append("</td><td class=\"n\">").append(num(t.getDouble("lastValue"))).append("%</td><td class=\"n\">")
            .append(t.getDouble("slopePerDay") == null ? "" : num(t.getDouble("slopePerDay")) + " pts").append("</td><td class=\"n\">")
            .append(fullIn(t)).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    b.append("</section><footer>Vigil · ").append(esc(c.getString("id"))).append(" · ").append(local(r.getString("from"), zone)).append(" – ")
        .append(local(r.getString("to"), zone)).append(" ").append(esc(zone.getId())).append("</footer></body></html>");
    return b.toString();
  }

  private static final String CSS = """
      body{font-family:"Noto Sans","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:2rem;color:#1b1f23;font-size:14px}
      h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.15rem;border-bottom:2px solid #1f4e79;padding-bottom:.2rem;margin-top:1.6rem}
      .zh{color:#1f4e79;font-weight:normal}
      .meta{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:0}.meta dt{font-weight:bold}.meta dd{margin:0}
      .tiles{display:flex;gap:1rem;list-style:none;padding:0}.tiles li{border:1px solid #c8d3de;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
      .tiles b{display:block;font-size:1.5rem}
      table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border:1px solid #c8d3de;padding:.3rem .5rem;text-align:left;vertical-align:top}
      th{background:#eef3f8}.n{text-align:right;white-space:nowrap}.t{word-break:break-all}
      tr.bad td,tr.sev-P1 td,tr.sev-P2 td{background:#fdecea}tr.sev-P3 td{background:#fff4e5}
      .ok{color:#1e7b34}footer{margin-top:2rem;color:#6a737d;font-size:.8rem}
      @media print{body{margin:0;font-size:11px}section{break-inside:avoid}h2{break-after:avoid}
        tr.bad td,tr.sev-P1 td,tr.sev-P2 td,tr.sev-P3 td,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        @page{size:A4;margin:15mm}}
      """;

  private static void meta(StringBuilder b, String en, String zh, String value) {
    b.append("<dt>").append(en).append(" <span class=\"zh\">").append(zh).append("</span></dt><dd>").append(esc(value)).append("</dd>");
  }

  private static void tile(StringBuilder b, String id, String en, String zh, String value) {
    b.append("<li id=\"tile-").append(id).append("\"><b>").append(esc(value)).append("</b>").append(en).append(" <span class=\"zh\">")
        .append(zh).append("</span></li>");
  }

  private static String kind(String k) {
    return switch (k) {
      case "probe_failed" -> "probe failed 探测失败";
      case "no_data" -> "no data 无数据";
      case "tls_expiring" -> "certificate expiring 证书即将过期";
      case "disk_full_predicted" -> "disk filling 磁盘将满";
      default -> esc(k);
    };
  }

  private static String fullIn(JsonObject trend) {
    if (Boolean.FALSE.equals(trend.getBoolean("predicted"))) {
      return "too little data 数据不足 (" + num(trend.getDouble("spanHours")) + " h)";
    }
    Double days = trend.getDouble("daysUntilFull");
    if (days == null) return "not filling 无增长";
    return days < 2 ? num(trend.getDouble("hoursUntilFull")) + " h 小时" : num(days) + " d 天";
  }

  private static String pct(Double d) {
    return d == null ? "–" : String.format(Locale.ROOT, "%.1f%%", d * 100);
  }

  private static String ms(double seconds) {
    return String.format(Locale.ROOT, "%.0f ms", seconds * 1000);
  }

  private static String num(Double d) {
    return d == null ? "" : String.format(Locale.ROOT, "%.1f", d);
  }

  private static String duration(Long seconds) {
    if (seconds == null) return "–";
    if (seconds < 60) return seconds + " s";
    if (seconds < 3600) return (seconds / 60) + " min";
    return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
  }

  static String esc(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }
}
