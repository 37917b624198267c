package io.vigil.web;

import static io.vigil.web.PatrolReportPage.esc;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The monthly service report (月度服务报告) an account manager sends a customer, as one printable
 * HTML page: headings in English and Chinese, charts as inline SVG drawn here (no script), a print
 * stylesheet for A4. Rendered from one customer section of the report JSON, so page, JSON and CSV
 * never disagree. Pure: a function of its arguments.
 */
public final class ServiceReportPage {
  static final List<String> SEVERITIES = List.of("P1", "P2", "P3", "P4");
  private static final Map<String, String> COLOURS = Map.of("P1", "#c62828", "P2", "#ef6c00", "P3", "#f9a825", "P4", "#607d8b");

  private ServiceReportPage() {}

  public static String render(String generatedAt, YearMonth month, JsonObject c) {
    ZoneId zone = ZoneId.of(c.getString("timeZone"));
    Map<String, JsonObject> rows = new HashMap<>();
    for (Object o : c.getJsonArray("rows")) rows.put(((JsonObject) o).getString("severity"), (JsonObject) o);
    JsonObject all = rows.get("all");
    StringBuilder b = new StringBuilder(16384);
    b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Service report 服务报告 · ")
        .append(esc(c.getString("name"))).append(" · ").append(month).append("</title><style>").append(CSS)
        .append("</style></head><body><header><h1>Monthly service report <span class=\"zh\">月度服务报告</span></h1><dl class=\"meta\">");
    meta(b, "Customer", "客户", c.getString("name") + " (" + c.getString("customer") + ")");
    meta(b, "Month", "月份", month + " (" + zone.getId() + ")");
    meta(b, "Generated", "生成时间", PatrolReportPage.local(generatedAt, zone));
    b.append("</dl></header>");

    b.append("<section id=\"summary\"><h2>Summary <span class=\"zh\">概要</span></h2><ul class=\"tiles\">");
    tile(b, "opened", "Tickets opened", "新建工单", num(all.getValue("opened")));
    tile(b, "response", "Response within SLA", "响应达标率", pct(all.getDouble("responseCompliance")));
    tile(b, "resolution", "Resolution within SLA", "解决达标率", pct(all.getDouble("resolutionCompliance")));
    tile(b, "mttr", "MTTR", "平均修复时间", duration(all.getDouble("mttrMeanSeconds")));
    tile(b, "fcr", "First-contact resolution", "一次解决率", pct(all.getDouble("firstContactRate")));
    tile(b, "satisfaction", "Satisfaction", "满意度", all.getDouble("satisfactionMean") == null ? "–"
        : String.format(Locale.ROOT, "%.2f / 5", all.getDouble("satisfactionMean")));
    tile(b, "backlog", "Open at month end", "月末未结", num(all.getValue("backlog")));
    b.append("</ul></section>");

    b.append("<section id=\"daily\"><h2>Tickets per day <span class=\"zh\">每日工单数</span></h2>");
    dailyChart(b, month, c.getJsonArray("daily", new JsonArray()));
    b.append("</section>");

    b.append("<section id=\"mttr\"><h2>Time to resolve by severity <span class=\"zh\">各级别修复时间</span></h2>");
    mttrChart(b, rows);
    b.append("</section>");

    b.append("<section id=\"measures\"><h2>Service measures <span class=\"zh\">服务指标</span></h2><table><thead><tr>")
        .append("<th>Severity 级别</th><th class=\"n\">Opened 新建</th><th class=\"n\">Resolved 解决</th>")
        .append("<th class=\"n\">First response 首次响应</th><th class=\"n\">MTTA 平均确认</th><th class=\"n\">MTTR 平均修复</th>")
        .append("<th class=\"n\">MTTR p90</th><th class=\"n\">Response SLA 响应达标</th><th class=\"n\">Resolution SLA 解决达标</th>")
        .append("<th class=\"n\">Breaches 超时</th><th class=\"n\">FCR 一次解决</th><th class=\"n\">Recurrence 复发</th>")
        .append("<th class=\"n\">Satisfaction 满意度</th><th class=\"n\">Complaints 投诉</th></tr></thead><tbody>");
    for (String sev : severitiesWithAll()) {
      JsonObject r = rows.get(sev);
      if (r == null) continue;
      b.append("<tr class=\"sev-").append(esc(sev)).append("\"><td>").append(sev.equals("all") ? "All 全部" : esc(sev)).append("</td>");
      cells(b, num(r.getValue("opened")), num(r.getValue("resolved")), duration(r.getDouble("firstResponseMeanSeconds")),
          duration(r.getDouble("mttaMeanSeconds")), duration(r.getDouble("mttrMeanSeconds")), duration(r.getDouble("mttrP90Seconds")),
          pct(r.getDouble("responseCompliance")), pct(r.getDouble("resolutionCompliance")),
          (r.getLong("responseBreaches") + r.getLong("resolutionBreaches")) + "", pct(r.getDouble("firstContactRate")),
          pct(r.getDouble("recurrenceRate")), satisfaction(r), num(r.getValue("complaints")));
      b.append("</tr>");
    }
    b.append("</tbody></table></section>");

    b.append("<section id=\"backlog\"><h2>Open at month end by age <span class=\"zh\">月末未结工单（按时长）</span></h2><table><thead><tr>")
        .append("<th>Severity 级别</th><th class=\"n\">&lt; 1 d 天</th><th class=\"n\">1–3 d 天</th><th class=\"n\">3–7 d 天</th>")
        .append("<th class=\"n\">≥ 7 d 天</th><th class=\"n\">Overdue 已超时</th><th class=\"n\">Total 合计</th></tr></thead><tbody>");
    for (String sev : severitiesWithAll()) {
      JsonObject r = rows.get(sev);
      if (r == null) continue;
      b.append("<tr><td>").append(sev.equals("all") ? "All 全部" : esc(sev)).append("</td>");
      cells(b, num(r.getValue("backlogLt1d")), num(r.getValue("backlog1d3d")), num(r.getValue("backlog3d7d")),
          num(r.getValue("backlogGe7d")), num(r.getValue("backlogOverdue")), num(r.getValue("backlog")));
      b.append("</tr>");
    }
    b.append("</tbody></table></section>");

    b.append("<section id=\"channels\"><h2>Tickets by channel <span class=\"zh\">工单来源渠道</span></h2><table><thead><tr>")
        .append("<th>Monitoring 监控</th><th>Phone 电话</th><th>E-mail 邮件</th><th>Web 网页</th><th>Portal 门户</th></tr></thead><tbody><tr>");
    cells(b, num(all.getValue("channelMonitoring")), num(all.getValue("channelPhone")), num(all.getValue("channelEmail")),
        num(all.getValue("channelWeb")), num(all.getValue("channelPortal")));
    b.append("</tr></tbody></table></section>");

    b.append("<footer>Vigil · ").append(esc(c.getString("customer"))).append(" · ")
        .append(PatrolReportPage.local(c.getString("from"), zone)).append(" – ").append(PatrolReportPage.local(c.getString("to"), zone))
        .append(" ").append(esc(zone.getId())).append(" · measures as defined in docs/REPORTS.md 指标定义见 docs/REPORTS.md</footer></body></html>");
    return b.toString();
  }

  private static List<String> severitiesWithAll() {
    return List.of("all", "P1", "P2", "P3", "P4");
  }

  /** Stacked bars: tickets opened per day of the month, one colour per severity. */
  static void dailyChart(StringBuilder b, YearMonth month, JsonArray daily) {
    int days = month.lengthOfMonth();
    Map<Integer, Map<String, Long>> byDay = new HashMap<>();
    for (Object o : daily) {
      JsonObject d = (JsonObject) o;
      int day = LocalDate.parse(d.getString("day")).getDayOfMonth();
      byDay.computeIfAbsent(day, k -> new HashMap<>()).merge(d.getString("severity"), d.getLong("tickets"), Long::sum);
    }
    long max = 1;
    for (Map<String, Long> m : byDay.values()) max = Math.max(max, m.values().stream().mapToLong(Long::longValue).sum());
    int w = 720, h = 220, left = 36, bottom = 24, top = 10;
    double plotH = h - bottom - top;
    double bw = (w - left) / (double) days;
    b.append("<svg class=\"chart\" id=\"chart-daily\" role=\"img\" viewBox=\"0 0 ").append(w).append(' ').append(h)
        .append("\" width=\"").append(w).append("\" height=\"").append(h).append("\" xmlns=\"http://www.w3.org/2000/svg\">")
        .append("<title>Tickets opened per day by severity 每日新建工单（按级别）</title>");
    b.append("<line x1=\"").append(left).append("\" y1=\"").append(h - bottom).append("\" x2=\"").append(w).append("\" y2=\"")
        .append(h - bottom).append("\" stroke=\"#6a737d\"/>");
    b.append(text(left - 4, top + 8, "end", String.valueOf(max))).append(text(left - 4, h - bottom, "end", "0"));
    for (int day = 1; day <= days; day++) {
      double x = left + (day - 1) * bw;
      double y = h - bottom;
      Map<String, Long> m = byDay.getOrDefault(day, Map.of());
      for (String sev : SEVERITIES) {
        long n = m.getOrDefault(sev, 0L);
        if (n == 0) continue;
        double bh = plotH * n / max;
        y -= bh;
        b.append("<rect class=\"bar-").append(sev).append("\" x=\"").append(f(x + 1)).append("\" y=\"").append(f(y)).append("\" width=\"")
            .append(f(Math.max(1, bw - 2))).append("\" height=\"").append(f(bh)).append("\" fill=\"").append(COLOURS.get(sev))
            .append("\"><title>").append(month.atDay(day)).append(' ').append(sev).append(": ").append(n).append("</title></rect>");
      }
      if (day == 1 || day % 5 == 0) b.append(text(x + bw / 2, h - 8, "middle", String.valueOf(day)));
    }
    legend(b, w - 200, top + 4);
    b.append("</svg>");
  }

  /** Horizontal bars per severity: MTTR mean (solid) and p90 (outline), on one scale. */
  static void mttrChart(StringBuilder b, Map<String, JsonObject> rows) {
    double max = 1;
    for (String sev : SEVERITIES) {
      JsonObject r = rows.get(sev);
      if (r == null) continue;
      for (String k : List.of("mttrMeanSeconds", "mttrP90Seconds")) if (r.getDouble(k) != null) max = Math.max(max, r.getDouble(k));
    }
    int w = 720, rowH = 34, left = 60, right = 150;
    int h = rowH * SEVERITIES.size() + 10;
    b.append("<svg class=\"chart\" id=\"chart-mttr\" role=\"img\" viewBox=\"0 0 ").append(w).append(' ').append(h).append("\" width=\"")
        .append(w).append("\" height=\"").append(h).append("\" xmlns=\"http://www.w3.org/2000/svg\">")
        .append("<title>MTTR per severity, mean and p90 各级别平均/90分位修复时间</title>");
    double plotW = w - left - right;
    int i = 0;
    for (String sev : SEVERITIES) {
      JsonObject r = rows.get(sev);
      Double mean = r == null ? null : r.getDouble("mttrMeanSeconds");
      Double p90 = r == null ? null : r.getDouble("mttrP90Seconds");
      int y = 5 + i++ * rowH;
      b.append(text(left - 8, y + 20, "end", sev));
      if (p90 != null) {
        b.append("<rect x=\"").append(left).append("\" y=\"").append(y + 4).append("\" width=\"").append(f(plotW * p90 / max))
            .append("\" height=\"24\" fill=\"none\" stroke=\"").append(COLOURS.get(sev)).append("\" stroke-dasharray=\"4 2\"/>");
      }
      if (mean != null) {
        b.append("<rect class=\"mttr-").append(sev).append("\" x=\"").append(left).append("\" y=\"").append(y + 8).append("\" width=\"")
            .append(f(plotW * mean / max)).append("\" height=\"16\" fill=\"").append(COLOURS.get(sev)).append("\"/>");
      }
      b.append(text(w - right + 8, y + 20, "start", mean == null ? "no resolutions 无" : duration(mean) + " · p90 " + duration(p90)));
    }
    b.append("</svg>");
  }

  private static void legend(StringBuilder b, int x, int y) {
    int i = 0;
    for (String sev : SEVERITIES) {
      int lx = x + i++ * 48;
      b.append("<rect x=\"").append(lx).append("\" y=\"").append(y).append("\" width=\"10\" height=\"10\" fill=\"").append(COLOURS.get(sev))
          .append("\"/>").append(text(lx + 14, y + 9, "start", sev));
    }
  }

  private static String text(double x, double y, String anchor, String s) {
    return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"11\">" + esc(s) + "</text>";
  }

  private static String f(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  private static void cells(StringBuilder b, String... values) {
    for (String v : values) b.append("<td class=\"n\">").append(esc(v)).append("</td>");
  }

  private static String satisfaction(JsonObject r) {
    Double mean = r.getDouble("satisfactionMean");
    return (mean == null ? "–" : String.format(Locale.ROOT, "%.2f", mean)) + " (" + pct(r.getDouble("surveyResponseRate")) + " answered 回复)";
  }

  private static void meta(StringBuilder b, String en, String zh, String value) {
    b.append("<dt>").append(en).append(" <span class=\"zh\">").append(zh).append("</span></dt><dd>").append(esc(value)).append("</dd>");
  }

  private static void tile(StringBuilder b, String id, String en, String zh, String value) {
    b.append("<li id=\"tile-").append(id).append("\"><b>").append(esc(value)).append("</b>").append(en).append(" <span class=\"zh\">")
        .append(zh).append("</span></li>");
  }

  private static String num(Object v) {
    return v == null ? "–" : String.valueOf(v);
  }

  private static String pct(Double d) {
    return d == null ? "–" : String.format(Locale.ROOT, "%.1f%%", d * 100);
  }

  static String duration(Double seconds) {
    if (seconds == null) return "–";
    long s = Math.round(seconds);
    if (s < 60) return s + " s";
    if (s < 3600) return (s / 60) + " min";
    if (s < 86_400) return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    return String.format(Locale.ROOT, "%d d %02d h", s / 86_400, (s % 86_400) / 3600);
  }

  private static final String CSS = """
      body{font-family:"Noto Sans","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:2rem;color:#1b1f23;font-size:14px}
      h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.15rem;border-bottom:2px solid #1f4e79;padding-bottom:.2rem;margin-top:1.6rem}
      .zh{color:#1f4e79;font-weight:normal}
      .meta{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:0}.meta dt{font-weight:bold}.meta dd{margin:0}
      .tiles{display:flex;flex-wrap:wrap;gap:.8rem;list-style:none;padding:0}
      .tiles li{border:1px solid #c8d3de;border-radius:6px;padding:.5rem .8rem;min-width:7.5rem}.tiles b{display:block;font-size:1.4rem}
      table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{border:1px solid #c8d3de;padding:.3rem .4rem;text-align:left;vertical-align:top}
      th{background:#eef3f8;font-size:.85rem}.n{text-align:right;white-space:nowrap}tr.sev-all td{font-weight:bold}
      svg.chart{max-width:100%;height:auto;display:block}
      footer{margin-top:2rem;color:#6a737d;font-size:.8rem}
      @media print{body{margin:0;font-size:10px}section{break-inside:avoid}h2{break-after:avoid}
        th,svg.chart{-webkit-print-color-adjust:exact;print-color-adjust:exact}@page{size:A4;margin:12mm}}
      """;
}
