package io.github.geminiimagebatch.cli;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.output.FileSink;
import io.github.geminiimagebatch.prompt.BatchRejectedException;
import io.github.geminiimagebatch.prompt.PromptBatch;
import io.github.geminiimagebatch.prompt.PromptFileReader;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.prompt.RequestKey;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.QuotaPlanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** {@code plan}: how many images, how long under the configured quotas, and what it would cost. Sends nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Reads the inbox and prints how many images it holds, how long they take under the configured"
                + " quotas and what they would cost. Spends nothing and calls nothing.")
public final class PlanCommand implements Callable<Integer> {

    @ParentCommand
    GeminiImageBatch parent;

    @Mixin
    SettingsOptions options = new SettingsOptions();

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = parent.flags();
        flags.putAll(options.flags());
        Settings settings = options.configFile != null ? options.load(flags, GeminiImageBatch.home())
                : parent.loadSettings(flags);
        if (settings.find("imagegen.provider.simulator.baseUrl").isEmpty()) {
            settings = settings.with("imagegen.provider.simulator.baseUrl", "http://127.0.0.1:0");
        }
        RunConfig config = RunConfig.from(settings);
        print(plan(config, ZonedDateTime.now(config.resetZone())), System.out);
        return 0;
    }

    record BatchPlan(String file, String batch, int items, int done, int invalid, double costUsd, String refused) {
        int toGenerate() {
            return items - done - invalid;
        }
    }

    record Plan(Path inbox, List<BatchPlan> batches, List<String> providerLines) {
    }

    static Plan plan(RunConfig config, ZonedDateTime now) throws IOException {
        PromptFileReader reader = new PromptFileReader(config.promptLimits());
        FileSink outbox = new FileSink(config.outbox());
        ProviderSettings first = config.providers().get(0);
        List<BatchPlan> batches = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(config.inbox())) {
            files = list.filter(Files::isRegularFile).filter(PromptFileReader::isPromptFile).sorted().toList();
        }
        for (Path file : files) {
            PromptBatch batch;
            try {
                batch = reader.read(file, config.inbox());
            } catch (BatchRejectedException e) {
                batches.add(new BatchPlan(file.getFileName().toString(), null, 0, 0, 0, 0, e.getMessage()));
                continue;
            }
            int done = 0;
            int invalid = 0;
            double cost = 0;
            for (PromptItem item : batch.items()) {
                if (!item.valid()) {
                    invalid++;
                    continue;
                }
                String model = item.model() != null ? item.model() : config.defaultModel();
                String ratio = item.aspectRatio() != null ? item.aspectRatio() : config.defaultAspectRatio();
                String size = item.imageSize() != null ? item.imageSize() : config.defaultImageSize();
                String key = RequestKey.ofFiles(model, item.prompt(), ratio, size, item.referenceImages());
                if (outbox.completedImage(key).isPresent()) {
                    done++;
                } else {
                    cost += first.priceFor(model, size);
                }
            }
            batches.add(new BatchPlan(file.getFileName().toString(), batch.name(), batch.items().size(), done, invalid, cost, null));
        }
        long toGenerate = batches.stream().mapToLong(BatchPlan::toGenerate).sum();
        List<String> providerLines = new ArrayList<>();
        for (ProviderSettings p : config.providers()) {
            providerLines.add(providerLine(p, toGenerate, now));
        }
        return new Plan(config.inbox(), batches, providerLines);
    }

    static String providerLine(ProviderSettings p, long images, ZonedDateTime now) {
        String limits = describe(p.requestLimits(), "") + describe(p.imageLimits(), " images ");
        if (!p.limited()) {
            return String.format(Locale.ROOT, "  %s: no limits configured; pace is set by latency and maxConcurrency=%d"
                    + " (set imagegen.provider.%s.limits for an estimate)", p.name(), p.maxConcurrency(), p.name());
        }
        Duration needed = QuotaPlanner.timeNeeded(p.requestLimits(), p.imageLimits(), images, 1, now);
        long days = p.requestLimits().stream().filter(Limit::calendarDay).mapToLong(l -> (images + l.permits() - 1) / l.permits())
                .max().orElse(0);
        String dayNote = days > 1 ? String.format(Locale.ROOT, " (needs %d days of the per-day quota)", days) : "";
        return String.format(Locale.ROOT, "  %s (%s): %d images need about %s%s", p.name(), limits.trim(), images,
                human(needed), dayNote);
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

    static void print(Plan plan, PrintStream out) {
        int items = plan.batches().stream().mapToInt(BatchPlan::items).sum();
        long toGenerate = plan.batches().stream().mapToLong(BatchPlan::toGenerate).sum();
        long done = plan.batches().stream().mapToLong(BatchPlan::done).sum();
        double cost = plan.batches().stream().mapToDouble(BatchPlan::costUsd).sum();
        out.printf(Locale.ROOT, "Plan for %s: %d prompt file(s), %d items, %d already done, %d to generate%n",
                plan.inbox(), plan.batches().size(), items, done, toGenerate);
        Map<String, String> rows = new LinkedHashMap<>();
        for (BatchPlan b : plan.batches()) {
            rows.put(b.file(), b.refused() != null ? "refused: " + b.refused()
                    : String.format(Locale.ROOT, "batch %s: %d items, %d done, %d invalid, %d to generate, %.2f USD",
                    b.batch(), b.items(), b.done(), b.invalid(), b.toGenerate(), b.costUsd()));
        }
        rows.forEach((file, row) -> out.printf("  %s -> %s%n", file, row));
        out.println("Time, if each provider alone served everything:");
        plan.providerLines().forEach(out::println);
        out.printf(Locale.ROOT, "Cost at the first provider's prices: %.2f USD. Nothing was sent.%n", cost);
    }
}
