package io.vigil.server.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's chromium, headless, driven through Debian's chromedriver (no browser download); screenshots in server/target/screenshots/. */
final class Browser {
  private Browser() {}

  /** A headless browser window of {@code width}×{@code height}; sound may play without a click (the wall's alarm). */
  static ChromeDriver start(int width, int height) {
    assertTrue(new File("/usr/bin/chromedriver").canExecute(),
        "chromium-driver is not installed: ./vigil test installs Debian's chromium and chromium-driver");
    ChromeOptions opts = new ChromeOptions().setBinary("/usr/bin/chromium").addArguments("--headless=new", "--no-sandbox",
        "--disable-dev-shm-usage", "--disable-gpu", "--window-size=" + width + "," + height, "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required");
    ChromeDriverService svc = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build();
    return new ChromeDriver(svc, opts);
  }

  static Path screenshot(ChromeDriver driver, String name) throws Exception {
    Path dir = Path.of("target", "screenshots").toAbsolutePath();
    Files.createDirectories(dir);
    Path to = dir.resolve(name);
    Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), to, StandardCopyOption.REPLACE_EXISTING);
    return to;
  }
}
