package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.RunConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** The Camel Main settings of the bundle: operator endpoints, HTTP client, threads, which routes to load. */
final class CamelSettings {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private CamelSettings() {
    }

    /**
     * Camel's settings for a run of the bundle, with every imagegen.* setting next to them for the
     * routes' placeholders. The product's camel.* values are defaults: every camel.* key the user sets
     * (config/application.properties, --config, --set, environment) wins.
     */
    static Properties forRun(RunConfig config, Path home) throws ConfigException {
        Properties p = new Properties();
        // The operator's endpoints (/observe/health, /observe/metrics) on loopback only: they are for
        // whoever runs the bundle, and a different host or port is one setting away.
        p.setProperty("camel.management.enabled", "true");
        p.setProperty("camel.management.host", "127.0.0.1");
        p.setProperty("camel.management.port", "9876");
        p.setProperty("camel.management.healthCheckEnabled", "true");
        p.setProperty("camel.management.metricsEnabled", "true");
        p.setProperty("camel.management.infoEnabled", "false");
        p.setProperty("camel.management.devConsoleEnabled", "false");
        p.setProperty("camel.management.jolokiaEnabled", "false");
        p.setProperty("camel.management.uploadEnabled", "false");
        p.setProperty("camel.management.downloadEnabled", "false");
        p.setProperty("camel.management.sendEnabled", "false");
        p.setProperty("camel.metrics.enabled", "true");
        // Per-route series stay; the timer of every exchange sent to every endpoint (several per item) cost
        // 8% of the CPU of a 20,000-item run at latency 0 (issue 18, JFR) and nothing reads it.
        p.setProperty("camel.metrics.enableExchangeEventNotifier", "false");
        p.setProperty("camel.health.exposureLevel", "full");
        p.setProperty("camel.main.name", "gemini-image-batch");
        p.setProperty("camel.main.routesIncludePattern", routesPattern(config, home));
        p.setProperty("camel.main.shutdownTimeout", Long.toString(Math.max(1, config.shutdownTimeout().toSeconds())));
        // JMX stays on (Hawtio, JConsole, VisualVM see the routes); statistics per route, not per step,
        // keep its cost off the item path. camel.main.jmxEnabled=false turns it off.
        p.setProperty("camel.main.jmxManagementStatisticsLevel", "RoutesOnly");
        // Stream caching would copy each provider response into memory (spooling is off by default) as the
        // exchange moves on after the HTTP call: a 4K body is ~67 MB. Bodies here are streamed once into a
        // temp file by ResponseDecoder, so nothing needs a re-readable stream.
        p.setProperty("camel.main.streamCachingEnabled", "false");
        // Camel registers http and https as two instances of the http component, each with its own
        // settings: every real provider is https, so both get the timeouts, pool and no-retry.
        int connections = Math.max(20, config.concurrency() * 2);
        for (String component : List.of("http", "https")) {
            String prefix = "camel.component." + component + ".";
            p.setProperty(prefix + "automaticRetriesDisabled", "true");
            p.setProperty(prefix + "connectTimeout", Long.toString(config.connectTimeout().toMillis()));
            p.setProperty(prefix + "soTimeout", Long.toString(config.responseTimeout().toMillis()));
            p.setProperty(prefix + "responseTimeout", Long.toString(config.responseTimeout().toMillis()));
            p.setProperty(prefix + "connectionRequestTimeout", Long.toString(config.responseTimeout().toMillis()));
            p.setProperty(prefix + "maxTotalConnections", Integer.toString(connections));
            p.setProperty(prefix + "connectionsPerRoute", Integer.toString(connections));
        }
        // An item waiting in a Gemini Batch API job holds its worker until the job has ended; one waiting
        // out its retry backoff after a server error holds its worker too: room for half as many again,
        // so such waits do not lower the number of calls in flight (docs/quota.md).
        int itemThreads = config.concurrency() + config.concurrency() / 2 + config.providers().stream()
                .filter(ProviderSettings::batchMode).mapToInt(provider -> provider.batch().itemsInFlight()).sum();
        p.setProperty("camel.threadpool.config[itemThreads].poolSize", Integer.toString(itemThreads));
        p.setProperty("camel.threadpool.config[itemThreads].maxPoolSize", Integer.toString(itemThreads));
        // The parallel split hands each item, and each step of its own iteration, to this pool. Without
        // a queue (Camel's -1) a hand-off to a pool whose threads are all taken runs in the caller (the
        // iterating thread) and the split stops feeding items until that one is done, while threads
        // that free up meanwhile sit idle: 600 items at 16 slots ran at 47 images/s, not the 80 the
        // slots allow. A queue as long as the pool keeps a next item ready for every thread that frees.
        // A pool of one thread (concurrency 1) keeps the hand-off: it has no idle threads to feed, and
        // its items then go strictly in file order.
        p.setProperty("camel.threadpool.config[itemThreads].maxQueueSize", Integer.toString(itemThreads > 1 ? itemThreads : -1));
        // Camel lets idle core threads end after a minute: a service between batches would then start
        // its item threads anew for each one. They stay, so the thread count of a service is stable.
        p.setProperty("camel.threadpool.config[itemThreads].allowCoreThreadTimeOut", "false");
        config.settings().asMap().forEach((k, v) -> {
            if (v != null) {
                p.setProperty(k, v);
            }
        });
        p.setProperty("imagegen.inbox", config.inbox().toAbsolutePath().toString());
        p.setProperty("imagegen.progress.intervalMillis", Long.toString(config.progressInterval().toMillis()));
        p.setProperty("imagegen.pending.checkIntervalMillis", Long.toString(Math.max(50,
                config.settings().duration("imagegen.pending.checkInterval").toMillis())));
        checkManagementPort(p, config.once());
        return p;
    }

    /**
     * For {@code --once} the operator endpoints are a convenience, not the job: when their port is taken
     * (typically by another instance of the bundle on this machine) the run goes on without them, saying so
     * in one line. For a service, health is how a supervisor knows it lives: a taken port stops the start.
     */
    private static void checkManagementPort(Properties p, boolean once) throws ConfigException {
        if (!Boolean.parseBoolean(p.getProperty("camel.management.enabled"))) {
            return;
        }
        String host = p.getProperty("camel.management.host");
        String port = p.getProperty("camel.management.port");
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, Integer.parseInt(port)));
        } catch (IOException | IllegalArgumentException e) {
            if (!once) {
                throw managementPortTaken(host, port, e.getMessage());
            }
            runningWithoutManagement(host, port, e.getMessage());
            p.setProperty("camel.management.enabled", "false");
            return;
        }
        LOG.info("Operator endpoints: http://{}:{}/observe/health and /observe/metrics", host, port);
    }

    /** The start-up error of a service whose operator endpoints cannot listen. */
    static ConfigException managementPortTaken(String host, Object port, String why) {
        return new ConfigException("The operator endpoints (/observe/health, /observe/metrics) cannot listen on "
                + host + ":" + port + " (" + why + "), and a service without health looks dead to its"
                + " supervisor. Another gemini-image-batch may be running here: set camel.management.port to a free"
                + " port (or camel.management.enabled=false if nothing polls the health).");
    }

    /** The one line of a --once run that goes on without its operator endpoints. */
    static void runningWithoutManagement(String host, Object port, String why) {
        LOG.warn("The operator endpoints (/observe/health, /observe/metrics) cannot listen on {}:{} ({}); running"
                + " without them. Another gemini-image-batch may be running here: set camel.management.port to a"
                + " free port, or camel.management.enabled=false.", host, port, why);
    }

    /** The bundle's routes/ folder (else the copy in the jar), plus imagegen.routes.include (comma-separated resources). */
    private static String routesPattern(RunConfig config, Path home) {
        Path routes = home.resolve("routes");
        String pattern = Files.isDirectory(routes) ? "file:" + routes.toAbsolutePath() + "/*.camel.yaml"
                : "classpath:routes/*.camel.yaml";
        String include = config.settings().get("imagegen.routes.include");
        return include == null ? pattern : pattern + "," + include;
    }
}
