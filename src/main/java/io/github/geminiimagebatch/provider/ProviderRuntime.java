package io.github.geminiimagebatch.provider;

import com.google.api.client.http.HttpResponseException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.gemini.VertexCredentials;
import io.github.geminiimagebatch.quota.ProviderQuota;
import io.github.geminiimagebatch.quota.QuotaSettings;
import io.github.geminiimagebatch.quota.SharedQuota;
import io.github.geminiimagebatch.quota.QuotaSnapshot;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A configured provider at run time: its quota, its concurrency slots, its circuit breaker (which
 * counts only server-side failures: 5xx, resets, timeouts), and whether it is usable at all.
 */
public final class ProviderRuntime {

    /** At most one forced reload of the Vertex credentials per this long: a second 401 soon after means bad credentials. */
    static final Duration FORCED_RELOAD_SPACING = Duration.ofMinutes(5);
    /** How long the circuit stays open before it lets a few calls through again. */
    static final Duration CIRCUIT_OPEN_WAIT = Duration.ofSeconds(30);

    static final Duration BREAKER_WINDOW = Duration.ofMinutes(1);
    static final int BREAKER_MIN_CALLS = 30;
    static final float BREAKER_FAILURE_PERCENT = 80;

    private final ProviderSettings settings;
    private final ProviderQuota quota;
    private final Semaphore slots;
    private final CircuitBreaker breaker;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger serverErrorsInARow = new AtomicInteger();
    /** Times the circuit opened since the provider last answered properly. */
    private final AtomicInteger circuitOpenings = new AtomicInteger();
    private final Map<String, String> refusedModels = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean answeredOnce;
    private volatile String unusableReason;
    /** True while unusable because the credentials were refused (then probes may reopen it). */
    private volatile boolean credentialsRefused;
    private final CredentialProbes credentialProbes;
    private volatile VertexCredentials vertexCredentials;
    private volatile Instant circuitHalfOpensAt;
    private final Clock clock;
    /** Counts forced reloads of the Vertex credentials; guarded by this. */
    private int credentialsGeneration;
    private Instant lastForcedReload;

    public ProviderRuntime(ProviderSettings settings, ZoneId resetZone, Clock clock) {
        this(settings, resetZone, clock, SharedQuota.NOT_SHARED, "");
    }

    /**
     * @param shared       where the quota state shared with other instances lives
     * @param countedModel the model the provider's quota is counted for (Google counts per model)
     */
    public ProviderRuntime(ProviderSettings settings, ZoneId resetZone, Clock clock, SharedQuota.Source shared,
                           String countedModel) {
        this.settings = settings;
        this.clock = clock;
        this.credentialProbes = new CredentialProbes(clock);
        QuotaSettings defaults = QuotaSettings.unlimited();
        // The Batch API has a quota of its own: the interactive limits do not pace a batch-mode provider.
        QuotaSettings quotaSettings = new QuotaSettings(settings.batchMode() ? List.of() : settings.requestLimits(),
                settings.batchMode() ? List.of() : settings.imageLimits(), resetZone, defaults.windowMargin());
        SharedQuota sharedQuota = shared.open(settings.name(), countedModel, quotaSettings);
        this.quota = new ProviderQuota(settings.name(), quotaSettings, clock, new Random(), sharedQuota);
        this.slots = new Semaphore(settings.maxConcurrency(), true);
        // Batch API items are gathered into jobs: the first must not go alone until the first job has ended.
        this.answeredOnce = settings.batchMode();
        this.breaker = CircuitBreaker.of(settings.name(), CircuitBreakerConfig.custom()
                // Sustained failure only: sporadic errors cost their items a retry and an overload is
                // slowed to probes by the quota (OverloadGuard); the circuit opens when, over a whole
                // minute of at least BREAKER_MIN_CALLS calls, 4 in 5 failed.
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize((int) BREAKER_WINDOW.toSeconds())
                .minimumNumberOfCalls(BREAKER_MIN_CALLS)
                .failureRateThreshold(BREAKER_FAILURE_PERCENT)
                .waitDurationInOpenState(CIRCUIT_OPEN_WAIT)
                .permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .clock(clock)
                .build());
        breaker.getEventPublisher().onStateTransition(event -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                circuitOpenings.incrementAndGet();
                circuitHalfOpensAt = clock.instant().plus(CIRCUIT_OPEN_WAIT);
                // the other instances on the shared quota hold off too while this circuit is open (as a pause)
                sharedQuota.paused(circuitHalfOpensAt, "circuit open on " + settings.name() + " after repeated server errors");
            }
        });
    }

    /** Whether this provider takes requests at {@code now}, and if not, why and until when. */
    public ProviderState state(Instant now) {
        if (!usable()) {
            Instant probe = credentialsRefused ? credentialProbes.nextProbe() : null;
            return new ProviderState(name(), ProviderState.Kind.UNUSABLE, probe == null ? Instant.MAX : probe,
                    unusableReason);
        }
        if (breaker.getState() == CircuitBreaker.State.OPEN) {
            Instant halfOpens = circuitHalfOpensAt;
            return new ProviderState(name(), ProviderState.Kind.CIRCUIT_OPEN,
                    halfOpens != null && halfOpens.isAfter(now) ? halfOpens : now.plus(CIRCUIT_OPEN_WAIT),
                    "circuit open after repeated server errors");
        }
        QuotaSnapshot q = quota.snapshot();
        if (q.closedUntil() != null && q.closedUntil().isAfter(now)) {
            return new ProviderState(name(), ProviderState.Kind.CLOSED, q.closedUntil(), q.reason());
        }
        if (q.pausedUntil() != null && q.pausedUntil().isAfter(now)) {
            return new ProviderState(name(), ProviderState.Kind.PAUSED, q.pausedUntil(), q.reason());
        }
        return ProviderState.open(name());
    }

    public String name() {
        return settings.name();
    }

    public ProviderSettings settings() {
        return settings;
    }

    public ProviderQuota quota() {
        return quota;
    }

    public Semaphore slots() {
        return slots;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * Whether a call may start now. Until the provider has answered once, one call at a time: the
     * first requests of a cold process (class loading, first connection) reach the server up to a
     * second after they were sent, which would make the next window open early on our side; and a
     * refused key or a used-up day then costs one request, not a burst. While the credentials are
     * refused, only a due probe may start (one at a time). Pair with {@link #endCall}.
     */
    public boolean startCall() {
        if (credentialsRefused) {
            if (!credentialProbes.due(clock.instant()) || !probing.compareAndSet(false, true)) {
                return false;
            }
            // a replaced service-account file is read again for the probe
            reloadCredentials();
            return true;
        }
        return answeredOnce || probing.compareAndSet(false, true);
    }

    /**
     * A call started with {@link #startCall} ended, or was not made; {@code answered}: the provider
     * answered over HTTP. Returns true for the provider's first answer ever.
     */
    public boolean endCall(boolean answered) {
        boolean first = answered && !answeredOnce;
        if (answered) {
            answeredOnce = true;
        }
        probing.set(false);
        return first;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public AtomicInteger inFlightCounter() {
        return inFlight;
    }

    /** Counts a server-side failure (5xx, reset, timeout) of a call to this provider. */
    public void serverErrorHappened() {
        serverErrorsInARow.incrementAndGet();
    }

    /** A call was answered properly (an image, or a block the model decided on): the provider is healthy again. */
    public void answeredProperly() {
        serverErrorsInARow.set(0);
        circuitOpenings.set(0);
    }

    /**
     * True when the circuit opened again after the calls let through half-open failed too: the provider
     * has answered nothing but server errors for a minute or more, which is not a blip to sit out.
     */
    public boolean staysDown() {
        return circuitOpenings.get() >= 2;
    }

    /**
     * True after a server error until the next proper answer. While failing, work does not queue
     * behind this provider: it goes to the next one in failover order that can take it now.
     */
    public boolean failing() {
        return serverErrorsInARow.get() > 0;
    }

    /**
     * The provider answered 404 for this (item) model: it does not serve it under the id we send.
     * Items asking for it go to other providers. True for the call that recorded it first.
     */
    public boolean refuseModel(String model, String why) {
        return refusedModels.putIfAbsent(model, why) == null;
    }

    /** Why this provider does not serve {@code model}, or null when it may. */
    public String modelRefusal(String model) {
        return refusedModels.get(model);
    }

    public String unusableReason() {
        return unusableReason;
    }

    public boolean usable() {
        return unusableReason == null;
    }

    /** Stops all further requests to this provider; true for the call that did it (so only one caller reports it). */
    public synchronized boolean markUnusable(String reason) {
        if (unusableReason != null) {
            return false;
        }
        unusableReason = reason;
        return true;
    }

    /**
     * In a service, a provider that refused the credentials is tried again with one request (a probe)
     * after {@code delayAfter.apply(n)} following its n-th refusal in a row, instead of never.
     */
    public void probeRefusedCredentials(IntFunction<Duration> delayAfter) {
        credentialProbes.schedule(delayAfter);
    }

    /**
     * The provider refused our credentials: no requests go to it but a probe when one is due (see
     * {@link #probeRefusedCredentials}). {@code probe}: the refused call was such a probe.
     *
     * @return true when this refusal is news to report (the first one, or a refused probe)
     */
    public synchronized boolean credentialsRefused(String reason, boolean probe) {
        if (unusableReason != null && !(credentialsRefused && probe)) {
            return false;
        }
        unusableReason = reason;
        credentialsRefused = true;
        credentialProbes.refused(probe);
        return true;
    }

    /** When one request tries the refused credentials again; null when the provider is not waiting for that. */
    public Instant nextCredentialProbe() {
        return credentialsRefused ? credentialProbes.nextProbe() : null;
    }

    /** Whether a provider that refused the credentials may be sent a probe at {@code now}. */
    public boolean credentialProbeDue(Instant now) {
        return credentialsRefused && credentialProbes.due(now);
    }

    /**
     * The provider answered a call without refusing the credentials: if it had refused them, it is usable
     * again. True when it was reopened by this answer.
     */
    public synchronized boolean credentialsAccepted() {
        if (!credentialsRefused) {
            return false;
        }
        credentialsRefused = false;
        unusableReason = null;
        credentialProbes.accepted();
        return true;
    }

    private synchronized void reloadCredentials() {
        if (settings.type() == ProviderType.VERTEX) {
            credentialsGeneration++;
            vertexCredentials = null;
        }
    }

    /** OAuth2 bearer token for Vertex AI; the credentials are loaded on first use and refreshed by Google's library. */
    public String bearerToken() throws IOException {
        VertexCredentials credentials = vertexCredentials();
        try {
            return credentials.bearerToken();
        } catch (IOException e) {
            Integer status = tokenEndpointStatus(e);
            if (status != null && status >= 400 && status < 500 && status != 408 && status != 429) {
                throw new CredentialsRefusedException(e.getMessage(), status, e);
            }
            throw e;
        }
    }

    /** Which load of the Vertex credentials a token comes from; read it before {@link #bearerToken()}. */
    public synchronized int credentialsGeneration() {
        return credentialsGeneration;
    }

    /**
     * Vertex answered 401 to a bearer token from credentials generation {@code used}. A token can be
     * revoked or go stale before the expiry the library tracks; one fresh load of the credentials (a
     * new token) is worth a try. True: send the item again (the next call gets a new token). False:
     * a token fetched after a 401 a short while ago was refused too, so the credentials are bad.
     */
    public synchronized boolean bearerTokenRejected(int used) {
        if (used < credentialsGeneration) {
            return true;
        }
        Instant now = clock.instant();
        if (lastForcedReload != null && now.isBefore(lastForcedReload.plus(FORCED_RELOAD_SPACING))) {
            return false;
        }
        lastForcedReload = now;
        credentialsGeneration++;
        vertexCredentials = null;
        return true;
    }

    /** The Vertex project: configured, else the one named in the credentials (read from the file, no token needed). */
    public String vertexProject() throws IOException {
        if (settings.project() != null) {
            return settings.project();
        }
        String project = vertexCredentials().projectId();
        if (project == null) {
            throw new IOException("imagegen.provider." + name() + ".project is not set and the credentials name no project");
        }
        return project;
    }

    private VertexCredentials vertexCredentials() throws IOException {
        if (settings.type() != ProviderType.VERTEX) {
            throw new IllegalStateException("provider " + name() + " is not a Vertex AI provider");
        }
        VertexCredentials credentials = vertexCredentials;
        if (credentials == null) {
            synchronized (this) {
                if (vertexCredentials == null) {
                    vertexCredentials = settings.credentialsFile() != null
                            ? VertexCredentials.fromServiceAccountFile(settings.credentialsFile())
                            : VertexCredentials.applicationDefault();
                }
                credentials = vertexCredentials;
            }
        }
        return credentials;
    }

    /** The HTTP status of the token endpoint's answer somewhere in the cause chain, or null if it never answered. */
    static Integer tokenEndpointStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpResponseException http) {
                return http.getStatusCode();
            }
        }
        return null;
    }
}
