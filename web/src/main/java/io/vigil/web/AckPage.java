package io.vigil.web;

import io.vertx.core.json.JsonObject;

/**
 * The page the acknowledge link in a page opens on the engineer's phone: no account, no script, a
 * plain form posting to the same URL. Opening the link changes nothing (link previews in chat and
 * SMS apps open links on their own); the button does.
 */
final class AckPage {
  private AckPage() {}

  static String form(String token, JsonObject t) {
    StringBuilder b = SurveyPage.head("Vigil — acknowledge #" + t.getLong("ticketId") + " 确认工单");
    b.append("<h1>").append(esc(t.getString("severity"))).append(" · ticket #").append(t.getLong("ticketId")).append("</h1>")
        .append("<p class=ticket>").append(esc(t.getString("summary"))).append(" <span class=muted>(").append(esc(t.getString("customer")))
        .append(" / ").append(esc(t.getString("system"))).append(")</span></p>");
    if (!"open".equals(t.getString("state")) && !"reopened".equals(t.getString("state"))) return done(b, t, true);
    b.append("<form method=post action=\"/ack/").append(esc(token)).append("\">")
        .append("<label>Your name <span lang=zh>姓名</span> <input name=by maxlength=80 autocomplete=name></label>")
        .append("<button type=submit>Acknowledge — I own it <span lang=zh>确认接单</span></button></form>")
        .append("<p class=muted>Acknowledging stops the escalation chain. <span lang=zh>确认后停止升级通知。</span></p></main></body></html>");
    return b.toString();
  }

  static String done(JsonObject t) {
    StringBuilder b = SurveyPage.head("Vigil — acknowledged #" + t.getLong("ticketId"));
    b.append("<h1>Ticket #").append(t.getLong("ticketId")).append("</h1><p class=ticket>").append(esc(t.getString("summary"))).append("</p>");
    return done(b, t, t.getBoolean("already", false));
  }

  private static String done(StringBuilder b, JsonObject t, boolean already) {
    b.append("<p class=done>").append(already ? "Already acknowledged" : "Acknowledged").append(" by <b>")
        .append(esc(String.valueOf(t.getString("acknowledgedBy")))).append("</b> at ").append(esc(String.valueOf(t.getString("acknowledgedAt"))))
        .append(" <span lang=zh>").append(already ? "已被确认" : "已确认").append("</span> — state: ").append(esc(t.getString("state")))
        .append("</p></main></body></html>");
    return b.toString();
  }

  static String problem(int status, String message) {
    return SurveyPage.head("Vigil — acknowledge").append("<h1>").append(status == 410 ? "This link has expired <span lang=zh>链接已过期</span>"
        : status == 409 ? "Not acknowledged <span lang=zh>未能确认</span>" : "Link not found <span lang=zh>链接无效</span>")
        .append("</h1><p>").append(esc(message)).append("</p><p class=muted>Acknowledge in the console, or call the duty desk.</p></main></body></html>").toString();
  }

  private static String esc(String s) {
    return PatrolReportPage.esc(s);
  }
}
