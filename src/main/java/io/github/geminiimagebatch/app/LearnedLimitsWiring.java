package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.quota.LearnedLimits;
import io.github.geminiimagebatch.quota.LearnedLimitsFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * Each provider starts at the pace an earlier run learned for it and the default model (kept in
 * outbox/.state/), and keeps what it learns after every 429 and at the end of the run
 * (docs/quota.md, "Remembered limits").
 */
final class LearnedLimitsWiring {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private LearnedLimitsWiring() {
    }

    static void remember(RunConfig config, List<ProviderRuntime> providers) {
        for (ProviderRuntime p : providers) {
            LearnedLimitsFile file = file(config, p);
            try {
                p.quota().remember(file.read());
                LearnedLimits used = p.quota().learned();
                if (!used.isEmpty()) {
                    LOG.info("Provider {} starts from limits learned in an earlier run ({}): {}", p.name(), file.path(),
                            used.summary());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Provider {}: the learned limits in {} cannot be read ({}); they are learned afresh from 429s."
                        + " Delete the file to silence this.", p.name(), file.path(), e.getMessage());
            }
            p.quota().onLearned(learned -> write(file, p, learned));
        }
    }

    /** The adaptive rate grows with every success: what it reached is kept at the end of the run too. */
    static void keep(RunConfig config, List<ProviderRuntime> providers) {
        for (ProviderRuntime p : providers) {
            write(file(config, p), p, p.quota().learned());
        }
    }

    private static LearnedLimitsFile file(RunConfig config, ProviderRuntime p) {
        return new LearnedLimitsFile(config.outbox().resolve(".state"), p.name(), p.settings().wireModel(config.defaultModel()));
    }

    private static void write(LearnedLimitsFile file, ProviderRuntime p, LearnedLimits learned) {
        try {
            file.write(learned);
        } catch (IOException e) {
            LOG.warn("Provider {}: the learned limits cannot be kept in {} ({}); the next run learns them again.",
                    p.name(), file.path(), e.getMessage());
        }
    }
}
