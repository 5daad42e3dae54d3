package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.quota.Admission;
import io.github.geminiimagebatch.quota.FailureKind;
import io.github.geminiimagebatch.quota.ProviderFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The providers in failover order, as one door: {@link #reserve} finds the first provider that can
 * take a request now and hands out a {@link Permit} for it; {@link #settle} is the one place where a
 * provider's answer changes its state (quota, breaker, usability).
 */
public final class ProviderGateway {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderGateway.class);
    private static final Duration SLOT_POLL = Duration.ofMillis(20);
    private static final Duration BREAKER_RECHECK = Duration.ofSeconds(1);

    private final List<ProviderRuntime> providers;
    private final Budget budget;
    private final Clock clock;
    private final CallEnds callEnds;

    public ProviderGateway(List<ProviderRuntime> providers, Budget budget, Clock clock) {
        this(providers, budget, clock, new CallEnds());
    }

    private ProviderGateway(List<ProviderRuntime> providers, Budget budget, Clock clock, CallEnds callEnds) {
        this.providers = List.copyOf(providers);
        this.budget = budget;
        this.clock = clock;
        this.callEnds = callEnds;
    }

    /** Rung whenever a call through this gateway (or one made with {@link #only}) gives back its slot. */
    public CallEnds callEnds() {
        return callEnds;
    }

    public List<ProviderRuntime> providers() {
        return providers;
    }

    public Optional<ProviderRuntime> provider(String name) {
        return providers.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * The same providers (same quota, breaker and usability) and budget, tried in {@code order}.
     *
     * @throws IllegalArgumentException naming a provider this gateway does not have
     */
    public ProviderGateway only(List<String> order) {
        List<ProviderRuntime> chosen = new ArrayList<>();
        for (String name : order) {
            chosen.add(provider(name).orElseThrow(() -> new IllegalArgumentException("The provider '" + name
                    + "' is not configured; the providers are " + providers.stream().map(ProviderRuntime::name).toList()
                    + ". Add it to imagegen.providers (with its imagegen.provider." + name + ".* settings).")));
        }
        return new ProviderGateway(chosen, budget, clock, callEnds);
    }

    /** Each provider's state at {@code now}, in failover order. */
    public List<ProviderState> state(Instant now) {
        return providers.stream().map(p -> p.state(now)).toList();
    }

    /**
     * Takes, from the first provider in failover order that can send {@code request} now, a slot, its
     * breaker's permission, a place in its quota and the price from the budget. A provider that is
     * pacing or full holds the request ({@link Reservation.Wait}) unless a later overflow provider,
     * or one after a provider that is failing, can take it at once.
     */
    public Reservation reserve(ImageRequest request) {
        return reserve(request, provider -> false);
    }

    /** As {@link #reserve(ImageRequest)}, passing over the providers {@code skipped} names (this item is not to go there again). */
    public Reservation reserve(ImageRequest request, Predicate<String> skipped) {
        return reserve(request, skipped, null);
    }

    /**
     * As {@link #reserve(ImageRequest, Predicate)}, with the provider named {@code tryLast} (the one
     * this item last met a server error on, or null) moved to the end of the failover order: the
     * retry goes elsewhere when another provider can take it, so one sick provider does not use up
     * the item's attempts.
     */
    public Reservation reserve(ImageRequest request, Predicate<String> skipped, String tryLast) {
        Instant now = clock.instant();
        List<String> closed = new ArrayList<>();
        Instant reopens = null;
        Instant wakeAt = null;
        boolean preferredWaiting = false;
        List<String> modelRefusals = new ArrayList<>();
        boolean authOnly = true;
        boolean breakerOnly = true;
        boolean allDown = true;
        for (ProviderRuntime p : inPreferenceOrder(tryLast)) {
            // a provider that refused the credentials gets one request (a probe) when one is due
            boolean probe = !p.usable();
            if (probe && !p.credentialProbeDue(now)) {
                closed.add(p.name() + ": " + p.unusableReason());
                breakerOnly = false;
                continue;
            }
            if (skipped.test(p.name())) {
                closed.add(p.name() + ": its batch job failed this item, which goes to the providers after it");
                authOnly = false;
                breakerOnly = false;
                continue;
            }
            String refusal = p.modelRefusal(request.model());
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
                // the providers after one whose probe is out take the work meanwhile
                preferredWaiting |= !p.failing() && !probe;
                continue;
            }
            if (!p.slots().tryAcquire()) {
                p.endCall(false);
                wakeAt = earlier(wakeAt, now.plus(SLOT_POLL));
                preferredWaiting |= !p.failing();
                continue;
            }
            double price = p.settings().priceFor(request.model(), request.imageSize());
            Budget.Decision spend = budget.reserve(price);
            if (spend.refused()) {
                p.slots().release();
                p.endCall(false);
                return new Reservation.Closed(spend.renewsAt() == null ? Instant.MAX : spend.renewsAt(),
                        Reservation.Cause.BUDGET, spend.message());
            }
            // Asked before the quota, so that a refused call never uses up a place in a window.
            if (!p.breaker().tryAcquirePermission()) {
                budget.release(price);
                p.slots().release();
                p.endCall(false);
                closed.add(p.name() + (p.staysDown() ? ": circuit open again, its calls let through failed too"
                        : ": circuit open after repeated server errors"));
                allDown &= p.staysDown();
                authOnly = false;
                reopens = earlier(reopens, now.plus(BREAKER_RECHECK));
                continue;
            }
            Admission admission = p.quota().tryAdmit(1);
            if (admission instanceof Admission.Granted granted) {
                return new Reservation.Granted(new Permit(p, budget, callEnds, granted.ticket(), price, request.model(), probe));
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
            closed.add(p.name() + ": " + c.reason() + (c.forever() ? "" : " until " + c.until()));
            if (!c.forever()) {
                reopens = earlier(reopens, c.until());
            }
        }
        if (wakeAt != null) {
            return new Reservation.Wait(wakeAt, "waiting for a provider to take the request");
        }
        if (!modelRefusals.isEmpty() && reopens == null) {
            return new Reservation.Closed(Instant.MAX, Reservation.Cause.MODEL, "no provider serves the model "
                    + request.model() + " (" + String.join("; ", modelRefusals) + ")");
        }
        Reservation.Cause cause = authOnly ? Reservation.Cause.AUTH
                : breakerOnly ? (allDown ? Reservation.Cause.DOWN : Reservation.Cause.CIRCUIT) : Reservation.Cause.QUOTA;
        return new Reservation.Closed(reopens == null ? Instant.MAX : reopens, cause,
                "no provider can serve now (" + String.join("; ", closed) + ")");
    }

    /** Records how the call under {@code permit} ended; the one place an answer changes a provider's state. */
    public void settle(Permit permit, CallOutcome outcome) {
        ProviderRuntime p = permit.runtime();
        if (outcome instanceof CallOutcome.Answered answered) {
            if (!permit.settle(true, answered.image())) {
                return;
            }
            credentialsAccepted(permit);
            p.answeredProperly();
            p.breaker().onSuccess(permit.elapsedMillis(), TimeUnit.MILLISECONDS);
            p.quota().onSuccess();
        } else if (outcome instanceof CallOutcome.Failed failed) {
            if (permit.settle(failed.answered(), false)) {
                failed(permit, failed.failure(), failed.answered());
            }
        } else if (permit.settle(false, false)) {
            p.breaker().releasePermission();
        }
    }

    /**
     * True while server errors hold the provider of {@code permit} to a reduced rate (down to probes):
     * asked before its own failure is settled, it says whether that failure is the provider's state
     * (it was already overloaded) rather than the item's.
     */
    public boolean overloaded(Permit permit) {
        return permit.runtime().quota().overloaded();
    }

    /**
     * Vertex AI answered 401 to the bearer token of this call. True: the credentials are loaded again
     * and the item may be sent again with a new token (the call is settled without judging the
     * provider). False: a fresh token was refused too; settle the call as an auth failure.
     */
    public boolean tokenRejected(Permit permit) {
        Integer generation = permit.credentialsGeneration();
        if (generation == null || permit.settled() || !permit.runtime().bearerTokenRejected(generation)) {
            return false;
        }
        permit.settle(true, false);
        permit.runtime().breaker().releasePermission();
        return true;
    }

    private void failed(Permit permit, ProviderFailure failure, boolean answered) {
        ProviderRuntime p = permit.runtime();
        if (answered && failure.kind() != FailureKind.AUTH) {
            // a 429, a 5xx or a rejected request comes after the credentials were checked
            credentialsAccepted(permit);
        }
        switch (failure.kind()) {
            case TRANSIENT -> p.breaker().onError(permit.elapsedMillis(), TimeUnit.MILLISECONDS,
                    new RuntimeException(failure.reasonClass()));
            default -> p.breaker().releasePermission();
        }
        switch (failure.kind()) {
            case THROTTLED -> p.quota().onThrottled(failure.throttle(), permit.ticket());
            case ZERO_QUOTA -> {
                p.quota().onThrottled(failure.throttle(), permit.ticket());
                String reason = "has no quota for this model (limit 0): " + failure.message()
                        + " Enable billing on the project or choose another model or provider.";
                if (p.markUnusable(reason)) {
                    LOG.error("Provider {} {}", p.name(), reason);
                }
            }
            case TRANSIENT -> {
                p.serverErrorHappened();
                p.quota().onTransientFailure();
            }
            case AUTH -> {
                if (p.credentialsRefused("credentials refused (" + failure.message() + ")", permit.credentialProbe())) {
                    Instant next = p.nextCredentialProbe();
                    Instant probe = next == null ? null : next.truncatedTo(ChronoUnit.SECONDS);
                    if (probe == null) {
                        LOG.error("Provider {} refused our credentials: {}. No more requests go to it; fix the key and run again.",
                                p.name(), failure.message());
                    } else if (!permit.credentialProbe()) {
                        LOG.error("Provider {} refused our credentials: {}. No more requests go to it but one at {} to try"
                                + " them again; fix the key (a key set in the environment is read at start: restart the service).",
                                p.name(), failure.message(), probe);
                    } else {
                        LOG.warn("Provider {} still refuses our credentials: {}. The next try is at {}.", p.name(),
                                failure.message(), probe);
                    }
                }
            }
            case MODEL_NOT_FOUND -> {
                // A wrong model id is the provider's answer for every item with this model, not this
                // item's fault: later items of that model skip the provider; this one tries the next.
                if (p.refuseModel(permit.model(), failure.message())) {
                    LOG.warn("Provider {} does not serve {} as {}: {}. Items with this model go to the other providers.",
                            p.name(), permit.model(), permit.wireModel(), failure.message());
                }
            }
            case INVALID_REQUEST -> {
                // the request's own fault: nothing to learn about the provider
            }
        }
    }

    /** Only a probe's answer reopens: a call sent before the refusal may still be answered after it. */
    private static void credentialsAccepted(Permit permit) {
        ProviderRuntime p = permit.runtime();
        if (permit.credentialProbe() && p.credentialsAccepted()) {
            LOG.info("Provider {} accepts our credentials again; requests go to it again.", p.name());
        }
    }

    private List<ProviderRuntime> inPreferenceOrder(String tryLast) {
        if (tryLast == null || providers.size() < 2) {
            return providers;
        }
        List<ProviderRuntime> ordered = new ArrayList<>(providers.size());
        providers.stream().filter(p -> !p.name().equals(tryLast)).forEach(ordered::add);
        providers.stream().filter(p -> p.name().equals(tryLast)).forEach(ordered::add);
        return ordered;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
