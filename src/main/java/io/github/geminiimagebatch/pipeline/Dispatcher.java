package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.provider.CallOutcome;
import io.github.geminiimagebatch.provider.CredentialsRefusedException;
import io.github.geminiimagebatch.provider.JobEndedException;
import io.github.geminiimagebatch.provider.Permit;
import io.github.geminiimagebatch.provider.ProviderGateway;
import io.github.geminiimagebatch.provider.Reservation;
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
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The item's side of each attempt. Called by the item route: {@code acquire} before the call (waits
 * until the {@link ProviderGateway} grants a permit, or leaves the item pending or failed when no
 * provider can serve it), {@code onResult} / {@code onFailure} after it (the gateway settles the
 * provider's side, this counts and settles the item), {@code release} in all cases.
 */
public final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int MAX_THROTTLES_PER_ITEM = 1000;

    private final RunState run;
    private final ProviderGateway gateway;
    private final int maxAttempts;
    private final boolean once;
    private final RetryBackoff retryBackoff = new RetryBackoff(new Random());

    public Dispatcher(RunState run, ProviderGateway gateway, int maxAttempts, boolean once) {
        this.run = run;
        this.gateway = gateway;
        this.maxAttempts = maxAttempts;
        this.once = once;
    }

    public void acquire(Exchange exchange) throws InterruptedException {
        WorkItem item = ItemExchange.item(exchange);
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
            // after a server error of its own the item waits out its backoff; the others go on
            if (item.getRetryNotBefore() != null && run.clock().instant().isBefore(item.getRetryNotBefore())) {
                sleepUntil(item.getRetryNotBefore());
                continue;
            }
            // and its retry goes to another provider when one can take it, the one it failed on last
            long callsEnded = gateway.callEnds().count();
            Reservation reservation = gateway.reserve(item.getRequest(), item::skips, item.getLastServerErrorProvider());
            if (reservation instanceof Reservation.Granted granted) {
                Permit permit = granted.permit();
                ItemExchange.permit(exchange, permit);
                item.dispatchTo(permit.provider(), permit.providerType(), permit.wireModel());
                item.getBatch().countCall(permit.provider(), 0);
                run.listener().called(permit.provider());
                return;
            }
            if (reservation instanceof Reservation.Wait wait) {
                // a slot freed by a call that ends meanwhile is taken at once, not at the next poll
                gateway.callEnds().await(callsEnded, pollFor(wait.until()));
                continue;
            }
            Reservation.Closed closed = (Reservation.Closed) reservation;
            if (closed.cause() == Reservation.Cause.MODEL) {
                settle(item, WorkItem.Status.FAILED, closed.cause().reasonClass(), closed.reason());
                return;
            }
            // An open circuit is a matter of seconds, not a quota reset: even --once waits for it, unless
            // it opened again after its half-open calls failed (DOWN): then --once leaves the work
            // pending for the next run; a service also waits for that, a per-day quota or the budget.
            if (closed.forever() || (once && closed.cause() != Reservation.Cause.CIRCUIT)) {
                leavePending(item, closed.cause().reasonClass(), closed.reason(), closed.cause() == Reservation.Cause.AUTH);
                return;
            }
            sleepUntil(closed.until());
        }
    }

    /**
     * The quota counts the request from the moment it leaves, as the server does. Kept for provider
     * templates written for earlier versions: the provider-calls route configuration now does this
     * (through {@link ProviderCalls#sending}) just before every HTTP call.
     */
    public void sending(Exchange exchange) {
        Permit permit = ItemExchange.permit(exchange);
        if (permit != null) {
            permit.sending();
        }
    }

    public void onResult(Exchange exchange) {
        WorkItem item = ItemExchange.item(exchange);
        Permit permit = ItemExchange.permit(exchange);
        item.callEnded();
        DecodedResponse decoded = exchange.getMessage().getBody(DecodedResponse.class);
        switch (decoded.outcome()) {
            case IMAGE -> {
                gateway.settle(permit, new CallOutcome.Answered(true));
                item.getBatch().countCall(permit.provider(), 1);
                item.resultArrived(decoded, permit.reservedUsd());
            }
            case BLOCKED, NO_IMAGE -> {
                gateway.settle(permit, new CallOutcome.Answered(false));
                settle(item, WorkItem.Status.FAILED, decoded.reasonClass(), describeBlock(decoded));
            }
            case ERROR_IN_BODY -> handle(item, permit, FailureClassifier.classify(
                    decoded.errorCode() == null ? 500 : decoded.errorCode(), decoded.errorBody(), h -> null,
                    run.clock().instant()), true);
        }
    }

    public void onFailure(Exchange exchange) {
        WorkItem item = ItemExchange.item(exchange);
        Permit permit = ItemExchange.permit(exchange);
        item.callEnded();
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error instanceof HttpOperationFailedException http && http.getStatusCode() == 401
                && gateway.tokenRejected(permit)) {
            LOG.info("{}: Vertex AI provider {} refused the access token (HTTP 401); loading the credentials again"
                    + " for a new token and sending the item again", item, permit.provider());
            item.getBatch().countRetry();
            return;
        }
        if (error instanceof JobEndedException ended) {
            // a batch job that ended without results charged nothing: the item waits for the next run
            gateway.settle(permit, new CallOutcome.OnOurSide());
            LOG.warn("{}: {}", item, ended.getMessage());
            leavePending(item, ended.reasonClass(), ended.getMessage(), false);
        } else if (error instanceof OutputUnavailableException local) {
            gateway.settle(permit, new CallOutcome.OnOurSide());
            item.getBatch().countCall(permit.provider(), 3);
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
            handle(item, permit, FailureClassifier.classify(http.getStatusCode(), http.getResponseBody(), headers::get,
                    run.clock().instant()), true);
        } else if (error instanceof CredentialsRefusedException refused) {
            handle(item, permit, new ProviderFailure(FailureKind.AUTH, null, "auth",
                    "the token endpoint refused the credentials (HTTP " + refused.status() + "): "
                            + Secrets.redact(String.valueOf(refused.getMessage()))), false);
        } else {
            String what = error == null ? "unknown error" : error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + Secrets.redact(error.getMessage()));
            handle(item, permit, new ProviderFailure(FailureKind.TRANSIENT, null, "server_error", what), false);
        }
    }

    /** Gives back what the attempt held (slot, quota ticket, reserved money); the next turn chooses again. */
    public void release(Exchange exchange) {
        Permit permit = ItemExchange.removePermit(exchange);
        if (permit != null) {
            permit.close();
        }
        ItemExchange.item(exchange).undispatch();
    }

    private void handle(WorkItem item, Permit permit, ProviderFailure failure, boolean answered) {
        // a server error met while the provider was already overloaded (a probe's, or one of the wave
        // that made it so) is the provider's state, like a 429: it does not use up the item's attempts
        boolean providerOverloaded = gateway.overloaded(permit);
        gateway.settle(permit, new CallOutcome.Failed(failure, answered));
        String provider = permit.provider();
        switch (failure.kind()) {
            case THROTTLED -> {
                item.countThrottle();
                item.getBatch().countThrottle(failure.throttle().kind());
                item.getBatch().countCall(provider, 2);
                item.getBatch().countRetry();
                run.listener().throttled(provider, failure.throttle().kind().name().toLowerCase(java.util.Locale.ROOT));
                run.listener().retried(provider);
                LOG.info("{} got 429 from {}: {}", item, provider, failure.message());
                if (item.getThrottles() >= MAX_THROTTLES_PER_ITEM) {
                    settle(item, WorkItem.Status.FAILED, "retries_exhausted",
                            "throttled " + item.getThrottles() + " times; last: " + failure.message());
                }
            }
            case ZERO_QUOTA -> {
                item.getBatch().countThrottle(failure.throttle().kind());
                run.listener().throttled(provider, "zero_quota");
            }
            case TRANSIENT -> {
                item.countTransientFailure(providerOverloaded);
                item.getBatch().countCall(provider, 3);
                // those while overloaded count too, three times over, so a provider that never recovers
                // still ends the item rather than probing with it for ever
                if (item.getFailuresOfItsOwn() >= maxAttempts || item.getTransientFailures() >= 3 * maxAttempts) {
                    int whileOverloaded = item.getTransientFailures() - item.getFailuresOfItsOwn();
                    settle(item, WorkItem.Status.FAILED, "retries_exhausted", "gave up after " + item.getFailuresOfItsOwn()
                            + " failed attempts" + (whileOverloaded > 0 ? " (and " + whileOverloaded
                            + " more while the provider was overloaded)" : "") + "; last: " + failure.message());
                } else {
                    item.serverErrorOn(provider, run.clock().instant().plus(retryBackoff.after(item.getTransientFailures())));
                    item.getBatch().countRetry();
                    run.listener().retried(provider);
                    LOG.info("{} attempt {} on {} failed ({}); retrying", item, item.getAttempts(), provider,
                            failure.message());
                }
            }
            case AUTH, MODEL_NOT_FOUND -> item.getBatch().countCall(provider, 3);
            case INVALID_REQUEST -> {
                item.getBatch().countCall(provider, 3);
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

    private void sleepUntil(Instant until) throws InterruptedException {
        Duration wait = pollFor(until);
        if (!wait.isNegative() && !wait.isZero()) {
            Thread.sleep(wait.toMillis(), (int) (wait.toNanosPart() % 1_000_000));
        }
    }

    /** Until {@code until}, at most {@link #POLL}, so a stop or an output problem is noticed soon. */
    private Duration pollFor(Instant until) {
        Duration wait = Duration.between(run.clock().instant(), until);
        return wait.compareTo(POLL) > 0 ? POLL : wait;
    }
}
