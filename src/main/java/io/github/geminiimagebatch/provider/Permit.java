package io.github.geminiimagebatch.provider;

/**
 * Everything one call to a provider holds, from {@link ProviderGateway#reserve} until {@link #close()}:
 * a concurrency slot, the provider's first-call gate, a circuit-breaker permission, a quota ticket
 * and the money reserved from the budget. {@link ProviderGateway#settle} records how the call ended;
 * {@code close} gives back what is left, once, whatever happened.
 */
public final class Permit implements AutoCloseable {

    private final ProviderRuntime provider;
    private final Budget budget;
    private final CallEnds callEnds;
    private final long ticket;
    private final double reservedUsd;
    private final String model;
    private final String wireModel;
    private final long grantedNanos;
    private final boolean credentialProbe;
    private Integer credentialsGeneration;
    private boolean answered;
    private boolean imageMade;
    private boolean settled;
    private boolean closed;

    Permit(ProviderRuntime provider, Budget budget, CallEnds callEnds, long ticket, double reservedUsd, String model,
           boolean credentialProbe) {
        this.provider = provider;
        this.budget = budget;
        this.callEnds = callEnds;
        this.ticket = ticket;
        this.reservedUsd = reservedUsd;
        this.model = model;
        this.wireModel = provider.settings().wireModel(model);
        this.grantedNanos = System.nanoTime();
        this.credentialProbe = credentialProbe;
        provider.inFlightCounter().incrementAndGet();
    }

    /** The quota's ticket of this call's admission. */
    long ticket() {
        return ticket;
    }

    /** The provider's name, as in {@code imagegen.providers}. */
    public String provider() {
        return provider.name();
    }

    public String providerType() {
        return provider.settings().type().id();
    }

    /** The model as asked for by the item. */
    public String model() {
        return model;
    }

    /** The model id sent on the wire to this provider. */
    public String wireModel() {
        return wireModel;
    }

    /** What this call costs at list price if it makes an image (reserved from the budget until close). */
    public double reservedUsd() {
        return reservedUsd;
    }

    /** Whether this call tries credentials the provider refused before (see {@link ProviderRuntime#credentialsRefused}). */
    boolean credentialProbe() {
        return credentialProbe;
    }

    ProviderRuntime runtime() {
        return provider;
    }

    /** The request leaves now: the quota counts it from this moment, as the server does. */
    public void sending() {
        provider.quota().countFromNow(ticket);
    }

    /** Which load of the Vertex credentials this call's bearer token came from; null when none was used. */
    public Integer credentialsGeneration() {
        return credentialsGeneration;
    }

    public void credentialsGeneration(int generation) {
        this.credentialsGeneration = generation;
    }

    long elapsedMillis() {
        return (System.nanoTime() - grantedNanos) / 1_000_000;
    }

    /** Records the end of the call; false when it was settled already. */
    boolean settle(boolean answeredOverHttp, boolean image) {
        if (settled) {
            return false;
        }
        settled = true;
        answered = answeredOverHttp;
        imageMade = image;
        return true;
    }

    boolean settled() {
        return settled;
    }

    /**
     * Gives back the slot and the first-call gate, frees the reserved money (spending it when an image
     * was made) and, if the call was never settled, the breaker permission; then wakes the items waiting.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!settled) {
            provider.breaker().releasePermission();
        }
        provider.slots().release();
        provider.inFlightCounter().decrementAndGet();
        // The first call of a cold process can reach the server long after it left; all we
        // know is that it arrived before its answer, so its window is counted from there.
        if (provider.endCall(answered)) {
            provider.quota().countFromNow(ticket);
        }
        budget.settle(reservedUsd, imageMade ? reservedUsd : 0.0);
        callEnds.ended();
    }
}
