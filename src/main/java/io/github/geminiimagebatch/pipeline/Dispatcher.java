package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.provider.CredentialsRefusedException;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.quota.Admission;
import io.github.geminiimagebatch.quota.FailureClassifier;
import io.github.geminiimagebatch.quota.FailureKind;
import io.github.geminiimagebatch.quota.ProviderFailure;
import io.github.geminiimagebatch.quota.RetryBackoff;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Chooses the provider for each attempt and acts on what came back. Called by the item route:
 * {@code acquire} before the call (waits for a provider whose quota admits the request, in failover
 * order), {@code onResult} / {@code onFailure} after it, {@code release} in all cases.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration SLOT_POLL = Duration.ofMillis(20);
    private static final int MAX_THROTTLES_PER_ITEM = 1000;
    private static final Duration BREAKER_RECHECK = Duration.ofSeconds(1);
    /** Exchange property: the provider answered this call over HTTP (whatever the answer). */
    private static final String ANSWERED = "providerAnswered";
    /** Exchange property: the quota ticket of the request in flight, for {@link #sending}. */
    private static final String TICKET = "admissionTicket";

    private final RunState run;
    private final Budget budget;
    private final int maxAttempts;
    private final boolean once;
    private final RetryBackoff retryBackoff = new RetryBackoff(new Random());

    public Dispatcher(RunState run, Budget budget, int maxAttempts, boolean once) {
        this.run = run;
        this.budget = budget;
        this.maxAttempts = maxAttempts;
        this.once = once;
    }

    public void acquire(Exchange exchange) throws InterruptedException {
        WorkItem item = item(exchange);
        scan:
        while (true) {
            if (run.stopping()) {
                leavePending(item, "stopped", "the run was stopped before this item was sent; it is sent next time", false);
                return;
            }
            if (run.outputProblem() != null) {
                settle(item, WorkItem.Status.PENDING, "output_error", "not sent because outputs cannot be written ("
                        + run.outputProblem() + "); it is sent next time");
                return;
            }
            Instant now = run.clock().instant();
            // after a server error of its own the item waits out its backoff; the others go on
            if (item.getRetryNotBefore() != null && now.isBefore(item.getRetryNotBefore())) {
                sleepUntil(item.getRetryNotBefore());
                continue;
            }
            List<String> closed = new ArrayList<>();
            Instant reopens = null;
            // A usable provider that will take work soon: a healthy one that is pacing or full (the
            // item waits for it unless a later overflow provider takes it now), or a failing one
            // that was passed over in favour of the providers after it.
            Instant wakeAt = null;
            boolean preferredWaiting = false;
            List<String> modelRefusals = new ArrayList<>();
            boolean authOnly = true;
            boolean breakerOnly = true;
            for (ProviderRuntime p : inPreferenceOrder(item)) {
                if (!p.usable()) {
                    closed.add(p.name() + ": " + p.unusableReason());
                    breakerOnly = false;
                    continue;
                }
                String refusal = p.modelRefusal(item.getRequest().model());
                if (refusal != null) {
                    modelRefusals.add(p.name() + ": " + refusal);
                    continue;
                }
                if (preferredWaiting && !p.settings().overflow()) {
                    continue;
                }
                // until a provider has answered once, its first call goes alone (see ProviderRuntime.startCall)
                if (!p.startCall()) {
                    wakeAt = earlier(wakeAt, now.plus(SLOT_POLL));
                    preferredWaiting |= !p.failing();
                    continue;
                }
                if (!p.slots().tryAcquire()) {
                    p.endCall(false);
                    wakeAt = earlier(wakeAt, now.plus(SLOT_POLL));
                    preferredWaiting |= !p.failing();
                    continue;
                }
                double price = p.settings().priceFor(item.getRequest().model(), item.getRequest().imageSize());
                Budget.Decision spend = budget.reserve(price);
                if (spend.refused()) {
                    p.slots().release();
                    p.endCall(false);
                    if (once || spend.renewsAt() == null) {
                        leavePending(item, "budget", spend.message(), false);
                        return;
                    }
                    // a service waits for the daily budget to renew, as it waits for a per-day quota
                    sleepUntil(spend.renewsAt());
                    continue scan;
                }
                // Asked before the quota, so that a refused call never uses up a place in a window.
                if (!p.breaker().tryAcquirePermission()) {
                    budget.release(price);
                    p.slots().release();
                    p.endCall(false);
                    closed.add(p.name() + ": circuit open after repeated server errors");
                    authOnly = false;
                    Instant retryAt = now.plus(BREAKER_RECHECK);
                    reopens = reopens == null || retryAt.isBefore(reopens) ? retryAt : reopens;
                    continue;
                }
                Admission admission = p.quota().tryAdmit(1);
                if (admission instanceof Admission.Granted granted) {
                    p.inFlightCounter().incrementAndGet();
                    exchange.setProperty(TICKET, granted.ticket());
                    exchange.setProperty("reservedUsd", price);
                    item.dispatchTo(p.name(), p.settings().type().id(), p.settings().wireModel(item.getRequest().model()));
                    item.getBatch().countCall(p.name(), 0);
                    run.listener().called(p.name());
                    return;
                }
                p.breaker().releasePermission();
                budget.release(price);
                p.slots().release();
                p.endCall(false);
                if (admission instanceof Admission.Wait wait) {
                    wakeAt = earlier(wakeAt, wait.until());
                    preferredWaiting |= !p.failing();
                    continue;
                }
                Admission.Closed c = (Admission.Closed) admission;
                authOnly = false;
                breakerOnly = false;
                closed.add(p.name() + ": " + c.reason() + (c.until().equals(Instant.MAX) ? "" : " until " + c.until()));
                if (!c.until().equals(Instant.MAX)) {
                    reopens = reopens == null || c.until().isBefore(reopens) ? c.until() : reopens;
                }
            }
            if (wakeAt != null) {
                sleepUntil(wakeAt);
                continue;
            }
            if (!modelRefusals.isEmpty() && reopens == null) {
                settle(item, WorkItem.Status.FAILED, "model_not_found", "no provider serves the model "
                        + item.getRequest().model() + " (" + String.join("; ", modelRefusals) + ")");
                return;
            }
            String why = String.join("; ", closed);
            // An open circuit is a matter of seconds, not a quota reset: even --once waits for it.
            if ((once && !breakerOnly) || reopens == null) {
                leavePending(item, authOnly ? "auth" : "quota", "no provider can serve now (" + why + ")", authOnly);
                return;
            }
            sleepUntil(reopens);
        }
    }

    /** Called by the provider routes just before the HTTP call: the quota counts the request from now on. */
    public void sending(Exchange exchange) {
        ProviderRuntime p = provider(item(exchange));
        Long ticket = exchange.getProperty(TICKET, Long.class);
        if (p != null && ticket != null) {
            p.quota().countFromNow(ticket);
        }
    }

    private static void answered(Exchange exchange) {
        exchange.setProperty(ANSWERED, true);
    }

    public void onResult(Exchange exchange) {
        WorkItem item = item(exchange);
        ProviderRuntime p = provider(item);
        item.callEnded();
        answered(exchange);
        DecodedResponse decoded = exchange.getMessage().getBody(DecodedResponse.class);
        switch (decoded.outcome()) {
            case IMAGE -> {
                p.answeredProperly();
                p.breaker().onSuccess(item.getLatencyMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                p.quota().onSuccess();
                item.getBatch().countCall(p.name(), 1);
                item.resultArrived(decoded, exchange.getProperty("reservedUsd", 0.0, Double.class));
            }
            case BLOCKED, NO_IMAGE -> {
                p.answeredProperly();
                p.breaker().onSuccess(item.getLatencyMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                p.quota().onSuccess();
                settle(item, WorkItem.Status.FAILED, decoded.reasonClass(),
                        describeBlock(decoded));
            }
            case ERROR_IN_BODY -> handle(item, p, FailureClassifier.classify(
                    decoded.errorCode() == null ? 500 : decoded.errorCode(), decoded.errorBody(), h -> null,
                    run.clock().instant()));
        }
    }

    public void onFailure(Exchange exchange) {
        WorkItem item = item(exchange);
        ProviderRuntime p = provider(item);
        item.callEnded();
        if (exchange.getProperty(Exchange.EXCEPTION_CAUGHT) instanceof HttpOperationFailedException) {
            answered(exchange);
        }
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Integer generation = exchange.getProperty(ProviderCalls.CREDENTIALS_GENERATION, Integer.class);
        if (error instanceof HttpOperationFailedException http && http.getStatusCode() == 401 && generation != null
                && p.bearerTokenRejected(generation)) {
            LOG.info("{}: Vertex AI provider {} refused the access token (HTTP 401); loading the credentials again"
                    + " for a new token and sending the item again", item, p.name());
            p.breaker().releasePermission();
            item.getBatch().countRetry();
            return;
        }
        if (error instanceof OutputUnavailableException local) {
            p.breaker().releasePermission();
            item.getBatch().countCall(p.name(), 3);
            LOG.error("{}: {}. The item stays pending; no further requests are sent in this run."
                    + " Free disk space or fix the outbox folder, then run again.", item, local.getMessage());
            settle(item, WorkItem.Status.PENDING, "output_error", local.getMessage()
                    + "; the item is generated again next time");
            run.outputsFailed(local.getMessage());
        } else if (error instanceof HttpOperationFailedException http) {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            if (http.getResponseHeaders() != null) {
                headers.putAll(http.getResponseHeaders());
            }
            handle(item, p, FailureClassifier.classify(http.getStatusCode(), http.getResponseBody(), headers::get,
                    run.clock().instant()));
        } else if (error instanceof CredentialsRefusedException refused) {
            handle(item, p, new ProviderFailure(FailureKind.AUTH, null, "auth",
                    "the token endpoint refused the credentials (HTTP " + refused.status() + "): "
                            + Secrets.redact(String.valueOf(refused.getMessage()))));
        } else {
            String what = error == null ? "unknown error" : error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + Secrets.redact(error.getMessage()));
            handle(item, p, new ProviderFailure(FailureKind.TRANSIENT, null, "server_error", what));
        }
    }

    public void release(Exchange exchange) {
        WorkItem item = item(exchange);
        ProviderRuntime p = provider(item);
        if (p != null && item.holdsSlot()) {
            p.slots().release();
            p.inFlightCounter().decrementAndGet();
            Long ticket = exchange.getProperty(TICKET, Long.class);
            // The first call of a cold process can reach the server long after it left; all we
            // know is that it arrived before its answer, so its window is counted from there.
            if (p.endCall(Boolean.TRUE.equals(exchange.getProperty(ANSWERED, Boolean.class))) && ticket != null) {
                p.quota().countFromNow(ticket);
            }
        }
        exchange.removeProperty(ProviderCalls.CREDENTIALS_GENERATION);
        exchange.removeProperty(TICKET);
        exchange.removeProperty(ANSWERED);
        Double reserved = exchange.getProperty("reservedUsd", Double.class);
        if (reserved != null) {
            budget.settle(reserved, item.getResult() != null && item.getResult().outcome()
                    == io.github.geminiimagebatch.gemini.Outcome.IMAGE ? reserved : 0.0);
            exchange.removeProperty("reservedUsd");
        }
        item.undispatch();
    }

    private void handle(WorkItem item, ProviderRuntime p, ProviderFailure failure) {
        FailureKind kind = failure.kind();
        if (kind == FailureKind.TRANSIENT) {
            p.breaker().onError(item.getLatencyMillis(), java.util.concurrent.TimeUnit.MILLISECONDS,
                    new RuntimeException(failure.reasonClass()));
        } else {
            p.breaker().releasePermission();
        }
        switch (kind) {
            case THROTTLED -> {
                p.quota().onThrottled(failure.throttle());
                item.countThrottle();
                item.getBatch().countThrottle(failure.throttle().kind());
                item.getBatch().countCall(p.name(), 2);
                item.getBatch().countRetry();
                run.listener().throttled(p.name(), failure.throttle().kind().name().toLowerCase(java.util.Locale.ROOT));
                run.listener().retried(p.name());
                LOG.info("{} got 429 from {}: {}", item, p.name(), failure.message());
                if (item.getThrottles() >= MAX_THROTTLES_PER_ITEM) {
                    settle(item, WorkItem.Status.FAILED, "retries_exhausted",
                            "throttled " + item.getThrottles() + " times; last: " + failure.message());
                }
            }
            case ZERO_QUOTA -> {
                item.getBatch().countThrottle(failure.throttle().kind());
                run.listener().throttled(p.name(), "zero_quota");
                p.quota().onThrottled(failure.throttle());
                String reason = "has no quota for this model (limit 0): " + failure.message()
                        + " Enable billing on the project or choose another model or provider.";
                if (p.markUnusable(reason)) {
                    LOG.error("Provider {} {}", p.name(), reason);
                }
            }
            case TRANSIENT -> {
                p.serverErrorHappened();
                p.quota().onTransientFailure();
                item.countTransientFailure();
                item.getBatch().countCall(p.name(), 3);
                if (item.getTransientFailures() >= maxAttempts) {
                    settle(item, WorkItem.Status.FAILED, "retries_exhausted", "gave up after " + item.getTransientFailures()
                            + " failed attempts; last: " + failure.message());
                } else {
                    item.serverErrorOn(p.name(), run.clock().instant().plus(retryBackoff.after(item.getTransientFailures())));
                    item.getBatch().countRetry();
                    run.listener().retried(p.name());
                    LOG.info("{} attempt {} on {} failed ({}); retrying", item, item.getAttempts(), p.name(),
                            failure.message());
                }
            }
            case AUTH -> {
                item.getBatch().countCall(p.name(), 3);
                if (p.markUnusable("credentials refused (" + failure.message() + ")")) {
                    LOG.error("Provider {} refused our credentials: {}. No more requests go to it; fix the key and run again.",
                            p.name(), failure.message());
                }
            }
            case MODEL_NOT_FOUND -> {
                // A wrong model id is the provider's answer for every item with this model, not this
                // item's fault: later items of that model skip the provider; this one tries the next.
                item.getBatch().countCall(p.name(), 3);
                if (p.refuseModel(item.getRequest().model(), failure.message())) {
                    LOG.warn("Provider {} does not serve {} as {}: {}. Items with this model go to the other providers.",
                            p.name(), item.getRequest().model(), item.getWireModel(), failure.message());
                }
            }
            case INVALID_REQUEST -> {
                item.getBatch().countCall(p.name(), 3);
                settle(item, WorkItem.Status.FAILED, failure.reasonClass(), failure.message());
            }
        }
    }

    private void leavePending(WorkItem item, String reasonClass, String message, boolean auth) {
        settle(item, WorkItem.Status.PENDING, reasonClass, message);
        run.pending(reasonClass, message, auth);
    }

    private void settle(WorkItem item, WorkItem.Status status, String reason, String message) {
        item.settle(status, reason, message == null ? null : Secrets.redact(message), run.clock().instant());
    }

    private static String describeBlock(DecodedResponse decoded) {
        StringBuilder text = new StringBuilder();
        text.append(decoded.outcome() == io.github.geminiimagebatch.gemini.Outcome.BLOCKED ? "blocked" : "no image returned");
        if (decoded.finishReason() != null) {
            text.append(" (").append(decoded.finishReason()).append(')');
        }
        if (decoded.message() != null && !decoded.message().isBlank()) {
            text.append(": ").append(decoded.message());
        }
        return text.toString();
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private void sleepUntil(Instant until) throws InterruptedException {
        Duration wait = Duration.between(run.clock().instant(), until);
        if (wait.compareTo(POLL) > 0) {
            wait = POLL;
        }
        if (!wait.isNegative() && !wait.isZero()) {
            Thread.sleep(wait.toMillis(), (int) (wait.toNanosPart() % 1_000_000));
        }
    }

    /**
     * The failover order, except that the provider this item last met a server error on comes last:
     * its retry goes elsewhere when another provider can take it, so one sick provider does not
     * use up the item's attempts.
     */
    private List<ProviderRuntime> inPreferenceOrder(WorkItem item) {
        List<ProviderRuntime> providers = run.providers();
        String failedOn = item.getLastServerErrorProvider();
        if (failedOn == null || providers.size() < 2) {
            return providers;
        }
        List<ProviderRuntime> ordered = new ArrayList<>(providers.size());
        providers.stream().filter(p -> !p.name().equals(failedOn)).forEach(ordered::add);
        providers.stream().filter(p -> p.name().equals(failedOn)).forEach(ordered::add);
        return ordered;
    }

    private ProviderRuntime provider(WorkItem item) {
        for (ProviderRuntime p : run.providers()) {
            if (p.name().equals(item.getProvider())) {
                return p;
            }
        }
        return null;
    }

    private static WorkItem item(Exchange exchange) {
        return exchange.getProperty("item", WorkItem.class);
    }
}
