package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.output.KeptAnswers;
import io.github.geminiimagebatch.output.Outputs;

import java.io.IOException;
import java.util.Optional;

/**
 * When a request counts as done, for the run and for {@code plan} alike: its image is stored completely
 * (index entry, image, and a sidecar naming the same request key), and it is not a placeholder of the
 * built-in simulator while the run has no simulator provider. Without that exception, setting
 * GEMINI_API_KEY after a first offline try would leave every placeholder in place.
 */
public final class StoredImages {

    private final Outputs outputs;
    private final boolean simulatorInRun;

    public StoredImages(Outputs outputs, boolean simulatorInRun) {
        this.outputs = outputs;
        this.simulatorInRun = simulatorInRun;
    }

    /** The stored image that makes this request done, or empty when it is to be generated. */
    public Optional<String> done(String requestKey) throws IOException {
        Optional<String> stored = outputs.completedImage(requestKey);
        if (stored.isPresent() && placeholder(stored.get())) {
            return Optional.empty();
        }
        return stored;
    }

    /**
     * Whether the request needs no new payment: it is {@link #done}, or its paid answer is kept until it can be
     * stored (the run stores it without a request).
     */
    public boolean paidFor(String requestKey) throws IOException {
        if (done(requestKey).isPresent()) {
            return true;
        }
        Optional<KeptAnswers.Kept> kept = outputs.keptAnswer(requestKey);
        return kept.isPresent() && !placeholderAnswer(kept.get());
    }

    /** An answer kept since it could not be stored, made by the simulator: the same rule as for stored images. */
    public boolean placeholderAnswer(KeptAnswers.Kept kept) {
        return !simulatorInRun && ProviderType.SIMULATOR.id().equals(kept.sidecar().path("providerType").asText());
    }

    /** A stored image made by the simulator, which a run without a simulator provider makes for real. */
    public boolean placeholder(String image) throws IOException {
        return !simulatorInRun && outputs.providerTypeOf(image).filter(ProviderType.SIMULATOR.id()::equals).isPresent();
    }
}
