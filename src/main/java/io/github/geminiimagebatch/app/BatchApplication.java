package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.batchapi.BatchJobs;
import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.observe.ProviderHealthCheck;
import io.github.geminiimagebatch.observe.RunMetrics;
import io.github.geminiimagebatch.output.FileSink;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.pipeline.Batches;
import io.github.geminiimagebatch.pipeline.Dispatcher;
import io.github.geminiimagebatch.pipeline.Ledger;
import io.github.geminiimagebatch.pipeline.Lifecycle;
import io.github.geminiimagebatch.pipeline.Progress;
import io.github.geminiimagebatch.pipeline.ProviderCalls;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.provider.Budget;
import io.github.geminiimagebatch.provider.ProviderGateway;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.intake.Intake;
import io.github.geminiimagebatch.queue.QueueBeans;
import io.github.geminiimagebatch.queue.QueueSettings;
import io.github.geminiimagebatch.secret.Secrets;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Locale;
import java.util.Map;

/**
 * Wires the beans behind the YAML routes and runs Camel Main: as a service watching the inbox, or
 * with {@code --once} until the inbox is drained. Returns the product's exit code.
 */
public final class BatchApplication {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private final Settings settings;
    private final Path home;
    private BatchJobs batchJobs;
    private final Clock clock;
    private Main main;
    private RunState run;
    private Lifecycle lifecycle;
    private final BuiltInSimulator simulator = new BuiltInSimulator();
    private final OutputWiring outputs = new OutputWiring();

    /**
     * @param clock the one source of time for the run: quota windows and days, budget days, reports
     *              and progress all read it
     */
    public BatchApplication(Settings settings, Path home, Clock clock) {
        this.settings = settings;
        this.home = home;
        this.clock = clock;
    }

    /** Runs until the inbox is drained ({@code --once}) or until the process is stopped. */
    public int run() throws Exception {
        try {
            RunConfig config = prepare();
            main.run();
            return finish(config);
        } finally {
            if (batchJobs != null) {
                batchJobs.close();
            }
            outputs.close();
            simulator.close();
        }
    }

    /** Builds everything up to a configured (not yet started) Camel Main. */
    RunConfig prepare() throws ConfigException, IOException {
        Settings effective = simulator.startIfNamed(settings);
        registerSecrets(effective);
        RunConfig config = RunConfig.from(effective);
        checkFolders(config);
        List<ProviderRuntime> providers = new ArrayList<>();
        for (ProviderSettings p : config.providers()) {
            providers.add(new ProviderRuntime(p, config.resetZone(), clock));
        }
        QueueSettings queue = QueueSettings.from(effective, config.concurrency());
        run = new RunState(providers, clock, queue.instance());
        Outputs outputs = this.outputs.open(config, queue.workDir(config.outbox(), FileSink.WORK_DIR),
                () -> main.getCamelContext(), clock);
        Budget budget = Budget.persistent(config.budgetMaxUsd(), config.budgetMaxUsdPerDay(), config.resetZone(), clock,
                queue.stateDir(config.outbox()));

        main = new Main();
        lifecycle = new Lifecycle(run, config.once(), () -> main.completed());
        Batches batches = new Batches(config, run, outputs);
        main.bind("batches", batches);
        QueueBeans.bind(main, queue, run, outputs, batches);
        main.bind("intake", Intake.from(effective, config.inbox(), clock));
        main.bind("ledger", new Ledger(run, outputs));
        ProviderGateway gateway = new ProviderGateway(providers, budget, clock);
        main.bind("dispatcher", new Dispatcher(run, gateway, config.maxAttempts(), config.once()));
        main.bind("providerCalls", new ProviderCalls(gateway, outputs.workDir()));
        batchJobs = new BatchJobs(config.providers().stream().filter(ProviderSettings::batchMode).toList(),
                config.outbox().resolve(".state"), outputs.workDir(), config.connectTimeout(), config.responseTimeout(), clock, run::stopping);
        main.bind("batchJobs", batchJobs);
        run.showBatchJobs(batchJobs::jobs);
        main.bind("lifecycle", lifecycle);
        main.bind("progress", new Progress(run, config.resetZone()));
        main.bind("runState", run);
        // Bound under the name camel-micrometer-prometheus looks for, so /observe/metrics shows the
        // imagegen_* series next to Camel's own.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics.register(meters, run);
        main.bind("metricsRegistry", meters);
        for (ProviderRuntime p : providers) {
            main.bind("imagegen-health-" + p.name(), new ProviderHealthCheck(p, clock, run::batchJobs));
        }
        main.setDefaultPropertyPlaceholderLocation("false");
        Properties camel = CamelSettings.forRun(config, home);
        camel.putAll(queue.camelProperties());
        camel.putAll(Intake.camelProperties(effective));
        main.setOverrideProperties(camel);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                RunEvents.attach(support.getCamelContext(), config, run);
                ProviderRoutes.add(support.getCamelContext(), config, run);
                OutputWiring.checkOutputUri(support.getCamelContext(), config);
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
}
