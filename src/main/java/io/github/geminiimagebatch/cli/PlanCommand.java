package io.github.geminiimagebatch.cli;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.BatchSettings;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.output.FileSink;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.pipeline.Intake;
import io.github.geminiimagebatch.pipeline.StoredImages;
import io.github.geminiimagebatch.prompt.BatchRejectedException;
import io.github.geminiimagebatch.prompt.PromptBatch;
import io.github.geminiimagebatch.prompt.PromptFileReader;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.QuotaPlan;
import io.github.geminiimagebatch.quota.QuotaPlanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code plan}: how many images the inbox holds, how long they take under each provider's configured
 * limits (per-day limits included) and what they would cost. Reads the inbox and the outbox's key
 * index only: it starts no route, opens no connection and spends nothing.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Reads the inbox and prints how many images it holds, how long they take under the configured"
                + " quotas and what they would cost. Spends nothing and calls nothing.")
public final class PlanCommand implements Callable<Integer> {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm z", Locale.ROOT);

    @ParentCommand
    GeminiImageBatch parent;

    @Mixin
    SettingsOptions options = new SettingsOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = parent.flags();
        flags.putAll(options.flags());
        Settings settings = options.configFile != null ? options.load(flags, GeminiImageBatch.home())
                : parent.loadSettings(flags);
        if (settings.find("imagegen.provider.simulator.baseUrl").isEmpty()) {
            // the built-in simulator is not started for a plan; the address is never used
            settings = settings.with("imagegen.provider.simulator.baseUrl", "http://127.0.0.1:0");
        }
        RunConfig config = RunConfig.forPlan(settings);
        if (!Files.isDirectory(config.inbox())) {
            throw new ConfigException("The inbox " + config.inbox().toAbsolutePath()
                    + " is not a folder. Point --inbox (or imagegen.inbox) at the folder that holds the prompt files.");
        }
        PrintWriter out = spec.commandLine().getOut();
        print(plan(config, ZonedDateTime.now(parent.clock().withZone(config.resetZone()))), out);
        out.flush();
        return 0;
    }

    /**
     * One prompt file.
     *
     * @param duplicates   items whose request equals an earlier item's in this plan: sent once, the copy is skipped
     * @param failedBefore items of a file dropped again that failed for good before: not sent (docs/resume.md)
     * @param work         images to generate, by "model size"
     */
    record BatchPlan(String file, String batch, int items, int done, int duplicates, int invalid, int failedBefore,
                     Map<String, Integer> work, String refused) {
        int toGenerate() {
            return work.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** One provider serving everything alone. */
    record ProviderPlan(ProviderSettings provider, long images, double costUsd, QuotaPlan quota, long perDay) {
    }

    record Plan(Path inbox, ZonedDateTime at, List<BatchPlan> batches, Map<String, Integer> work,
                List<ProviderPlan> providers, Double maxUsd, Double maxUsdPerDay) {
        long toGenerate() {
            return work.values().stream().mapToLong(Integer::longValue).sum();
        }
    }

    /**
     * What the run would do with the inbox as it is, decided by the run's own code: batch folders claimed in file
     * name order ({@link Intake}), items settled up front, and a request done only when {@link StoredImages} says it is paid for (stored, or kept until it can be).
     */
    static Plan plan(RunConfig config, ZonedDateTime now) throws IOException {
        PromptFileReader reader = new PromptFileReader(config.promptLimits());
        Intake intake = Intake.forPlan(config);
        StoredImages stored = new StoredImages(new Outputs(config.outbox(), new FileSink(config.outbox()), List.of()),
                config.usesSimulator());
        List<BatchPlan> batches = new ArrayList<>();
        Map<String, Integer> allWork = new TreeMap<>();
        Set<String> seenKeys = new HashSet<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(config.inbox())) {
            files = list.filter(Files::isRegularFile).filter(PromptFileReader::isPromptFile).sorted().toList();
        }
        for (Path file : files) {
            PromptBatch batch;
            String folder;
            try {
                batch = reader.read(file, config.inbox());
                folder = intake.folder(batch);
            } catch (BatchRejectedException e) {
                batches.add(new BatchPlan(file.getFileName().toString(), null, 0, 0, 0, 0, 0, Map.of(), e.getMessage()));
                continue;
            }
            int done = 0;
            int duplicates = 0;
            int invalid = 0;
            int failedBefore = 0;
            Map<String, Integer> work = new TreeMap<>();
            for (Intake.Planned item : intake.items(batch, folder, intake.record(folder))) {
                if (item.invalid()) {
                    invalid++;
                } else if (item.settled()) {
                    failedBefore++;
                } else if (stored.paidFor(item.requestKey())) {
                    done++;
                } else if (!seenKeys.add(item.requestKey())) {
                    duplicates++;
                } else {
                    String modelSize = item.request().model() + " " + item.request().imageSize();
                    work.merge(modelSize, 1, Integer::sum);
                    allWork.merge(modelSize, 1, Integer::sum);
                }
            }
            batches.add(new BatchPlan(file.getFileName().toString(), folder, batch.items().size(), done,
                    duplicates, invalid, failedBefore, work, null));
        }
        long images = allWork.values().stream().mapToLong(Integer::longValue).sum();
        List<ProviderPlan> providers = new ArrayList<>();
        for (ProviderSettings p : config.providers()) {
            providers.add(providerPlan(p, allWork, images, now));
        }
        return new Plan(config.inbox(), now, batches, allWork, providers, config.budgetMaxUsd(), config.budgetMaxUsdPerDay());
    }

    static ProviderPlan providerPlan(ProviderSettings p, Map<String, Integer> work, long images, ZonedDateTime now) {
        double cost = 0;
        for (Map.Entry<String, Integer> w : work.entrySet()) {
            String[] modelSize = w.getKey().split(" ", 2);
            cost += w.getValue() * p.interactivePriceFor(modelSize[0], modelSize[1]);
        }
        QuotaPlan quota = p.limited() ? QuotaPlanner.plan(p.requestLimits(), p.imageLimits(), images, 1, now) : null;
        long perDay = Stream.concat(p.requestLimits().stream(), p.imageLimits().stream())
                .filter(Limit::calendarDay).mapToLong(Limit::permits).min().orElse(0);
        return new ProviderPlan(p, images, cost, quota, perDay);
    }

    static String providerLine(ProviderPlan pp) {
        ProviderSettings p = pp.provider();
        String cost = String.format(Locale.ROOT, "%.2f USD", pp.costUsd());
        if (pp.quota() == null) {
            return String.format(Locale.ROOT, "  %s%s: no limits configured, so the pace is set by latency and"
                    + " maxConcurrency=%d (set imagegen.provider.%s.limits for a time estimate); %s",
                    p.name(), p.batchMode() ? " interactively" : "", p.maxConcurrency(),
                    p.name(), cost);
        }
        String limits = describe(p.requestLimits(), "") + (p.imageLimits().isEmpty() ? ""
                : (p.requestLimits().isEmpty() ? "" : ", ") + "images " + describe(p.imageLimits(), ""));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %s%s (%s): %d images need %s",
                p.name(), p.batchMode() ? " interactively" : "", limits, pp.images(), human(pp.quota().timeNeeded())));
        // calendar days touched, in the reset zone: 3000 at 1500/day started late in the evening take three
        int days = pp.quota().dailyResetsCrossed() + 1;
        if (pp.perDay() > 0 && pp.quota().dailyResetsWaited() > 0) {
            line.append(String.format(Locale.ROOT, " (needs %d days at %d/day)", days, pp.perDay()));
        }
        if (pp.images() > 0) {
            line.append(", done about ").append(WHEN.format(pp.quota().finish()));
        }
        return line.append("; ").append(cost).toString();
    }

    /**
     * The same work through the Gemini Batch API, for providers that speak it: jobs of up to maxItems, maxJobs at a
     * time, each within Google's 24 h target, at half the price.
     */
    static Optional<String> batchLine(ProviderPlan pp) {
        ProviderSettings p = pp.provider();
        if (!BatchSettings.supports(p.type()) || pp.images() == 0) {
            return Optional.empty();
        }
        BatchSettings batch = p.batchMode() ? p.batch() : BatchSettings.DEFAULTS;
        long jobs = (pp.images() + batch.maxItems() - 1) / batch.maxItems();
        long rounds = (jobs + batch.maxJobs() - 1) / batch.maxJobs();
        return Optional.of(String.format(Locale.ROOT, "  %s in Batch API mode%s: %d images in %d job(s) of up to %d, %d at a time,"
                        + " done within about %s (Google's %dh target per job; jobs expire after 48h); %.2f USD (half price)",
                p.name(), p.batchMode() ? " (configured)" : " (imagegen.provider." + p.name() + ".mode=batch)", pp.images(), jobs,
                batch.maxItems(), batch.maxJobs(), human(BatchSettings.GOOGLE_TARGET_TURNAROUND.multipliedBy(rounds)),
                BatchSettings.GOOGLE_TARGET_TURNAROUND.toHours(), pp.costUsd() * BatchSettings.PRICE_FACTOR));
    }

    private static String describe(List<Limit> limits, String label) {
        if (limits.isEmpty()) {
            return "";
        }
        return label + limits.stream().map(Limit::toString).collect(Collectors.joining(","));
    }

    static String human(Duration d) {
        long s = d.getSeconds();
        if (s >= 86_400) {
            return String.format(Locale.ROOT, "%dd%02dh%02dm", s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
        }
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }

    static void print(Plan plan, PrintWriter out) {
        int items = plan.batches().stream().mapToInt(BatchPlan::items).sum();
        long done = plan.batches().stream().mapToLong(BatchPlan::done).sum();
        long duplicates = plan.batches().stream().mapToLong(BatchPlan::duplicates).sum();
        long invalid = plan.batches().stream().mapToLong(BatchPlan::invalid).sum();
        long failedBefore = plan.batches().stream().mapToLong(BatchPlan::failedBefore).sum();
        out.printf(Locale.ROOT, "Plan for %s at %s: %d prompt file(s), %d items, %d already done, %d duplicate(s),"
                        + " %d invalid,%s %d to generate%n", plan.inbox(), WHEN.format(plan.at()), plan.batches().size(), items,
                done, duplicates, invalid, failedBeforeText(failedBefore), plan.toGenerate());
        for (BatchPlan b : plan.batches()) {
            out.printf(Locale.ROOT, "  %s -> %s%n", b.file(), b.refused() != null ? "refused: " + b.refused()
                    : String.format(Locale.ROOT, "batch %s: %d items, %d done, %d duplicate(s), %d invalid,%s %d to generate%s",
                    b.batch(), b.items(), b.done(), b.duplicates(), b.invalid(), failedBeforeText(b.failedBefore()),
                    b.toGenerate(), workText(b.work())));
        }
        out.println("Time and cost if each provider alone served everything (the first one in imagegen.providers"
                + " serves while its quota lasts):");
        plan.providers().forEach(p -> {
            out.println(providerLine(p));
            batchLine(p).ifPresent(out::println);
        });
        if (!plan.providers().isEmpty() && plan.toGenerate() > 0) {
            ProviderPlan first = plan.providers().get(0);
            budgetLine(plan.maxUsd(), "imagegen.budget.maxUsd", first).ifPresent(out::println);
            budgetLine(plan.maxUsdPerDay(), "imagegen.budget.maxUsdPerDay", first).ifPresent(out::println);
        }
        out.println("Per-day limits are assumed unused today; the real run is about 1% slower (safety margin)."
                + " Nothing was sent.");
    }

    private static Optional<String> budgetLine(Double budget, String setting, ProviderPlan first) {
        double cost = first.costUsd() * (first.provider().batchMode() ? BatchSettings.PRICE_FACTOR : 1);
        if (budget == null || first.images() == 0 || cost <= budget + 1e-9) {
            return Optional.empty();
        }
        long covered = (long) Math.floor(budget / (cost / first.images()) + 1e-9);
        return Optional.of(String.format(Locale.ROOT, "Budget: %s=%.2f USD covers about %d of %d images at %s's"
                        + " prices; the rest stays pending%s.", setting, budget, covered, first.images(),
                first.provider().name(), setting.endsWith("PerDay") ? " until the next day" : " (exit code 3)"));
    }

    /** Shown only when a file dropped again has items that failed for good before. */
    private static String failedBeforeText(long failedBefore) {
        return failedBefore == 0 ? "" : " " + failedBefore + " failed before (not sent again),";
    }

    private static String workText(Map<String, Integer> work) {
        if (work.isEmpty()) {
            return "";
        }
        return " (" + work.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey())
                .collect(Collectors.joining(", ")) + ")";
    }
}
