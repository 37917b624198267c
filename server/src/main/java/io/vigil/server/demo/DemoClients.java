package io.vigil.server.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Demo client systems for {@code ./vigil run}: three customers, seven systems, two hosts each,
 * pushing {@code up}, {@code cpu_usage}, {@code mem_usage}, {@code disk_usage} and
 * {@code http_error_rate} every 2 s through the real ingest API, with a fault episode (CPU spike,
 * error burst, outage, filling disk, or a whole system going silent) starting every ~45 s.
 *
 * <p>At start it registers the patrol inventory through the REST API (customers with contract
 * tiers and time zones, systems with a 1-minute heartbeat interval and criticality, HTTP and TCP
 * probes against Vigil itself), so the demo also shows NoData faults, probe samples and the daily
 * patrol report. Entries that already exist (409, an earlier run) are left as they are.
 *
 * <p>A separate process that talks HTTP like any agent would; plain blocking java.net.http is
 * right here (no event loop). Usage: {@code DemoClients BASE_URL TOKEN}.
 */
public final class DemoClients {
  private record Host(String customer, String system, String host) {}

  /** (customer, system) of the demo. */
  public static final String[][] SYSTEMS = {{"acme", "erp"}, {"acme", "crm"}, {"acme", "mes"}, {"globex", "billing"}, {"globex", "portal"},
      {"initech", "hr"}, {"initech", "oa"}};

  private enum Episode { CPU, ERRORS, DOWN, DISK, SILENT }

  private static final class State {
    final Host h;
    double cpu;
    double mem;
    double disk;
    Episode episode;
    long episodeEnds;

    State(Host h, Random r) {
      this.h = h;
      cpu = 20 + r.nextDouble() * 30;
      mem = 40 + r.nextDouble() * 20;
      disk = 40 + r.nextDouble() * 30;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: DemoClients BASE_URL TOKEN");
      System.exit(2);
    }
    URI ingest = URI.create(args[0].replaceAll("/$", "") + "/api/v1/ingest");
    String token = args[1];
    Random random = new Random();
    List<State> hosts = new ArrayList<>();
    String[][] systems = SYSTEMS;
    for (String[] s : systems) {
      for (int i = 1; i <= 2; i++) hosts.add(new State(new Host(s[0], s[1], s[1] + "-" + (i == 1 ? "app" : "db") + i), random));
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    registerInventory(http, args[0].replaceAll("/$", ""), token, systems);
    long nextEpisode = System.currentTimeMillis() + 10_000;
    System.err.println("demo: " + hosts.size() + " hosts of " + systems.length + " systems pushing to " + ingest);
    while (true) {
      long now = System.currentTimeMillis();
      if (now >= nextEpisode) {
        State s = hosts.get(random.nextInt(hosts.size()));
        if (s.episode == null) {
          s.episode = Episode.values()[random.nextInt(Episode.values().length)];
          s.episodeEnds = now + switch (s.episode) {
            case CPU -> 60_000 + random.nextInt(60_000);
            case ERRORS -> 40_000 + random.nextInt(50_000);
            case DOWN -> 30_000 + random.nextInt(30_000);
            case DISK -> 120_000 + random.nextInt(60_000);
            case SILENT -> 150_000 + random.nextInt(60_000); // past the 1-minute heartbeat interval: NoData
          };
          System.err.println("demo: episode " + s.episode + " on " + s.h.customer() + "/"
              + (s.episode == Episode.SILENT ? s.h.system() + " (the whole system stops sending)" : s.h.host()));
        }
        nextEpisode = now + 30_000 + random.nextInt(30_000);
      }
      StringBuilder body = new StringBuilder("{\"samples\":[");
      boolean first = true;
      java.util.Set<String> silent = new java.util.HashSet<>();
      for (State s : hosts) if (s.episode == Episode.SILENT && now <= s.episodeEnds) silent.add(s.h.customer() + "/" + s.h.system());
      for (State s : hosts) {
        if (s.episode != null && now > s.episodeEnds) s.episode = null;
        if (silent.contains(s.h.customer() + "/" + s.h.system())) continue;
        s.cpu = clamp(s.episode == Episode.CPU ? 93 + random.nextDouble() * 6 : walk(s.cpu, random, 15, 70));
        s.mem = clamp(walk(s.mem, random, 30, 80));
        s.disk = s.episode == Episode.DISK ? Math.min(95, Math.max(s.disk, 86) + random.nextDouble() * 0.3) : clamp(walk(s.disk, random, 30, 80));
        double errors = s.episode == Episode.ERRORS ? 6 + random.nextDouble() * 9 : random.nextDouble() * 1.5;
        double up = s.episode == Episode.DOWN ? 0 : 1;
        for (Object[] m : new Object[][] {{"up", up}, {"cpu_usage", s.cpu}, {"mem_usage", s.mem}, {"disk_usage", s.disk},
            {"http_error_rate", errors}}) {
          if (!first) body.append(',');
          first = false;
          body.append(String.format(Locale.ROOT,
              "{\"metric\":\"%s\",\"labels\":{\"customer\":\"%s\",\"system\":\"%s\",\"host\":\"%s\"},\"value\":%.2f}",
              m[0], s.h.customer(), s.h.system(), s.h.host(), (double) m[1]));
        }
      }
      body.append("]}");
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(ingest).timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204) System.err.println("demo: ingest answered " + r.statusCode() + " " + r.body());
      } catch (java.io.IOException e) {
        System.err.println("demo: ingest failed: " + e.getMessage());
      }
      Thread.sleep(2000);
    }
  }

  /** Customers and systems through the inventory API; what exists already (409) is kept. */
  public static void registerInventory(HttpClient http, String base, String token, String[][] systems) {
    String[][] customers = {
        {"acme", "ACME 集团", "7x24", "Asia/Shanghai"}, {"globex", "Globex", "5x8", "Europe/Berlin"}, {"initech", "Initech", "5x8", "America/New_York"}};
    for (String[] c : customers) {
      post(http, base + "/api/v1/customers", token, String.format(Locale.ROOT,
          "{\"id\":\"%s\",\"name\":\"%s\",\"tier\":\"%s\",\"timeZone\":\"%s\",\"contacts\":[{\"name\":\"On-call\",\"phone\":\"+86 10 0000 0000\"}]}",
          c[0], c[1], c[2], c[3]));
    }
    for (String[] s : systems) {
      String criticality = s[1].equals("erp") || s[1].equals("billing") ? "high" : s[1].equals("oa") ? "low" : "normal";
      String probes = switch (s[1]) {
        case "erp" -> "[{\"name\":\"portal\",\"type\":\"http\",\"target\":\"" + base + "/healthz\",\"interval\":\"30s\",\"timeout\":\"5s\",\"keyword\":\"up\"}]";
        case "billing" -> "[{\"name\":\"api\",\"type\":\"tcp\",\"target\":\"" + URI.create(base).getHost() + ":" + URI.create(base).getPort() + "\",\"interval\":\"30s\"}]";
        default -> "[]";
      };
      post(http, base + "/api/v1/customers/" + s[0] + "/systems", token, String.format(Locale.ROOT,
          "{\"id\":\"%s\",\"name\":\"%s\",\"heartbeatInterval\":\"1m\",\"criticality\":\"%s\",\"probes\":%s}",
          s[1], s[1].toUpperCase(Locale.ROOT), criticality, probes));
    }
    System.err.println("demo: inventory registered (" + customers.length + " customers, " + systems.length + " systems, 2 probes)");
  }

  private static void post(HttpClient http, String url, String token, String json) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201 && r.statusCode() != 200 && r.statusCode() != 409) {
        System.err.println("demo: " + url + " answered " + r.statusCode() + " " + r.body());
      }
    } catch (java.io.IOException e) {
      System.err.println("demo: " + url + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double walk(double v, Random r, double lo, double hi) {
    double next = v + (r.nextDouble() - 0.5) * 4;
    return next < lo ? lo + r.nextDouble() : next > hi ? hi - r.nextDouble() : next;
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(100, v));
  }
}
