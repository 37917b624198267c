package io.vigil.rules.notify;

import io.vigil.rules.Labels;
import java.util.List;
import java.util.Map;

/**
 * What both body renderers show of a flush, computed as Alertmanager does: the alert list cut to
 * {@code max_alerts} first, then status, common labels and common annotations from what is left.
 */
record NotificationData(String groupKey, String receiver, AlertStatus status, List<GroupedAlert> alerts, int truncated,
    Labels groupLabels, Labels commonLabels, Map<String, String> commonAnnotations, String externalUrl) {

  static NotificationData of(Flush flush, List<GroupedAlert> alerts, String receiver, String externalUrl, int maxAlerts) {
    List<GroupedAlert> kept = maxAlerts > 0 && alerts.size() > maxAlerts ? alerts.subList(0, maxAlerts) : alerts;
    AlertStatus status = kept.stream().anyMatch(GroupedAlert::firing) ? AlertStatus.FIRING : AlertStatus.RESOLVED;
    return new NotificationData(flush.groupKey(), quoteMeta(receiver), status, List.copyOf(kept), alerts.size() - kept.size(),
        flush.groupLabels(), Flush.commonLabels(kept), Flush.commonAnnotations(kept), externalUrl == null ? "" : externalUrl);
  }

  /**
   * Go's {@code regexp.QuoteMeta}: Alertmanager puts the receiver name through it in both the
   * webhook body and templates ({@code web.hook} arrives as {@code web\.hook}); kept so existing
   * receivers that compare the name keep working.
   */
  static String quoteMeta(String s) {
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) b.append('\\');
      b.append(c);
    }
    return b.toString();
  }
}
