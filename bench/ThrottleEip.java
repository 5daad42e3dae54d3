import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Camel's Throttle EIP against the simulator, for bench/throttle-vs-engine: runs
 * bench/throttle-route.camel.yaml (throttle at LIMIT per MINUTE_SECONDS, CONCURRENCY seda consumers,
 * camel-http, redelivery 2^n x 2 s scaled to the simulated minute) on PROMPTS prompts and waits until
 * every exchange has finished, made or given up (after its third try).
 *
 * <p>Usage: java -cp target/gemini-image-batch.jar bench/ThrottleEip.java BASE_URL LIMIT MINUTE_SECONDS
 * PROMPTS CONCURRENCY PREFIX TIMES_FILE
 * <br>Writes one ISO instant per image made to TIMES_FILE and prints "images N lost N wall S".
 */
public class ThrottleEip {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int limit = Integer.parseInt(args[1]);
        double minuteSeconds = Double.parseDouble(args[2]);
        int prompts = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        String prefix = args[5];
        Path timesFile = Path.of(args[6]);
        // Camel's log (the jar's logback writes to stdout) goes to stderr: stdout is the result line alone
        PrintStream result = System.out;
        System.setOut(System.err);
        List<String> times = new CopyOnWriteArrayList<>();
        AtomicInteger lost = new AtomicInteger();

        Properties placeholders = new Properties();
        placeholders.setProperty("bench.url", base);
        placeholders.setProperty("bench.limit", Integer.toString(limit));
        placeholders.setProperty("bench.periodMillis", Long.toString(Math.round(minuteSeconds * 1000)));
        placeholders.setProperty("bench.concurrency", Integer.toString(concurrency));
        // the recipe's first backoff, 2 s in a real minute, scaled to the simulated one
        placeholders.setProperty("bench.redeliveryDelayMillis", Long.toString(Math.round(2000 * minuteSeconds / 60)));

        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(placeholders);
            // camel-http would otherwise send each 429 twice (see the Camel 4.18 notes)
            context.getComponent("http", HttpComponent.class).setAutomaticRetriesDisabled(true);
            context.getRegistry().bind("made", (Processor) exchange -> times.add(Instant.now().toString()));
            context.getRegistry().bind("lost", (Processor) exchange -> lost.incrementAndGet());
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(context, "file:bench/throttle-route.camel.yaml"));
            context.start();

            ProducerTemplate producer = context.createProducerTemplate();
            long start = System.nanoTime();
            for (int i = 1; i <= prompts; i++) {
                producer.sendBody("seda:prompts", "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + prefix + " prompt " + i
                        + "\"}]}],\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],"
                        + "\"imageConfig\":{\"aspectRatio\":\"1:1\",\"imageSize\":\"1K\"}}}");
            }
            long deadline = start + 600_000_000_000L;
            while (times.size() + lost.get() < prompts) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the route did not finish within 600 s");
                }
                Thread.sleep(20);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            Files.write(timesFile, times);
            result.printf(Locale.ROOT, "images %d lost %d wall %.3f%n", times.size(), lost.get(), wall);
        }
    }
}
