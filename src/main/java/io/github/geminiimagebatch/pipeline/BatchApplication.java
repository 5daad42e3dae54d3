package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.output.CamelUriSink;
import io.github.geminiimagebatch.output.FileSink;
import io.github.geminiimagebatch.output.OutputSink;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.observe.ProviderHealthCheck;
import io.github.geminiimagebatch.observe.RunMetrics;
import io.github.geminiimagebatch.output.Retrier;
import io.github.geminiimagebatch.output.S3Settings;
import io.github.geminiimagebatch.output.S3Sink;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.queue.QueueBeans;
import io.github.geminiimagebatch.queue.QueueSettings;
import io.github.geminiimagebatch.secret.Secrets;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.ImageMode;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.impl.event.CamelContextStoppingEvent;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Wires the beans behind the YAML routes and runs Camel Main: as a service watching the inbox, or
 * with {@code --once} until the inbox is drained. Returns the product's exit code.
 */
public final class BatchApplication {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private final Settings settings;
    private final Path home;
    private Main main;
    private RunState run;
    private Lifecycle lifecycle;
    private GeminiSimulator simulator;
    private final List<OutputSink> outputSinks = new ArrayList<>();

    public BatchApplication(Settings settings, Path home) {
        this.settings = settings;
        this.home = home;
    }

    /** Runs until the inbox is drained ({@code --once}) or until the process is stopped. */
    public int run() throws Exception {
        try {
            RunConfig config = prepare();
            main.run();
            return finish(config);
        } finally {
            closeSinks();
            if (simulator != null) {
                simulator.close();
            }
        }
    }

    /** Builds everything up to a configured (not yet started) Camel Main. */
    RunConfig prepare() throws ConfigException, IOException {
        Settings effective = withBuiltInSimulator(settings);
        registerSecrets(effective);
        RunConfig config = RunConfig.from(effective);
        checkFolders(config);
        Clock clock = Clock.systemUTC();
        List<ProviderRuntime> providers = new ArrayList<>();
        for (ProviderSettings p : config.providers()) {
            providers.add(new ProviderRuntime(p, config.resetZone(), clock));
        }
        QueueSettings queue = QueueSettings.from(effective, config.concurrency());
        run = new RunState(providers, clock, queue.instance());
        outputSinks.addAll(extraSinks(config));
        Path workDir = queue.workDir(config.outbox(), FileSink.WORK_DIR);
        Outputs outputs = new Outputs(config.outbox(), workDir,
                config.fileOutput() ? new FileSink(config.outbox(), workDir) : null, outputSinks);
        clearWorkDir(outputs.workDir());
        Budget budget = Budget.persistent(config.budgetMaxUsd(), config.budgetMaxUsdPerDay(), config.resetZone(), clock,
                queue.stateDir(config.outbox()));

        main = new Main();
        lifecycle = new Lifecycle(run, config.once(), () -> main.completed());
        Batches batches = new Batches(config, run, outputs);
        main.bind("batches", batches);
        QueueBeans.bind(main, queue, run, outputs, batches);
        main.bind("ledger", new Ledger(run, outputs));
        main.bind("dispatcher", new Dispatcher(run, budget, config.maxAttempts(), config.once()));
        main.bind("providerCalls", new ProviderCalls(run, outputs.workDir()));
        main.bind("lifecycle", lifecycle);
        main.bind("progress", new Progress(run, config.resetZone()));
        main.bind("runState", run);
        // Bound under the name camel-micrometer-prometheus looks for, so /observe/metrics shows the
        // imagegen_* series next to Camel's own.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics.register(meters, run);
        main.bind("metricsRegistry", meters);
        for (ProviderRuntime p : providers) {
            main.bind("imagegen-health-" + p.name(), new ProviderHealthCheck(p, clock));
        }
        main.setDefaultPropertyPlaceholderLocation("false");
        Properties camel = camelProperties(config);
        camel.putAll(queue.camelProperties());
        main.setOverrideProperties(camel);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                addProviderRoutes(support.getCamelContext(), config);
                checkOutputUri(support.getCamelContext(), config);
            }
        });
        return config;
    }

    private int finish(RunConfig config) {
        int code = run.exitCode();
        String totals = String.format(Locale.ROOT, "%d ok, %d skipped, %d failed, %d pending; %.2f USD",
                run.count(WorkItem.Status.OK), run.count(WorkItem.Status.SKIPPED), run.count(WorkItem.Status.FAILED),
                run.unfinished(), run.costUsd());
        switch (code) {
            case RunState.EXIT_OK -> LOG.info("Done: {}.", totals);
            case RunState.EXIT_FAILED_ITEMS -> LOG.warn("Done with failures: {}{}. See report.json and manifest.jsonl in {};"
                    + " failed.jsonl can be dropped into the inbox to retry.", totals,
                    run.rejectedFiles() > 0 ? ", " + run.rejectedFiles() + " file(s) refused (see inbox/.failed)" : "",
                    config.outbox());
            case RunState.EXIT_QUOTA_PENDING -> {
                if (lifecycle.isDrained()) {
                    LOG.warn("Stopped with work pending: {}. {} Run again after that;"
                            + " nothing is lost and nothing done is sent again.", totals, sentences(run.pendingReasons()));
                } else {
                    LOG.warn("Stopped before the end: {}. Run again to finish the rest; nothing stored is sent again.", totals);
                }
            }
            default -> LOG.error("Stopped: {}. {} Fix {} and run again; pending prompts stay in the inbox.",
                    totals, sentences(run.pendingReasons()),
                    run.outputProblem() != null ? "the outbox" : "the credentials");
        }
        return code;
    }

    /** Pending reasons are phrases ("the daily budget ... is used up"); the summary line shows them as sentences. */
    static String sentences(List<String> phrases) {
        StringBuilder text = new StringBuilder();
        for (String phrase : phrases) {
            if (phrase == null || phrase.isBlank()) {
                continue;
            }
            String p = phrase.strip();
            text.append(text.isEmpty() ? "" : " ").append(Character.toUpperCase(p.charAt(0))).append(p.substring(1));
            if (!p.endsWith(".")) {
                text.append('.');
            }
        }
        return text.toString();
    }

    public RunState runState() {
        return run;
    }

    public Main main() {
        return main;
    }

    /** With no provider credentials the built-in simulator stands in, so a fresh clone works offline. */
    private Settings withBuiltInSimulator(Settings s) throws ConfigException, IOException {
        Settings resolved = s;
        List<String> names = RunConfig.providerNames(s);
        if (names.contains("simulator") && s.find("imagegen.provider.simulator.baseUrl").isEmpty()) {
            SimulatorOptions.Builder options = SimulatorOptions.builder().port(0);
            String[] latency = s.find("imagegen.simulator.latencyMs").orElse("0").split(",");
            try {
                options.latency(Integer.parseInt(latency[0].trim()), latency.length > 1 ? Integer.parseInt(latency[1].trim()) : 0);
            } catch (NumberFormatException e) {
                throw new ConfigException("imagegen.simulator.latencyMs must be N or N,JITTER in milliseconds, e.g. 200,100.");
            }
            options.imageMode(ImageMode.valueOf(s.find("imagegen.simulator.imageMode").orElse("flat").toUpperCase(Locale.ROOT)));
            simulator = GeminiSimulator.start(options.build());
            resolved = resolved.with("imagegen.provider.simulator.baseUrl", simulator.baseUri().toString());
            String why = s.find("imagegen.provider.aistudio.apiKey").isPresent()
                    ? "imagegen.providers names the simulator"
                    : "No provider credentials configured (GEMINI_API_KEY is not set)";
            LOG.warn("*** {}: using the BUILT-IN SIMULATOR at {}. Images are placeholders and nothing is billed."
                    + " Set GEMINI_API_KEY (and --provider aistudio or auto) to generate real images. ***",
                    why, simulator.baseUri());
        }
        return resolved;
    }

    private static void registerSecrets(Settings s) {
        for (Map.Entry<String, String> e : s.asMap().entrySet()) {
            String leaf = e.getKey().substring(e.getKey().lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            if (leaf.equals("apikey") || leaf.equals("secretkey") || leaf.equals("accesskey")) {
                Secrets.register(e.getValue());
            }
        }
    }

    private static void checkFolders(RunConfig config) throws ConfigException {
        for (Path dir : List.of(config.inbox(), config.outbox())) {
            String role = dir == config.inbox() ? "inbox" : "outbox";
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new ConfigException("Cannot create the " + role + " folder " + dir.toAbsolutePath() + " ("
                        + e.getMessage() + "). Create it, or point imagegen." + role + " / --" + role + " elsewhere.");
            }
            if (!Files.isDirectory(dir) || !Files.isWritable(dir) || !Files.isReadable(dir)) {
                throw new ConfigException("The " + role + " folder " + dir.toAbsolutePath() + " is not a readable and"
                        + " writable folder. Fix its permissions, or point --" + role + " elsewhere.");
            }
        }
    }

    /** S3 and Camel-URI sinks from imagegen.output.s3.* and imagegen.output.uri; they reach Camel once it runs. */
    private List<OutputSink> extraSinks(RunConfig config) throws ConfigException {
        Settings s = config.settings();
        List<OutputSink> sinks = new ArrayList<>();
        Duration retryFor = S3Settings.retryFor(s);
        Optional<S3Settings> s3 = S3Settings.from(s);
        if (s3.isPresent()) {
            S3Client client;
            try {
                client = S3Sink.buildClient(s3.get());
            } catch (RuntimeException e) {
                throw new ConfigException("S3 output: cannot set up the S3 client (" + Secrets.redact(String.valueOf(e.getMessage()))
                        + "). Check imagegen.output.s3.region, .endpoint and the credentials.");
            }
            sinks.add(new S3Sink(s3.get(), client, () -> main.getCamelContext(), Retrier.forOutputs(retryFor)));
            LOG.info("S3 output: {}", s3.get());
        }
        Optional<String> uri = s.find("imagegen.output.uri");
        if (uri.isPresent()) {
            sinks.add(new CamelUriSink(uri.get(), () -> main.getCamelContext(), Retrier.forOutputs(retryFor)));
        }
        if (!config.fileOutput() && sinks.isEmpty()) {
            throw new ConfigException("imagegen.output.file.enabled=false and no other output is set: every image would be"
                    + " paid for and thrown away. Turn on S3 output (imagegen.output.s3.enabled=true), set"
                    + " imagegen.output.uri, or leave the folder output on.");
        }
        return sinks;
    }

    /** A mistyped imagegen.output.uri fails the start with one line, not every item after the first image. */
    private static void checkOutputUri(CamelContext context, RunConfig config) {
        Optional<String> uri = config.settings().find("imagegen.output.uri");
        if (uri.isEmpty()) {
            return;
        }
        try {
            context.getEndpoint(uri.get());
        } catch (RuntimeException e) {
            throw new IllegalStateException(new ConfigException("The setting imagegen.output.uri is '"
                    + Secrets.redact(URISupport.sanitizeUri(uri.get())) + "', which Camel cannot use ("
                    + Secrets.redact(URISupport.sanitizeUri(String.valueOf(e.getMessage())))
                    + "). Write a Camel endpoint URI such as file:/data/images or seda:images?waitForTaskToComplete=Always."));
        }
    }

    private void closeSinks() {
        for (OutputSink sink : outputSinks) {
            if (sink instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("closing output {}: {}", sink.name(), e.getMessage());
                }
            }
        }
    }

    private static void clearWorkDir(Path workDir) throws IOException {
        if (Files.isDirectory(workDir)) {
            try (Stream<Path> files = Files.walk(workDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(workDir)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        Files.createDirectories(workDir);
    }

    Properties camelProperties(RunConfig config) {
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
        p.setProperty("camel.health.exposureLevel", "full");
        config.settings().asMap().forEach((k, v) -> {
            if (v != null) {
                p.setProperty(k, v);
            }
        });
        p.setProperty("imagegen.inbox", config.inbox().toAbsolutePath().toString());
        p.setProperty("imagegen.progress.intervalMillis", Long.toString(config.progressInterval().toMillis()));
        p.setProperty("camel.main.name", "gemini-image-batch");
        p.setProperty("camel.main.routesIncludePattern", routesPattern(config));
        p.setProperty("camel.main.shutdownTimeout", Long.toString(Math.max(1, config.shutdownTimeout().toSeconds())));
        p.setProperty("camel.main.jmxEnabled", "false");
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
        p.setProperty("camel.threadpool.config[itemThreads].poolSize", Integer.toString(config.concurrency()));
        p.setProperty("camel.threadpool.config[itemThreads].maxPoolSize", Integer.toString(config.concurrency()));
        p.setProperty("camel.threadpool.config[itemThreads].maxQueueSize", "-1");
        checkManagementPort(p);
        return p;
    }

    /**
     * The operator endpoints are a convenience, not the job: when their port is taken (typically by
     * another instance of the bundle on this machine) the run goes on without them, saying so in one line.
     */
    private static void checkManagementPort(Properties p) {
        if (!Boolean.parseBoolean(p.getProperty("camel.management.enabled"))) {
            return;
        }
        String host = p.getProperty("camel.management.host");
        String port = p.getProperty("camel.management.port");
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, Integer.parseInt(port)));
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("The operator endpoints (/observe/health, /observe/metrics) cannot listen on {}:{} ({}); running"
                    + " without them. Another gemini-image-batch may be running here: set camel.management.port to a"
                    + " free port, or camel.management.enabled=false.", host, port, e.getMessage());
            p.setProperty("camel.management.enabled", "false");
            return;
        }
        LOG.info("Operator endpoints: http://{}:{}/observe/health and /observe/metrics", host, port);
    }

    /** The bundle's routes/ folder (else the copy in the jar), plus imagegen.routes.include (comma-separated resources). */
    private String routesPattern(RunConfig config) {
        Path routes = home.resolve("routes");
        String pattern = Files.isDirectory(routes) ? "file:" + routes.toAbsolutePath() + "/*.camel.yaml"
                : "classpath:routes/*.camel.yaml";
        String include = config.settings().get("imagegen.routes.include");
        return include == null ? pattern : pattern + "," + include;
    }

    private void addProviderRoutes(CamelContext context, RunConfig config) {
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelContextStoppingEvent) {
                    run.stop();
                } else if (event instanceof CamelEvent.RouteStartedEvent started
                        && "inbox".equals(started.getRoute().getRouteId())) {
                    long sinceJvmStart = System.currentTimeMillis()
                            - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
                    LOG.info("Watching {} for prompt files{} (ready {} ms after start).",
                            config.inbox().toAbsolutePath(), config.once() ? " until it is drained" : "",
                            sinceJvmStart);
                }
            }
        });
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (ProviderRuntime runtime : run.providers()) {
            ProviderSettings p = runtime.settings();
            if (model.getRouteTemplateDefinition(p.routeTemplate()) == null) {
                throw new IllegalStateException(new ConfigException("The provider '" + p.name() + "' uses the route template '"
                        + p.routeTemplate() + "', but no routes/*.camel.yaml file (nor imagegen.routes.include) defines a"
                        + " routeTemplate with that id. Templates found: " + model.getRouteTemplateDefinitions().stream()
                        .map(t -> t.getId()).sorted().toList() + ". Fix imagegen.provider." + p.name() + ".routeTemplate."));
            }
            TemplatedRouteBuilder route = TemplatedRouteBuilder.builder(context, p.routeTemplate())
                    .routeId("provider-" + p.name())
                    .parameter("provider", p.name())
                    .parameter("baseUrl", p.baseUrl());
            p.templateParameters().forEach(route::parameter);
            if (p.type() == ProviderType.VERTEX) {
                route.parameter("location", p.location())
                        .parameter("expressMode", Boolean.toString(p.vertexExpressMode()));
                if (!p.vertexExpressMode()) {
                    route.parameter("project", vertexProject(runtime));
                }
            }
            route.add();
        }
    }

    private static String vertexProject(ProviderRuntime runtime) {
        try {
            return runtime.vertexProject();
        } catch (IOException e) {
            throw new IllegalStateException(new ConfigException("Vertex AI provider '" + runtime.name()
                    + "': cannot load its credentials (" + Secrets.redact(String.valueOf(e.getMessage()))
                    + "). Check imagegen.provider." + runtime.name() + ".credentialsFile or GOOGLE_APPLICATION_CREDENTIALS."));
        }
    }
}
