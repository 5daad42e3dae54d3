package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.config.BatchSettings;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.JobEndedException;
import io.github.geminiimagebatch.secret.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The Batch API jobs of one provider: items wait here until {@code maxItems} have gathered (or the first has
 * waited {@code maxWait}), go out as one job, and get their results when the job has ended. One ticker thread
 * creates and polls jobs; item threads only wait on their tickets. Jobs are recorded in {@link JobRecords}
 * before and right after the create call, so a restart attaches items to the jobs in flight.
 */
final class ProviderBatches implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderBatches.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TICK_MILLIS = 100;
    private static final int MAX_CREATE_FAILURES = 5;

    private final ProviderSettings provider;
    private final BatchSettings settings;
    private final BatchWire wire;
    private final JobRecords records;
    private final Clock clock;
    private final Path tempDir;
    private final Object lock = new Object();
    private final Map<String, List<JobTicket>> waiting = new LinkedHashMap<>();
    private final Map<String, OpenJob> jobs = new LinkedHashMap<>();
    private final Map<String, OpenJob> jobByKey = new HashMap<>();
    private final Map<String, JobResult> unclaimed = new HashMap<>();
    private final ScheduledExecutorService ticker;
    private volatile boolean recovered;

    ProviderBatches(ProviderSettings provider, BatchWire wire, JobRecords records, Clock clock, Path tempDir) {
        this.provider = provider;
        this.settings = provider.batch();
        this.wire = wire;
        this.records = records;
        this.clock = clock;
        this.tempDir = tempDir;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "batch-jobs-" + provider.name());
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        ticker.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Puts an item in line for a job, or attaches it to the job in flight that already holds its key. */
    JobTicket enqueue(String key, ImageRequest request, String model, BooleanSupplier settled) {
        JobTicket ticket = new JobTicket(key, request, model, settled, clock.instant());
        synchronized (lock) {
            JobResult parked = unclaimed.remove(key);
            if (parked != null) {
                ticket.result.complete(parked);
                return ticket;
            }
            OpenJob job = jobByKey.get(key);
            if (job != null && !job.delivered.contains(key) && !job.resultsRead) {
                ticket.job = job;
                job.tickets.put(key, ticket);
                return ticket;
            }
            waiting.computeIfAbsent(model, m -> new ArrayList<>()).add(ticket);
        }
        return ticket;
    }

    /** Takes an item out of line (or out of its job's waiting list) because the run is stopping. */
    void withdraw(JobTicket ticket) {
        synchronized (lock) {
            List<JobTicket> line = waiting.get(ticket.model);
            if (line != null) {
                line.remove(ticket);
            }
            if (ticket.job != null) {
                ticket.job.tickets.remove(ticket.key, ticket);
            }
        }
    }

    List<BatchJobView> jobs() {
        List<BatchJobView> views = new ArrayList<>();
        synchronized (lock) {
            for (OpenJob job : jobs.values()) {
                views.add(new BatchJobView(provider.name(), job.name, job.displayName, job.name == null ? "CREATING" : job.state.name(),
                        job.keys.size(), job.createdAt));
            }
        }
        return views;
    }

    int waitingItems() {
        synchronized (lock) {
            return waiting.values().stream().mapToInt(List::size).sum();
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            // A job whose results were read is done with: its items not seen in this run are no longer expected.
            for (OpenJob job : jobs.values()) {
                if (job.resultsRead || (job.state.ended() && job.state != JobState.SUCCEEDED)) {
                    records.delete(job.displayName);
                }
            }
            unclaimed.values().forEach(parked -> BatchResults.discard(parked.response()));
            unclaimed.clear();
        }
    }

    private void tick() {
        try {
            if (!recovered) {
                recover();
            }
            createDueJobs();
            pollDueJobs();
            forgetFinishedJobs();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | IOException e) {
            LOG.warn("Batch jobs of provider {}: {}", provider.name(), Secrets.redact(String.valueOf(e.getMessage())));
        }
    }

    /** Jobs recorded by an earlier run: named ones are polled; unnamed ones are looked up by display name first. */
    private void recover() throws IOException, InterruptedException {
        List<JobRecords.Record> found = records.readAll();
        synchronized (lock) {
            for (JobRecords.Record record : found) {
                if (jobs.containsKey(record.displayName())) {
                    continue;
                }
                OpenJob job = new OpenJob(record.displayName(), record.model(), record.keys(), record.createdAt());
                job.name = record.name();
                job.unresolved = record.name() == null;
                jobs.put(job.displayName, job);
                job.keys.forEach(key -> jobByKey.put(key, job));
                LOG.info("Provider {}: {} for {} items from an earlier run is {}", provider.name(), job.label(), job.keys.size(),
                        job.unresolved ? "looked up by its display name (the run stopped before its create call answered)"
                                : "polled for its results instead of sending its items again");
            }
        }
        recovered = true;
    }

    private void createDueJobs() throws InterruptedException {
        Instant now = clock.instant();
        List<OpenJob> due = new ArrayList<>();
        synchronized (lock) {
            long active = jobs.values().stream().filter(job -> !job.state.ended()).count();
            for (Map.Entry<String, List<JobTicket>> line : waiting.entrySet()) {
                List<JobTicket> tickets = line.getValue();
                while (!tickets.isEmpty() && active < settings.maxJobs()
                        && (tickets.size() >= settings.maxItems() || !now.isBefore(tickets.get(0).since.plus(settings.maxWait())))) {
                    List<JobTicket> taken = new ArrayList<>(tickets.subList(0, Math.min(settings.maxItems(), tickets.size())));
                    tickets.subList(0, taken.size()).clear();
                    due.add(newJob(line.getKey(), taken, now));
                    active++;
                }
            }
            for (OpenJob job : jobs.values()) {
                if (job.name == null && !due.contains(job) && !now.isBefore(job.nextAction)) {
                    due.add(job);
                }
            }
        }
        for (OpenJob job : due) {
            create(job);
        }
    }

    private OpenJob newJob(String model, List<JobTicket> tickets, Instant now) {
        List<String> keys = tickets.stream().map(ticket -> ticket.key).sorted().toList();
        OpenJob job = new OpenJob(displayName(keys), model, keys, now);
        for (JobTicket ticket : tickets) {
            ticket.job = job;
            job.tickets.put(ticket.key, ticket);
            jobByKey.put(ticket.key, job);
        }
        jobs.put(job.displayName, job);
        return job;
    }

    /** Derived from the items' request keys: the same items make the same name, which a restart can look for. */
    static String displayName(List<String> sortedKeys) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sortedKeys.forEach(key -> sha.update((key + "\n").getBytes(StandardCharsets.UTF_8)));
            return "gib-" + sortedKeys.size() + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime must provide SHA-256", e);
        }
    }

    private void create(OpenJob job) throws InterruptedException {
        if (job.unresolved || job.uncertain) {
            resolve(job);
            return;
        }
        Path jsonl = null;
        Path body = null;
        try {
            records.write(job.record());
            job.uncertain = true;
            List<JobTicket> tickets;
            synchronized (lock) {
                tickets = new ArrayList<>(job.tickets.values());
            }
            jsonl = Files.createTempFile(Files.createDirectories(tempDir), "batch-input-", ".jsonl");
            JobInputFiles.writeLines(tickets, jsonl);
            boolean inline = Files.size(jsonl) <= settings.inlineMaxBytes();
            body = Files.createTempFile(tempDir, "batch-create-", ".json");
            String input = inline ? null : wire.upload(jsonl, job.displayName);
            JobInputFiles.writeCreateBody(job.displayName, inline ? tickets : null, input, body);
            String name = wire.create(job.model, body);
            job.name = name;
            job.uncertain = false;
            job.nextAction = clock.instant().plus(settings.pollInterval());
            records.write(job.record());
            LOG.info("Provider {}: created {} ({}) for {} items, {}", provider.name(), name, job.displayName, tickets.size(),
                    inline ? "inline" : "through the Files API (" + input + ")");
        } catch (BatchWire.HttpFailure failure) {
            createRefused(job, failure);
        } catch (IOException e) {
            createFailed(job, Secrets.redact(String.valueOf(e.getMessage())));
        } finally {
            deleteQuietly(jsonl);
            deleteQuietly(body);
        }
    }

    private void createRefused(OpenJob job, BatchWire.HttpFailure failure) throws InterruptedException {
        if (failure.status == 429 || failure.status == 408) {
            // the batch quota (requests enqueued) is full: nothing was created; try again when jobs have moved on
            job.uncertain = false;
            job.nextAction = clock.instant().plus(settings.pollInterval());
            LOG.info("Provider {}: the Batch API refused a new job for now ({}); trying again in {}", provider.name(),
                    failure.getMessage(), settings.pollInterval());
            return;
        }
        if (failure.status >= 500) {
            createFailed(job, failure.getMessage());
            return;
        }
        // a refusal that holds for these items (bad request, key, model): each item gets the answer to act on
        job.uncertain = false;
        LOG.warn("Provider {}: {}", provider.name(), failure.getMessage());
        DecodedResponse answer = BatchResults.itemError(errorStatus(failure));
        endJob(job, ticket -> ticket.result.complete(new JobResult(answer, null)));
        records.delete(job.displayName);
    }

    private void createFailed(OpenJob job, String why) throws InterruptedException {
        job.createFailures++;
        job.nextAction = clock.instant().plus(settings.pollInterval().multipliedBy(Math.min(8, 1L << Math.min(3, job.createFailures - 1))));
        LOG.warn("Provider {}: creating {} failed ({}); attempt {} of {}", provider.name(), job.label(), why, job.createFailures,
                MAX_CREATE_FAILURES);
        if (job.createFailures >= MAX_CREATE_FAILURES) {
            resolve(job);
            if (job.name == null) {
                DecodedResponse answer = BatchResults.itemError(JSON.createObjectNode().put("code", 503)
                        .put("message", "the batch job could not be created: " + why));
                endJob(job, ticket -> ticket.result.complete(new JobResult(answer, null)));
                records.delete(job.displayName);
            }
        }
    }

    /** Looks for a job with this display name before another is created (a create call may have landed unseen). */
    private void resolve(OpenJob job) throws InterruptedException {
        List<BatchResults.Operation> listed;
        try {
            listed = wire.list();
        } catch (IOException e) {
            job.nextAction = clock.instant().plus(settings.pollInterval());
            LOG.warn("Provider {}: cannot list batch jobs to find {} ({}); trying again in {}", provider.name(), job.displayName,
                    Secrets.redact(String.valueOf(e.getMessage())), settings.pollInterval());
            return;
        }
        BatchResults.Operation match = listed.stream().filter(op -> job.displayName.equals(op.displayName())).findFirst().orElse(null);
        if (match != null) {
            job.name = match.name();
            job.unresolved = false;
            job.uncertain = false;
            job.nextAction = clock.instant();
            try {
                records.write(job.record());
            } catch (IOException e) {
                LOG.warn("Provider {}: could not record {}: {}", provider.name(), job.name, e.getMessage());
            }
            LOG.info("Provider {}: found {} ({}) by listing; polling it instead of creating another", provider.name(), job.name,
                    job.displayName);
            return;
        }
        if (job.unresolved) {
            // never created: its items (if they come again) go into new jobs
            LOG.info("Provider {}: {} was never created; its items are sent in new jobs", provider.name(), job.displayName);
            synchronized (lock) {
                jobs.remove(job.displayName);
                job.keys.forEach(key -> jobByKey.remove(key, job));
                for (JobTicket ticket : job.tickets.values()) {
                    ticket.job = null;
                    waiting.computeIfAbsent(ticket.model, m -> new ArrayList<>()).add(ticket);
                }
                job.tickets.clear();
            }
            records.delete(job.displayName);
            return;
        }
        job.uncertain = false;
        job.nextAction = clock.instant();
    }

    private void pollDueJobs() throws InterruptedException {
        Instant now = clock.instant();
        List<OpenJob> due = new ArrayList<>();
        synchronized (lock) {
            for (OpenJob job : jobs.values()) {
                if (job.name != null && !job.state.ended() && !now.isBefore(job.nextAction)) {
                    due.add(job);
                }
            }
        }
        for (OpenJob job : due) {
            poll(job);
        }
    }

    private void poll(OpenJob job) throws InterruptedException {
        try {
            BatchResults.Operation operation = wire.get(job.name, (key, result) -> deliver(job, key, result));
            JobState state = operation.state() == JobState.UNKNOWN && operation.done()
                    ? (operation.error() == null ? JobState.SUCCEEDED : JobState.FAILED) : operation.state();
            if (state == JobState.SUCCEEDED) {
                if (operation.responsesFile() != null && operation.inlineResults() == 0) {
                    wire.download(operation.responsesFile(), (key, result) -> deliver(job, key, result));
                }
                finishSucceeded(job);
                return;
            }
            if (state.ended()) {
                String why = "batch job " + job.name + " ended " + state.name()
                        + (operation.error() != null ? " (" + Secrets.redact(operation.error()) + ")" : "")
                        + (state == JobState.EXPIRED ? ": Google expires jobs not finished within 48 hours" : "")
                        + "; its " + job.keys.size() + " items go back to pending and are sent again next run, nothing was charged for them";
                endJob(job, ticket -> ticket.result.completeExceptionally(new JobEndedException(state.pendingReason(), why)));
                job.state = state;
                records.delete(job.displayName);
                LOG.warn("Provider {}: {}", provider.name(), why);
                return;
            }
            job.state = state;
        } catch (BatchWire.HttpFailure failure) {
            if (failure.status == 404) {
                String why = "batch job " + job.name + " is gone (HTTP 404: deleted, or the results were removed); its items go back to pending";
                endJob(job, ticket -> ticket.result.completeExceptionally(new JobEndedException("batch_gone", why)));
                job.state = JobState.CANCELLED;
                records.delete(job.displayName);
                LOG.warn("Provider {}: {}", provider.name(), why);
                return;
            }
            LOG.warn("Provider {}: polling {} failed ({}); polling again in {}", provider.name(), job.name, failure.getMessage(),
                    settings.pollInterval());
        } catch (IOException e) {
            LOG.warn("Provider {}: polling {} failed ({}); polling again in {}", provider.name(), job.name,
                    Secrets.redact(String.valueOf(e.getMessage())), settings.pollInterval());
        }
        job.nextAction = clock.instant().plus(settings.pollInterval());
    }

    private void finishSucceeded(OpenJob job) {
        synchronized (lock) {
            job.state = JobState.SUCCEEDED;
            job.resultsRead = true;
            for (JobTicket ticket : new ArrayList<>(job.tickets.values())) {
                // the job ended without a line for this item: it goes into another job
                DecodedResponse missing = BatchResults.itemError(JSON.createObjectNode().put("code", 500)
                        .put("message", "batch job " + job.name + " returned no result for this request"));
                job.tickets.remove(ticket.key);
                ticket.result.complete(new JobResult(missing, job.name));
            }
        }
        LOG.info("Provider {}: {} succeeded; {} of {} results delivered", provider.name(), job.name, job.delivered.size(), job.keys.size());
    }

    private void deliver(OpenJob job, String key, DecodedResponse result) {
        synchronized (lock) {
            if (!job.keys.contains(key) || !job.delivered.add(key)) {
                BatchResults.discard(result);
                return;
            }
            JobTicket ticket = job.tickets.remove(key);
            if (ticket != null) {
                job.claimed.add(ticket);
                ticket.result.complete(new JobResult(result, job.name));
            } else {
                unclaimed.put(key, new JobResult(result, job.name));
            }
        }
    }

    @FunctionalInterface
    private interface TicketAction {
        void apply(JobTicket ticket);
    }

    private void endJob(OpenJob job, TicketAction action) {
        synchronized (lock) {
            job.tickets.values().forEach(action::apply);
            job.tickets.clear();
            jobs.remove(job.displayName);
            job.keys.forEach(key -> jobByKey.remove(key, job));
        }
    }

    /** A job whose every item has its result and is settled needs no record: a restart has nothing to poll. */
    private void forgetFinishedJobs() {
        List<OpenJob> done = new ArrayList<>();
        synchronized (lock) {
            for (OpenJob job : jobs.values()) {
                if (job.resultsRead && unclaimedOf(job) == 0 && job.claimed.stream().allMatch(ticket -> ticket.settled.getAsBoolean())) {
                    done.add(job);
                }
            }
            for (OpenJob job : done) {
                jobs.remove(job.displayName);
                job.keys.forEach(key -> jobByKey.remove(key, job));
            }
        }
        done.forEach(job -> records.delete(job.displayName));
    }

    private int unclaimedOf(OpenJob job) {
        int count = 0;
        for (String key : job.keys) {
            if (unclaimed.containsKey(key)) {
                count++;
            }
        }
        return count;
    }

    private static com.fasterxml.jackson.databind.JsonNode errorStatus(BatchWire.HttpFailure failure) {
        try {
            com.fasterxml.jackson.databind.JsonNode error = JSON.readTree(failure.body).path("error");
            if (error.isObject()) {
                return ((com.fasterxml.jackson.databind.node.ObjectNode) error.deepCopy()).put("code", failure.status);
            }
        } catch (IOException | RuntimeException ignored) {
            // not Google's envelope: the status alone says what happened
        }
        return JSON.createObjectNode().put("code", failure.status).put("message", failure.getMessage());
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stale temporary file in outbox/.tmp is cleared at start-up
            }
        }
    }

    boolean itemErrorsInteractive() {
        return settings.itemErrorsInteractive();
    }
}
