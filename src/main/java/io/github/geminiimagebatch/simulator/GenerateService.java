package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Answers a generate call that is authenticated and valid, on any endpoint: an outage or an up-front fault, then the
 * quota, then a drawn fault or the latency and the image, in the endpoint's dialect. Keeps the calls for
 * {@link GeminiSimulator#calls()}.
 */
final class GenerateService {

    static final int CALLS_KEPT = 100_000;

    private final SimulatorOptions options;
    private final SimulatorStats stats;
    private final QuotaLedger ledger;
    private final FaultPlan faults;
    private final ResponseWriter writer;
    private final AnswerBodies answers;
    private final Supplier<Duration> sinceStart;
    private final IntSupplier inFlight;
    private final CountDownLatch stopping;
    /** Guarded by itself. */
    private final List<GenerateCall> calls = new ArrayList<>();

    /**
     * @param sinceStart time since the simulator started, for outages
     * @param inFlight   requests in flight now, for the slowdown
     * @param stopping   counted down when the simulator stops: waits and stalls end at once
     */
    GenerateService(SimulatorOptions options, SimulatorStats stats, QuotaLedger ledger, FaultPlan faults, ResponseWriter writer,
                    AnswerBodies answers, Supplier<Duration> sinceStart, IntSupplier inFlight, CountDownLatch stopping) {
        this.options = options;
        this.stats = stats;
        this.ledger = ledger;
        this.faults = faults;
        this.writer = writer;
        this.answers = answers;
        this.sinceStart = sinceStart;
        this.inFlight = inFlight;
        this.stopping = stopping;
    }

    /** The shared path of every generate call once it is authenticated and valid; kept in {@link #calls()}. */
    void generate(HttpExchange exchange, Endpoint endpoint, GenerationRequest request, String apiKey, String resource) throws IOException {
        Instant arrived = options.clock().instant();
        List<String> refusedBy = new ArrayList<>();
        try {
            answer(exchange, endpoint, request, apiKey, resource, refusedBy);
        } finally {
            GenerateCall call = new GenerateCall(arrived, options.clock().instant(), request.prompt(), refusedBy);
            synchronized (calls) {
                if (calls.size() < CALLS_KEPT) {
                    calls.add(call);
                }
            }
        }
    }

    private void answer(HttpExchange exchange, Endpoint endpoint, GenerationRequest request, String apiKey, String resource,
                        List<String> refusedBy) throws IOException {
        Duration sinceStart = this.sinceStart.get();
        Optional<Outage> outage = options.outages().stream().filter(o -> o.covers(sinceStart)).findFirst();
        if (outage.isPresent()) {
            stats.fault(outage.get().fault());
            stats.billed(request.prompt(), 0);
            sendError(exchange, endpoint, faultError(outage.get().fault(), endpoint, apiKey, resource));
            return;
        }
        Optional<FaultKind> upFront = faults.upFrontFault(request.prompt());
        if (upFront.isPresent()) {
            stats.fault(upFront.get());
            stats.billed(request.prompt(), 0);
            sendError(exchange, endpoint, faultError(upFront.get(), endpoint, apiKey, resource));
            return;
        }
        QuotaLedger.Admission admission = ledger.tryAdmit(request.model(), 1);
        if (!admission.admitted()) {
            List<String> kinds = new ArrayList<>();
            admission.violations().forEach(violation -> kinds.add(violation.kind().statsName()));
            refusedBy.addAll(kinds);
            stats.quotaRejected(kinds);
            sendQuotaExceeded(exchange, endpoint, request.model(), admission);
            return;
        }
        Optional<FaultKind> fault = faults.decide(request.prompt());
        fault.ifPresent(stats::fault);
        if (fault.isPresent() && fault.get() == FaultKind.STALL) {
            stats.billed(request.prompt(), 0);
            awaitStop(options.stallMillis());
            return;
        }
        if (!awaitStop(latencyMillis(request.prompt()))) {
            return;
        }
        if (fault.isEmpty()) {
            stats.billed(request.prompt(), 1);
            ImageFormat format = request.outputFormat().orElse(options.imageFormat());
            writer.withImages(exchange, answers.successBody(endpoint, request, format), answers.images(request, format));
            return;
        }
        serveFault(exchange, endpoint, request, fault.get(), apiKey, resource);
    }

    private void serveFault(HttpExchange exchange, Endpoint endpoint, GenerationRequest request, FaultKind fault,
                            String apiKey, String resource) throws IOException {
        ImageFormat format = request.outputFormat().orElse(options.imageFormat());
        switch (fault) {
            case RESET -> stats.billed(request.prompt(), 0);
            case TRUNCATE -> {
                stats.billed(request.prompt(), 1);
                writer.truncated(exchange, answers.successBody(endpoint, request, format), answers.images(request, format));
            }
            case MALFORMED -> {
                stats.billed(request.prompt(), 1);
                writer.bytes(exchange, 200, "application/json; charset=UTF-8",
                        "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Here is".getBytes(StandardCharsets.UTF_8));
            }
            case SAFETY, BLOCKED, PROHIBITED, NO_IMAGE, TEXT_ONLY -> {
                stats.billed(request.prompt(), 0);
                writer.json(exchange, 200, endpoint == Endpoint.OPENROUTER
                        ? answers.openRouterNoImage(request, fault) : answers.geminiNoImage(endpoint, request, fault));
            }
            case ERROR_200 -> {
                stats.billed(request.prompt(), 0);
                if (endpoint == Endpoint.OPENROUTER) {
                    ObjectNode body = answers.openRouterEnvelope(request);
                    body.set("error", answers.openRouterError(502, "Provider returned error", GoogleErrors.internal()).get("error"));
                    writer.json(exchange, 200, body);
                } else {
                    sendError(exchange, endpoint, GoogleErrors.internal());
                }
            }
            default -> {
                stats.billed(request.prompt(), 0);
                sendError(exchange, endpoint, faultError(fault, endpoint, apiKey, resource));
            }
        }
    }

    private ObjectNode faultError(FaultKind fault, Endpoint endpoint, String apiKey, String resource) {
        return switch (fault) {
            case BAD_REQUEST -> GoogleErrors.invalidArgument("Request contains an invalid argument.");
            case FORBIDDEN -> apiKey != null
                    ? GoogleErrors.suspendedKey(apiKey, GoogleErrors.service(endpoint))
                    : GoogleErrors.error(403, "PERMISSION_DENIED", "Permission 'aiplatform.endpoints.predict' denied on resource '//"
                      + GoogleErrors.VERTEX_SERVICE + "/" + resource + "' (or it may not exist).");
            case RESOURCE_EXHAUSTED -> endpoint.isVertex() ? GoogleErrors.vertexQuota() : GoogleErrors.bareQuota();
            case UNAVAILABLE -> GoogleErrors.overloaded();
            default -> GoogleErrors.internal();
        };
    }

    private void sendQuotaExceeded(HttpExchange exchange, Endpoint endpoint, String model, QuotaLedger.Admission admission) throws IOException {
        if (endpoint.isVertex()) {
            writer.json(exchange, 429, GoogleErrors.vertexQuota());
            return;
        }
        ObjectNode google = options.quotaStyle() == QuotaStyle.BARE ? GoogleErrors.bareQuota() : GoogleErrors.quotaExceeded(model, admission);
        if (endpoint != Endpoint.OPENROUTER) {
            writer.json(exchange, 429, google);
            return;
        }
        long retryAfterSeconds = Math.max(1, (long) Math.ceil(admission.retryDelay().toNanos() / 1e9));
        ObjectNode body = answers.openRouterError(429, "google/" + model + " is temporarily rate-limited upstream. Please retry shortly,"
                + " or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations", google);
        ObjectNode metadata = (ObjectNode) body.get("error").get("metadata");
        metadata.put("retry_after_seconds", retryAfterSeconds);
        metadata.putObject("headers").put("Retry-After", Long.toString(retryAfterSeconds));
        exchange.getResponseHeaders().set("Retry-After", Long.toString(retryAfterSeconds));
        writer.json(exchange, 429, body);
    }

    /** Sends a Google error envelope, or its OpenRouter wrapping with the Google body as metadata.raw. */
    void sendError(HttpExchange exchange, Endpoint endpoint, ObjectNode googleError) throws IOException {
        int code = googleError.get("error").get("code").asInt();
        if (endpoint == Endpoint.OPENROUTER) {
            String message = code == 400 ? googleError.get("error").get("message").asText() : "Provider returned error";
            writer.json(exchange, code, answers.openRouterError(code, message, googleError));
        } else {
            writer.json(exchange, code, googleError);
        }
    }

    /** The calls so far, in the order they ended; the first {@value #CALLS_KEPT} only. */
    List<GenerateCall> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    void clearCalls() {
        synchronized (calls) {
            calls.clear();
        }
    }

    /** latency ± jitter, stretched by load when slowdown is on; a [sim:latency=MS] marker overrides all of it. */
    private long latencyMillis(String prompt) {
        OptionalLong marker = FaultPlan.latencyOverrideMillis(prompt);
        if (marker.isPresent()) {
            return marker.getAsLong();
        }
        long base = options.latencyMillis() + faults.jitterMillis(options.latencyJitterMillis());
        return loadedLatencyMillis(base, options.slowdownPerInFlight(), inFlight.getAsInt());
    }

    /** latency × (1 + factor × (in flight − 1)): one request alone gets the base latency; never negative. */
    static long loadedLatencyMillis(long baseMillis, double slowdownPerInFlight, int inFlight) {
        double load = 1 + slowdownPerInFlight * Math.max(0, inFlight - 1);
        return Math.max(0, Math.round(baseMillis * load));
    }

    /** Waits, returning false if the simulator stops meanwhile. */
    private boolean awaitStop(long millis) {
        if (millis <= 0) {
            return stopping.getCount() > 0;
        }
        try {
            return !stopping.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
