package io.vigil.web;

import io.vertx.core.json.JsonObject;

/**
 * The satisfaction survey a customer opens from the signed link: bilingual, no account, no
 * script needed (a plain form posting to the same URL), readable on a phone.
 */
final class SurveyPage {
  private SurveyPage() {}

  static String form(String token, JsonObject s) {
    StringBuilder b = head("Vigil — how did we do? 服务满意度");
    b.append("<h1>How did we do? <span lang=zh>服务满意度评价</span></h1>");
    b.append("<p class=ticket>Ticket <b>#").append(s.getLong("ticketId")).append("</b> — ").append(esc(s.getString("summary")))
        .append(" <span class=muted>(").append(esc(s.getString("customer"))).append(" / ").append(esc(s.getString("system"))).append(")</span></p>");
    if (s.getString("fix") != null) b.append("<p>What we did <span lang=zh>处理措施</span>: ").append(esc(s.getString("fix"))).append("</p>");
    if (s.getValue("answeredAt") != null) {
      return b.append("<p class=done>Thank you — your answer (").append(s.getInteger("score"))
          .append("/5) was recorded. <span lang=zh>感谢您的评价。</span></p></main></body></html>").toString();
    }
    b.append("<form method=post action=\"/survey/").append(esc(token)).append("\"><fieldset><legend>Your rating <span lang=zh>评分</span></legend>");
    String[] labels = {"1 very poor 很不满意", "2 poor 不满意", "3 fair 一般", "4 good 满意", "5 excellent 非常满意"};
    for (int i = 1; i <= 5; i++) {
      b.append("<label><input type=radio name=score value=").append(i).append(i == 5 ? " required" : "").append("> ")
          .append(labels[i - 1]).append("</label>");
    }
    b.append("</fieldset><label class=comment>Comment (optional) <span lang=zh>意见与建议</span><textarea name=comment maxlength=2000 rows=4></textarea></label>")
        .append("<button type=submit>Send <span lang=zh>提交</span></button></form></main></body></html>");
    return b.toString();
  }

  static String thanks(JsonObject answer) {
    StringBuilder b = head("Vigil — thank you 感谢");
    b.append("<h1>Thank you <span lang=zh>感谢您的评价</span></h1><p>Your rating of ticket #").append(answer.getLong("ticketId"))
        .append(": <b>").append(answer.getInteger("score")).append("/5</b>.</p>");
    if (answer.getLong("reviewTicketId") != null) {
      b.append("<p>We are sorry it did not go well. A service manager will review it (ticket #").append(answer.getLong("reviewTicketId"))
          .append(") and contact you. <span lang=zh>服务经理将复核并与您联系。</span></p>");
    }
    return b.append("</main></body></html>").toString();
  }

  static String problem(int status, String message) {
    return head("Vigil — survey").append("<h1>").append(status == 410 ? "This link has expired <span lang=zh>链接已过期</span>"
        : status == 409 ? "Already answered <span lang=zh>已评价</span>" : "Survey not found <span lang=zh>未找到评价</span>")
        .append("</h1><p>").append(esc(message)).append("</p></main></body></html>").toString();
  }

  static StringBuilder head(String title) {
    return new StringBuilder("<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">")
        .append("<title>").append(esc(title)).append("</title><style>")
        .append("body{font:16px/1.5 system-ui,'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:0;background:#f4f6f8;color:#1b2430}")
        .append("main{max-width:36rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}")
        .append("h1{font-size:1.4rem}.muted{color:#667}label{display:block;margin:.4rem 0}fieldset{border:1px solid #ccd;border-radius:6px}")
        .append("textarea{width:100%;box-sizing:border-box;font:inherit}button{margin-top:1rem;padding:.6rem 1.4rem;font:inherit;")
        .append("background:#1d5fbf;color:#fff;border:0;border-radius:6px}.done{color:#1a7f37}")
        .append("</style></head><body><main>");
  }

  private static String esc(String s) {
    return PatrolReportPage.esc(s);
  }
}
