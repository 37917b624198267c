package io.vigil.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The service report as CSV (RFC 4180, CRLF): a header row, then one row per customer and
 * severity ("all" first). Columns: {@code customer, from, to}, then the JSON row keys in their
 * order, so the CSV and the JSON name every measure alike. Empty cell: no value (a mean over no
 * tickets). Pure: a function of the report JSON.
 */
public final class ReportCsv {
  private ReportCsv() {}

  public static String render(JsonObject report) {
    StringBuilder b = new StringBuilder(4096);
    boolean header = false;
    for (Object co : report.getJsonArray("customers")) {
      JsonObject c = (JsonObject) co;
      JsonArray rows = c.getJsonArray("rows");
      for (Object ro : rows) {
        JsonObject r = (JsonObject) ro;
        if (!header) {
          b.append("customer,from,to");
          for (String k : r.fieldNames()) b.append(',').append(k);
          b.append("\r\n");
          header = true;
        }
        b.append(cell(c.getString("customer"))).append(',').append(c.getString("from")).append(',').append(c.getString("to"));
        for (String k : r.fieldNames()) {
          Object v = r.getValue(k);
          b.append(',').append(v == null ? "" : cell(String.valueOf(v)));
        }
        b.append("\r\n");
      }
    }
    if (!header) b.append("customer,from,to\r\n");
    return b.toString();
  }

  /** Quoted when needed; a leading = + - @ is defused so a spreadsheet does not run it as a formula. */
  static String cell(String s) {
    if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !s.matches("-?[0-9.]+(E-?[0-9]+)?")) s = "'" + s;
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
