package io.vigil.rules.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Alertmanager webhook body, version 4, so receivers written for Alertmanager (SMS gateways,
 * chat bridges, PagerDuty relays) take Vigil's notifications unchanged. Fields and their order
 * follow Alertmanager's {@code notify/webhook} {@code Message} (its {@code template.Data} first,
 * then {@code version}, {@code groupKey}, {@code truncatedAlerts}); label and annotation keys are
 * sorted as Go writes maps. Semantics kept: {@code max_alerts} cuts the alert list first and
 * {@code truncatedAlerts} counts what was cut; {@code status}, {@code commonLabels} and
 * {@code commonAnnotations} describe the alerts that remain; an unset {@code endsAt} is Go's zero
 * time {@code 0001-01-01T00:00:00Z}; {@code receiver} is regex-quoted as Alertmanager does.
 * Not written: Alertmanager's unreleased {@code notification_reason}.
 */
public final class AlertmanagerBody {
  private AlertmanagerBody() {}

  /** All alerts of the flush; {@code maxAlerts} 0 means all. */
  public static String render(Flush flush, String receiver, String externalUrl, int maxAlerts) {
    return render(flush, flush.alerts(), receiver, externalUrl, maxAlerts);
  }

  /** For one webhook: its {@code send_resolved} filter and {@code max_alerts}. */
  public static String render(Flush flush, WebhookConfig webhook, String receiver, String externalUrl) {
    return render(flush, flush.alertsFor(webhook), receiver, externalUrl, webhook.maxAlerts());
  }

  static String render(Flush flush, List<GroupedAlert> alerts, String receiver, String externalUrl, int maxAlerts) {
    NotificationData d = NotificationData.of(flush, alerts, receiver, externalUrl, maxAlerts);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("receiver", d.receiver());
    m.put("status", d.status().wireName());
    List<Object> list = new ArrayList<>();
    for (GroupedAlert a : d.alerts()) {
      Map<String, Object> am = new LinkedHashMap<>();
      am.put("status", a.status().wireName());
      am.put("labels", a.labels().asMap());
      am.put("annotations", a.annotations());
      am.put("startsAt", Rfc3339.format(a.startsAt()));
      am.put("endsAt", Rfc3339.format(a.endsAt()));
      am.put("generatorURL", a.generatorUrl());
      am.put("fingerprint", a.fingerprint());
      list.add(am);
    }
    m.put("alerts", list);
    m.put("groupLabels", d.groupLabels().asMap());
    m.put("commonLabels", d.commonLabels().asMap());
    m.put("commonAnnotations", d.commonAnnotations());
    m.put("externalURL", d.externalUrl());
    m.put("version", "4");
    m.put("groupKey", d.groupKey());
    m.put("truncatedAlerts", d.truncated());
    return JsonText.write(m);
  }
}
