package io.github.geminiimagebatch.service;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.prompt.PromptFileReader;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * In service mode, reads a prompt file that was left with pending items again without a restart: on a
 * growing schedule ({@link RetrySchedule}), and at once when the cause is known to have cleared (the
 * outputs answer a probe again after an output error, or a provider that was closed is usable again).
 * Reading again is cheap: stored items are skipped by their request keys.
 */
public final class PendingRetries {

    private static final Logger LOG = LoggerFactory.getLogger(PendingRetries.class);
    static final String OUTPUT_ERROR = "output_error";
    private static final Set<String> PROVIDER_REASONS = Set.of("auth", "quota", "model_not_found");

    /** One file waiting in the inbox to be read again. */
    record Waiting(Path file, Set<String> reasons, int times, Instant dueAt, Set<String> usableProviders,
                   Map<WorkItem.Status, Long> settled) {
    }

    private final RunState run;
    private final Outputs outputs;
    private final InboxMemory memory;
    private final RetrySchedule schedule;
    private final boolean service;
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final Map<String, Integer> timesPending = new ConcurrentHashMap<>();

    public PendingRetries(RunState run, Outputs outputs, InboxMemory memory, RetrySchedule schedule, boolean service) {
        this.run = run;
        this.outputs = outputs;
        this.memory = memory;
        this.schedule = schedule;
        this.service = service;
    }

    /** The schedule of {@code imagegen.pending.retryAfter} doubling up to {@code imagegen.pending.retryAfterMax}. */
    public static RetrySchedule schedule(Settings settings) throws ConfigException {
        Duration first = settings.duration("imagegen.pending.retryAfter");
        Duration max = settings.duration("imagegen.pending.retryAfterMax");
        if (first.isZero() || max.compareTo(first) < 0) {
            throw new ConfigException("imagegen.pending.retryAfter (" + first.toMillis() + " ms) must be above zero and"
                    + " no longer than imagegen.pending.retryAfterMax (" + max.toMillis() + " ms).");
        }
        return new RetrySchedule(first, max);
    }

    /**
     * After the inbox route is done with a file: one that left the inbox is forgotten; one that stays with
     * pending items (or unwritten reports) is read again later.
     */
    public void afterBatch(Exchange exchange) {
        String path = exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class);
        if (path == null) {
            return;
        }
        Path file = Path.of(path);
        String name = file.getFileName().toString();
        if (!Files.exists(file)) {
            forget(name);
            return;
        }
        if (!service || !PromptFileReader.isPromptFile(file)) {
            return;
        }
        BatchRun batch = exchange.getProperty("batch", BatchRun.class);
        Set<String> reasons = batch == null ? new TreeSet<>() : batch.getItems().stream()
                .filter(i -> i.getStatus() == WorkItem.Status.PENDING || i.getStatus() == WorkItem.Status.WORKING)
                .map(i -> i.getReasonClass() == null ? "interrupted" : i.getReasonClass())
                .collect(Collectors.toCollection(TreeSet::new));
        if (reasons.isEmpty()) {
            // the batch folder could not be made or the reports could not be written
            reasons.add(OUTPUT_ERROR);
        }
        if (run.stopping()) {
            return;
        }
        int times = timesPending.merge(name, 1, Integer::sum);
        Instant due = run.clock().instant().plus(schedule.delayAfter(times));
        Map<WorkItem.Status, Long> settled = batch == null ? Map.of() : batch.getItems().stream()
                .collect(Collectors.groupingBy(WorkItem::getStatus, () -> new EnumMap<>(WorkItem.Status.class),
                        Collectors.counting()));
        waiting.put(name, new Waiting(file, Set.copyOf(reasons), times, due, usableProviders(), settled));
        LOG.info("{} stays in the inbox with pending items ({}); it is read again in {}{}.", name,
                String.join(", ", reasons), text(schedule.delayAfter(times)), clearedWhen(reasons));
    }

    private static String clearedWhen(Set<String> reasons) {
        if (reasons.contains(OUTPUT_ERROR)) {
            return ", or as soon as the outputs answer again";
        }
        if (reasons.stream().anyMatch(PROVIDER_REASONS::contains)) {
            return ", or as soon as a closed or refusing provider is usable again";
        }
        return "";
    }

    /** Called by a timer: probes what has failed and lets the inbox take each file whose time has come. */
    public void tick() {
        if (!service || waiting.isEmpty() && run.outputProblem() == null) {
            return;
        }
        Instant now = run.clock().instant();
        boolean outputWaits = run.outputProblem() != null
                || waiting.values().stream().anyMatch(w -> w.reasons().contains(OUTPUT_ERROR));
        boolean outputsBack = outputWaits && outputs.answering();
        if (outputsBack && run.outputProblem() != null) {
            LOG.info("The outputs answer again ({} was the problem); sending resumes.", run.outputProblem());
            run.outputsRecovered();
        }
        Set<String> usable = usableProviders();
        for (Waiting w : waiting.values()) {
            String name = w.file().getFileName().toString();
            if (!Files.exists(w.file())) {
                forget(name);
                continue;
            }
            String why = null;
            if (outputsBack && w.reasons().contains(OUTPUT_ERROR)) {
                why = "the outputs answer again";
            } else if (w.reasons().stream().anyMatch(PROVIDER_REASONS::contains) && !w.usableProviders().containsAll(usable)) {
                why = "a provider is usable again";
            } else if (!now.isBefore(w.dueAt())) {
                why = "retry " + w.times() + " after " + text(schedule.delayAfter(w.times()));
            }
            if (why != null && waiting.remove(name, w)) {
                LOG.info("Reading {} again for its pending items ({}): {}.", name, String.join(", ", w.reasons()), why);
                run.readAgain(w.settled());
                memory.forget(name);
            }
        }
    }

    private void forget(String name) {
        waiting.remove(name);
        timesPending.remove(name);
        memory.forget(name);
    }

    /** The providers that take requests now or after a short pause (not unusable, closed or with an open circuit). */
    private Set<String> usableProviders() {
        Instant now = run.clock().instant();
        return run.providers().stream().filter(p -> p.state(now).up()).map(ProviderRuntime::name)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Files waiting to be read again, by name. */
    public Set<String> waitingFiles() {
        return Set.copyOf(waiting.keySet());
    }

    private static String text(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return d.toMillis() + " ms";
        }
        if (seconds < 120) {
            return seconds + " s";
        }
        return seconds / 60 + " min";
    }
}
