package io.vigil.rules.expr;

import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestInfo;

/**
 * Runs a property as seeded tries, one {@link DynamicTest} each, in plain JUnit 5: try {@code i}
 * generates its case from {@code new Random(base + i * GOLDEN)}, so try 0 uses the base seed itself
 * and any failing try is replayed alone with {@code -Dvigil.props.seed=<its seed>
 * -Dvigil.props.tries=1}. No shrinking: generators keep cases small enough to read, and a failure
 * names the seed, the case and the original assertion.
 *
 * <p>The base seed is fixed so that the build is reproducible; {@code -Dvigil.props.seed=random}
 * draws a fresh one (each try's seed is in its display name and in any failure message).
 */
public final class Trials {
  static final String SEED = "vigil.props.seed";
  static final String TRIES = "vigil.props.tries";
  private static final long DEFAULT_SEED = 4_242_017L;
  /** Spreads consecutive tries over the seed space (2^64 / golden ratio). */
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Trials() {}

  /**
   * {@code defaultTries} tries (or {@code -Dvigil.props.tries}) of {@code property} over cases from
   * {@code generate}; the case's {@code toString()} is its dump in a failure message.
   */
  public static <C> Stream<DynamicTest> of(TestInfo info, int defaultTries, Function<Random, C> generate, Consumer<C> property) {
    long base = baseSeed();
    int tries = Integer.getInteger(TRIES, defaultTries);
    String test = info.getTestClass().map(Class::getSimpleName).orElse("?")
        + info.getTestMethod().map(m -> "#" + m.getName()).orElse("");
    return IntStream.range(0, tries).mapToObj(i -> {
      long seed = base + i * GOLDEN;
      return DynamicTest.dynamicTest("try " + i + ", seed " + seed, () -> run(test, seed, generate, property));
    });
  }

  private static <C> void run(String test, long seed, Function<Random, C> generate, Consumer<C> property) {
    C generated = generate.apply(new Random(seed));
    try {
      property.accept(generated);
    } catch (AssertionError | RuntimeException e) {
      String replay = "mvn -q -pl rules test -Dtest='" + test + "' -D" + SEED + "=" + seed + " -D" + TRIES + "=1";
      String what = e instanceof AssertionError ? e.getMessage() : e.toString();
      throw new AssertionError("seed " + seed + ": " + what + "\n  replay: " + replay + "\n  case:   " + generated, e);
    }
  }

  private static long baseSeed() {
    String s = System.getProperty(SEED);
    if (s == null || s.isBlank()) return DEFAULT_SEED;
    if (s.equals("random")) return new SplittableRandom().nextLong();
    return Long.parseLong(s.trim());
  }
}
