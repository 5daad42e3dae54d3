package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.shared.SharedState;
import io.github.geminiimagebatch.shared.SharedStoreHealthCheck;
import io.github.geminiimagebatch.batchapi.BatchJobs;
import io.github.geminiimagebatch.component.GeminiImageComponent;
import io.github.geminiimagebatch.component.GeminiImageEngine;
import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.observe.ProviderHealthCheck;
import io.github.geminiimagebatch.observe.RunMetrics;
import io.github.geminiimagebatch.output.FileSink;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.pipeline.Batches;
import io.github.geminiimagebatch.pipeline.ErrorContainment;
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
import io.github.geminiimagebatch.quota.DayCloses;
import io.github.geminiimagebatch.secret.Secrets;
import io.github.geminiimagebatch.service.InboxMemory;
import io.github.geminiimagebatch.service.PendingRetries;
import io.github.geminiimagebatch.service.RetrySchedule;
import io.github.geminiimagebatch.web.StatusPage;
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
    private SharedState shared;
    private ManagementPortCheck portCheck;

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
            if (portCheck.failure() != null) {
                throw portCheck.failure();
            }
            LearnedLimitsWiring.keep(config, run.providers());
            return finish(config);
        } finally {
            if (batchJobs != null) {
                batchJobs.close();
            }
            outputs.close();
            if (shared != null) {
                shared.close();
            }
            simulator.close();
        }
    }

    /** Builds everything up to a configured (not yet started) Camel Main. */
    RunConfig prepare() throws ConfigException, IOException {
        Settings effective = simulator.startIfNamed(settings);
        registerSecrets(effective);
        RunConfig config = RunConfig.from(effective);
        checkFolders(config);
        shared = SharedState.from(effective, clock);
        List<ProviderRuntime> providers = new ArrayList<>();
        DayCloses dayCloses = new DayCloses(config.outbox().resolve(".state"), clock);
        for (ProviderSettings p : config.providers()) {
            ProviderRuntime provider = new ProviderRuntime(p, config.resetZone(), clock, shared.quotas(clock),
                    p.wireModel(config.defaultModel()));
            rememberDayCloses(provider, dayCloses);
            providers.add(provider);
        }
        QueueSettings queue = QueueSettings.from(effective, config.concurrency());
        run = new RunState(providers, clock, queue.instance());
        LearnedLimitsWiring.remember(config, providers);
        Outputs outputs = this.outputs.open(config, queue.workDir(config.outbox(), FileSink.WORK_DIR),
                () -> main.getCamelContext(), clock);
        Budget budget = Budget.persistent(config.budgetMaxUsd(), config.budgetMaxUsdPerDay(), config.resetZone(), clock,
                queue.stateDir(config.outbox())).sharedWith(shared.spend());

        main = new Main();
        lifecycle = new Lifecycle(run, config.once(), () -> main.completed());
        Batches batches = new Batches(config, run, outputs);
        main.bind("batches", batches);
        QueueBeans.bind(main, queue, run, outputs, batches, config.outbox());
        main.bind("intake", Intake.from(effective, config.inbox(), clock));
        main.bind("ledger", new Ledger(run, outputs, shared.claims()));
        ProviderGateway gateway = new ProviderGateway(providers, budget, clock);
        GeminiImageEngine engine = new GeminiImageEngine(gateway, run, config.maxAttempts(), config.once(),
                new GeminiImageEngine.Defaults(config.defaultModel(), config.defaultAspectRatio(), config.defaultImageSize()),
                clock);
        // the item route's gemini-image:generate works on this run's providers, budget and counters
        main.bind("gemini-image", new GeminiImageComponent(engine));
        main.bind("dispatcher", engine.dispatcher());
        main.bind("providerCalls", new ProviderCalls(gateway, outputs.workDir()));
        batchJobs = new BatchJobs(config.providers().stream().filter(ProviderSettings::batchMode).toList(),
                config.outbox().resolve(".state"), outputs.workDir(), config.connectTimeout(), config.responseTimeout(), clock, run::stopping);
        main.bind("batchJobs", batchJobs);
        run.showBatchJobs(batchJobs::jobs);
        main.bind("lifecycle", lifecycle);
        Progress progress = new Progress(run, config.resetZone());
        main.bind("progress", progress);
        main.bind("runState", run);
        main.bind("errorContainment", new ErrorContainment(run));
        ErrorContainment.installForUncaughtErrors();
        InboxMemory inboxMemory = new InboxMemory();
        main.bind("inboxMemory", inboxMemory);
        RetrySchedule pendingSchedule = PendingRetries.schedule(config.settings());
        main.bind("pendingRetries", new PendingRetries(run, outputs, inboxMemory, pendingSchedule, !config.once()));
        if (!config.once()) {
            // a service tries refused credentials again on the same schedule as the work they left pending
            providers.forEach(p -> p.probeRefusedCredentials(pendingSchedule::delayAfter));
        }
        // Bound under the name camel-micrometer-prometheus looks for, so /observe/metrics shows the
        // imagegen_* series next to Camel's own.
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics.register(meters, run);
        main.bind("metricsRegistry", meters);
        for (ProviderRuntime p : providers) {
            main.bind("imagegen-health-" + p.name(), new ProviderHealthCheck(p, clock, run::batchJobs));
        }
        shared.redis().ifPresent(redis -> main.bind("imagegen-health-shared-redis", new SharedStoreHealthCheck(redis)));
        StatusPage statusPage = StatusPage.forRun(config.settings(), config.once(), run, progress, outputs.readable(), clock);
        // Camel Main reads config/application.properties the usual way; the merged settings (flags >
        // environment > --config > that file > defaults) sit on top as override properties, with the
        // work queue's and the intake's derived settings.
        Path camelConfig = home.resolve("config").resolve("application.properties");
        main.setDefaultPropertyPlaceholderLocation(Files.isRegularFile(camelConfig)
                ? "file:" + camelConfig.toAbsolutePath() : "false");
        Properties camel = CamelSettings.forRun(config, home);
        camel.putAll(queue.camelProperties());
        camel.putAll(Intake.camelProperties(effective));
        main.setOverrideProperties(camel);
        portCheck = new ManagementPortCheck(config.once());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport support) {
                try {
                    support.getCamelContext().addStartupListener(portCheck);
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot watch the start of the operator endpoints", e);
                }
                RunEvents.attach(support.getCamelContext(), config, run);
                ProviderRoutes.add(support.getCamelContext(), config, run);
                OutputWiring.checkOutputUri(support.getCamelContext(), config);
                if (queue.queued()) {
                    ComponentJars.require(support.getCamelContext(), "imagegen.work.uri", queue.workUri());
                    ComponentJars.require(support.getCamelContext(), "imagegen.results.uri", queue.resultsUri());
                    ComponentJars.require(support.getCamelContext(), "imagegen.work.deadLetterUri", queue.deadLetterUri());
                }
                statusPage.guardFromTheStart(support.getCamelContext());
            }

            @Override
            public void afterStart(BaseMainSupport support) {
                if (portCheck.failure() != null) {
                    main.completed();
                } else if (portCheck.listening()) {
                    statusPage.install(support.getCamelContext());
                }
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
            case RunState.EXIT_FAILED_ITEMS -> LOG.warn("Done with failures: {}{}.{}", totals,
                    run.rejectedFiles() > 0 ? ", " + run.rejectedFiles() + " file(s) refused (see inbox/.failed)" : "",
                    whereToLook(config.outbox()));
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

    /** A provider closed for the day by an earlier run stays closed; a new close is kept for the next start. */
    private static void rememberDayCloses(ProviderRuntime provider, DayCloses dayCloses) throws IOException {
        dayCloses.restore(provider.quota());
        provider.quota().onDayClose((until, reason) -> {
            try {
                dayCloses.record(provider.name(), until, reason);
            } catch (IOException e) {
                LOG.warn("Could not remember in outbox/.state that {} is closed until {} ({}); a restart before then"
                        + " sends one request to learn it again.", provider.name(), until, Secrets.redact(String.valueOf(e.getMessage())));
            }
        });
    }

    /** Only the documents this run wrote: a run whose every file was refused has no report to point at. */
    private String whereToLook(Path outbox) {
        return listed(" Reports: ", outbox, run.documents("report.json"))
                + listed(" To retry the failed items, drop into the inbox: ", outbox, run.documents("failed.jsonl"))
                + listed(" Invalid input by file, line and reason (fix the lines and drop the file again): ", outbox,
                run.documents("invalid.jsonl"));
    }

    private static String listed(String label, Path outbox, List<String> documents) {
        if (documents.isEmpty()) {
            return "";
        }
        int shown = Math.min(3, documents.size());
        StringBuilder text = new StringBuilder(label);
        for (int i = 0; i < shown; i++) {
            text.append(i == 0 ? "" : ", ").append(outbox.resolve(documents.get(i)));
        }
        if (documents.size() > shown) {
            text.append(" and ").append(documents.size() - shown).append(" more");
        }
        return text.append('.').toString();
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

    static void registerSecrets(Settings s) {
        for (Map.Entry<String, String> e : s.asMap().entrySet()) {
            String leaf = e.getKey().substring(e.getKey().lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            if (leaf.equals("apikey") || leaf.equals("secretkey") || leaf.equals("accesskey") || leaf.equals("token")) {
                Secrets.register(e.getValue());
            }
        }
    }

    private static void checkFolders(RunConfig config) throws ConfigException {
        for (Path dir : List.of(config.outbox(), config.inbox())) {
            String role = dir == config.inbox() ? "inbox" : "outbox";
            if (dir == config.inbox() && !Files.exists(dir)) {
                missingInbox(config);
            }
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

    /** A mistyped inbox is the classic unattended failure: --once stops, a service says so loudly and creates it. */
    private static void missingInbox(RunConfig config) throws ConfigException {
        if (config.once()) {
            throw new ConfigException("The inbox folder " + config.inbox().toAbsolutePath() + " does not exist, so there is"
                    + " nothing to do. Check --inbox / imagegen.inbox for a typo, or create the folder.");
        }
        LOG.warn("*** The inbox folder {} did not exist: created it, and watching it. If that is a typo, stop and fix"
                + " --inbox / imagegen.inbox. ***", config.inbox().toAbsolutePath());
    }
}
