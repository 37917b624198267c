package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The launcher's own PostgreSQL ({@code ./vigil pg start}, the same start-up {@code ./vigil run} does) from
 * checkouts the postgres user cannot enter: below a 0700 directory (as {@code /root} is) and with spaces in the
 * path. Runs the real {@code vigil} script, copied alone into throwaway "checkouts", against Debian's PostgreSQL.
 */
class LauncherPostgresIT {
  private static final Path LAUNCHER = Path.of(System.getProperty("user.dir")).getParent().resolve("vigil");
  private final List<Checkout> made = new ArrayList<>();

  @Test
  void startsItsClusterFromACheckoutBelowA0700DirectoryAndKeepsItsDataAcrossARestart() throws Exception {
    Checkout c = checkout("my checkout", null);
    Result start = c.vigil("pg", "start");
    assertEquals(0, start.code, start.all());
    assertTrue(start.out.strip().startsWith("postgresql://postgres:"), start.all());
    assertEquals(0, c.vigil("pg", "psql", "-qc", "CREATE TABLE kept(x int); INSERT INTO kept VALUES (42)").code);

    Result stop = c.vigil("pg", "stop");
    assertEquals(0, stop.code, stop.all());
    assertEquals(3, c.vigil("pg", "status").code, "stopped after `pg stop`");
    assertEquals(0, c.vigil("pg", "start").code);
    Result read = c.vigil("pg", "psql", "-tAc", "SELECT x FROM kept");
    assertEquals("42", read.out.strip(), read.all());
  }

  @Test
  void everyPathHandedToThePostgresUserIsOneItCanReach() throws Exception {
    assumeTrue(root(), "only root hands the cluster to the postgres user");
    Checkout c = checkout("with space", null);
    assertEquals(0, c.vigil("pg", "start").code);
    Path home = Path.of(c.vigil("pg", "where").out.strip());
    assertTrue(home.startsWith("/var/lib/vigil"), "a checkout the postgres user cannot enter keeps its cluster in /var/lib/vigil: " + home);
    assertEquals(0, run(List.of("runuser", "-u", "postgres", "--", "test", "-r", home.resolve("data/PG_VERSION").toString()), null).code);
    assertEquals(home.toString(), Files.readSymbolicLink(c.dir.resolve(".vigil/pg")).toString(), ".vigil/pg points at it");
    assertEquals(c.dir.toRealPath().toString(), Files.readString(home.resolve("checkout")));
  }

  @Test
  void twoCheckoutsNeverShareACluster() throws Exception {
    Checkout a = checkout("a", null);
    assertEquals(0, a.vigil("pg", "start").code);
    assertEquals(0, a.vigil("pg", "psql", "-qc", "CREATE TABLE only_in_a(x int)").code);
    // b is a copy of a made with its .vigil (as `cp -a` would): it must get a cluster of its own all the same.
    Checkout b = checkout("b", a);
    Result start = b.vigil("pg", "start");
    assertEquals(0, start.code, start.all());
    assertNotEquals(a.vigil("pg", "where").out, b.vigil("pg", "where").out);
    assertNotEquals(a.vigil("pg", "start").out, start.out, "another URL (port, password)");
    Result table = b.vigil("pg", "psql", "-tAc", "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'");
    assertEquals("0", table.out.strip(), table.all());
  }

  @Test
  void anOrdinaryUserOwningTheCheckoutGetsAClusterInsideIt() throws Exception {
    assumeTrue(root(), "needs root to act as another user");
    Checkout c = checkout("user's checkout", null);
    run(List.of("chown", "-R", "nobody", c.parent.toString()), null);
    c.user = "nobody";
    Result start = c.vigil("pg", "start");
    assertEquals(0, start.code, start.all());
    assertEquals(c.dir.resolve(".vigil/pg").toString(), c.vigil("pg", "where").out.strip());
    assertEquals("1", c.vigil("pg", "psql", "-tAc", "SELECT 1").out.strip());
  }

  @AfterEach
  void stopAndRemoveClusters() throws Exception {
    for (Checkout c : made) {
      Result where = c.vigil("pg", "where");
      c.vigil("pg", "stop");
      if (where.code == 0 && where.out.strip().startsWith("/var/lib/vigil/")) run(List.of("rm", "-rf", where.out.strip()), null);
      run(List.of("rm", "-rf", c.parent.toString()), null);
    }
  }

  private Checkout checkout(String name, Checkout copyOf) throws IOException {
    Path parent = Files.createTempDirectory("vigil-launcher", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path dir = Files.createDirectory(parent.resolve(name));
    if (copyOf != null) {
      Path from = copyOf.dir.resolve(".vigil");
      Files.createDirectory(dir.resolve(".vigil"));
      try (var s = Files.list(from)) {
        for (Path p : s.toList()) Files.copy(p, dir.resolve(".vigil").resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      }
    }
    Files.copy(LAUNCHER, dir.resolve("vigil"), StandardCopyOption.COPY_ATTRIBUTES);
    Checkout c = new Checkout(parent, dir);
    made.add(c);
    return c;
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static final class Checkout {
    final Path parent;
    final Path dir;
    String user;

    Checkout(Path parent, Path dir) {
      this.parent = parent;
      this.dir = dir;
    }

    Result vigil(String... args) throws Exception {
      List<String> cmd = new ArrayList<>();
      if (user != null) cmd.addAll(List.of("runuser", "-u", user, "--"));
      cmd.add("./vigil");
      cmd.addAll(List.of(args));
      return run(cmd, dir);
    }
  }

  private record Result(int code, String out, String err) {
    String all() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  private static Result run(List<String> cmd, Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (dir != null) pb.directory(dir.toFile());
    Path err = Files.createTempFile("vigil-launcher", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", cmd) + " did not end within 120 s");
    }
    String e = Files.readString(err);
    Files.delete(err);
    return new Result(p.exitValue(), out, e);
  }
}
