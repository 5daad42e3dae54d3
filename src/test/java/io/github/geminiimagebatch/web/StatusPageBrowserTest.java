package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver, which bin/test
 * installs): a batch runs against a simulator that answers 429 now and then, the page follows it to
 * the end, the gallery shows loaded thumbnails, and prompts written as markup show as text and run nothing.
 */
class StatusPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String IMG_ATTACK = "<img src=x onerror=\"window.__pwned='img'\"> a fox";
    static final String SCRIPT_ATTACK = "</script><script>window.__pwned='script'</script> a crane";
    static final int ITEMS = 24;

    @TempDir
    Path tmp;

    @Test
    void thePageFollowsABatchToTheEndAndItsGalleryShowsThumbnailsAndPromptsAsText() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "SKIPPED: no headless browser here: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed (Debian packages"
                        + " chromium and chromium-driver; bin/test installs them when it runs as root with apt-get)");
        // 6 requests per 3-second "minute": the run meets 429s, pauses and paces, which the page shows
        SimulatorOptions simulator = SimulatorOptions.builder().port(0).latency(150, 50).rpm(6)
                .minute(Duration.ofSeconds(3)).build();
        try (ServiceRun run = new ServiceRun(tmp, simulator, Map.of("imagegen.provider.simulator.maxConcurrency", "3"));
             Browser browser = Browser.start(tmp.resolve("chromium-profile"))) {
            WebDriver driver = browser.driver;
            List<String> prompts = new ArrayList<>(List.of(IMG_ATTACK, SCRIPT_ATTACK));
            IntStream.rangeClosed(3, ITEMS).forEach(i -> prompts.add("a lighthouse at dusk, number " + i));
            driver.get(run.base + "/");
            run.drop("lights.txt", String.join("\n", prompts) + "\n");

            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100));
            WebElement running = wait.until(d -> {
                List<WebElement> rows = d.findElements(By.cssSelector("#batches tbody tr[data-state='running']"));
                return !rows.isEmpty() && Integer.parseInt(rows.get(0).findElement(By.cssSelector("td.c-ok")).getText()) >= 6
                        ? rows.get(0) : null;
            });
            // the row is updated in place as the run goes: the element found mid-run is the one to click
            running.findElement(By.cssSelector("button.open-gallery")).click();
            JavascriptExecutor js = (JavascriptExecutor) driver;
            wait.until(d -> (Boolean) js.executeScript(
                    "return [...document.querySelectorAll('#tiles img')].some(i => i.naturalWidth > 0);"));
            screenshot(driver, "statuspage-midrun.png");

            WebElement row = wait.until(d -> d.findElements(By.cssSelector("#batches tbody tr[data-state='complete']"))
                    .stream().findFirst().orElse(null));
            assertThat(row).isEqualTo(running);
            // the page follows the run through the server-sent events of /api/status/stream, not by polling
            assertThat(driver.findElement(By.id("live")).getText()).startsWith("live (stream) · ");
            assertThat(row.findElement(By.cssSelector("td.c-name")).getText()).isEqualTo("lights");
            assertThat(row.findElement(By.cssSelector("td.c-source")).getText()).isEqualTo("lights.txt");
            assertThat(row.findElement(By.cssSelector("td.c-ok")).getText()).isEqualTo(Integer.toString(ITEMS));
            assertThat(row.findElement(By.cssSelector("td.c-failed")).getText()).isEqualTo("0");
            assertThat(row.findElement(By.cssSelector("td.c-togo")).getText()).isEqualTo("0");
            assertThat(row.findElement(By.cssSelector("td.c-total")).getText()).isEqualTo(Integer.toString(ITEMS));
            assertThat(driver.findElements(By.cssSelector("#charts .chart[data-provider='simulator'] svg polyline"))).hasSize(1);

            wait.until(d -> d.findElements(By.cssSelector("#tiles .tile img")).size() == ITEMS);
            wait.until(d -> (Boolean) js.executeScript(
                    "return [...document.querySelectorAll('#tiles img')].every(i => i.complete);"));
            @SuppressWarnings("unchecked")
            List<Long> widths = (List<Long>) js.executeScript(
                    "return [...document.querySelectorAll('#tiles img')].map(i => i.naturalWidth);");
            assertThat(widths).hasSize(ITEMS).allSatisfy(w -> assertThat(w).isBetween(1L, (long) Thumbnails.MAX_SIDE));
            assertThat(driver.findElement(By.id("page-info")).getText()).isEqualTo("items 1–" + ITEMS + " of " + ITEMS);

            List<String> shownPrompts = driver.findElements(By.cssSelector("#tiles .tile .prompt")).stream()
                    .map(e -> (String) js.executeScript("return arguments[0].textContent;", e)).collect(Collectors.toList());
            assertThat(shownPrompts).contains(IMG_ATTACK, SCRIPT_ATTACK);
            assertThat(js.executeScript("return window.__pwned === undefined;")).isEqualTo(true);
            assertThat(js.executeScript("return document.querySelectorAll('img[src=\"x\"], #tiles script, #tiles .prompt *').length;"))
                    .isEqualTo(0L);
            assertThat(js.executeScript("return document.scripts.length;")).isEqualTo(1L);
            screenshot(driver, "statuspage-complete.png");

            // where the stream cannot be opened (here: a browser without EventSource) the page polls instead
            ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                    Map.of("source", "window.EventSource = undefined;"));
            driver.navigate().refresh();
            wait.until(d -> d.findElement(By.id("live")).getText().startsWith("live (polling) · "));
            assertThat(driver.findElement(By.cssSelector("#batches tbody tr[data-state='complete'] td.c-ok")).getText())
                    .isEqualTo(Integer.toString(ITEMS));
        }
    }

    private static void screenshot(WebDriver driver, String name) throws java.io.IOException {
        Path shot = Path.of("target", name);
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Headless Chromium through chromedriver, both from Debian, with a fresh profile and no network of its own. */
    static final class Browser implements AutoCloseable {
        final WebDriver driver;

        private Browser(WebDriver driver) {
            this.driver = driver;
        }

        static Browser start(Path profile) throws Exception {
            Files.createDirectories(profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                    .withLogFile(new File("target/chromedriver.log")).build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1600", "--user-data-dir=" + profile.toAbsolutePath());
            return new Browser(new ChromeDriver(service, options));
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
