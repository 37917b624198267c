package io.vigil.server;

import io.vigil.rules.RuleFileException;
import io.vigil.rules.RuleSet;
import io.vigil.rules.RuleTestRunner;
import io.vigil.rules.RulesFile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vigil rules check FILE…} and {@code vigil rules test FILE…}: validate rules files and run
 * rule unit tests, for teams' own CI (as {@code promtool check rules} / {@code promtool test rules}).
 * Exit status 0 when everything is valid and passes, 1 otherwise, 2 for a usage error.
 * A command-line tool: it reads files directly, no server or database involved.
 */
public final class RulesCli {
  private RulesCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2 || !(args[0].equals("check") || args[0].equals("test"))) {
      err.println("usage: vigil rules check FILE...   validate rules files\n"
          + "       vigil rules test FILE...    run rule unit tests (promtool-style test files)");
      return 2;
    }
    boolean ok = true;
    for (int i = 1; i < args.length; i++) {
      Path file = Path.of(args[i]);
      ok &= args[0].equals("check") ? check(file, out, err) : test(file, out, err);
    }
    return ok ? 0 : 1;
  }

  private static boolean check(Path file, PrintStream out, PrintStream err) {
    try {
      RuleSet set = RulesFile.load(file.toString(), read(file));
      out.println("Checking " + file + "\n  SUCCESS: " + set.rules().size() + " rules found");
      return true;
    } catch (RuleFileException e) {
      err.println("Checking " + file + "\n  FAILED:");
      for (String p : e.problems()) err.println("    " + p);
      return false;
    } catch (UncheckedIOException e) {
      err.println("Checking " + file + "\n  FAILED: " + e.getCause().getMessage());
      return false;
    }
  }

  private static boolean test(Path file, PrintStream out, PrintStream err) {
    out.println("Unit Testing: " + file);
    List<RuleTestRunner.Result> results;
    try {
      Path dir = file.toAbsolutePath().getParent();
      results = RuleTestRunner.run(file.toString(), read(file), name -> read(dir.resolve(name)));
    } catch (RuleFileException e) {
      err.println("  FAILED: the rules under test are invalid:");
      for (String p : e.problems()) err.println("    " + p);
      return false;
    } catch (IllegalArgumentException | UncheckedIOException e) {
      err.println("  FAILED: " + (e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage()));
      return false;
    }
    long failed = results.stream().filter(r -> !r.passed()).count();
    for (RuleTestRunner.Result r : results) {
      if (r.passed()) continue;
      err.println("  FAILED: " + r.name());
      for (String f : r.failures()) err.println("    " + f);
    }
    if (failed == 0) out.println("  SUCCESS: " + results.size() + " tests passed");
    else err.println("  " + failed + " of " + results.size() + " tests failed");
    return failed == 0;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(new IOException("cannot read " + p + ": " + e.getMessage(), e));
    }
  }
}
