package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.ImageMode;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/** With no provider credentials the built-in simulator stands in, so a fresh clone works offline. */
final class BuiltInSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private GeminiSimulator simulator;

    /** Starts the simulator when the providers name it without a base URL; returns the settings pointing at it. */
    Settings startIfNamed(Settings s) throws ConfigException, IOException {
        List<String> names = RunConfig.providerNames(s);
        if (!names.contains("simulator") || s.find("imagegen.provider.simulator.baseUrl").isPresent()) {
            return s;
        }
        SimulatorOptions.Builder options = SimulatorOptions.builder().port(0);
        String[] latency = s.find("imagegen.simulator.latencyMs").orElse("0").split(",");
        try {
            options.latency(Integer.parseInt(latency[0].trim()), latency.length > 1 ? Integer.parseInt(latency[1].trim()) : 0);
        } catch (NumberFormatException e) {
            throw new ConfigException("imagegen.simulator.latencyMs must be N or N,JITTER in milliseconds, e.g. 200,100.");
        }
        options.imageMode(ImageMode.valueOf(s.find("imagegen.simulator.imageMode").orElse("flat").toUpperCase(Locale.ROOT)));
        simulator = GeminiSimulator.start(options.build());
        String why = s.find("imagegen.provider.aistudio.apiKey").isPresent()
                ? "imagegen.providers names the simulator"
                : "No provider credentials configured (GEMINI_API_KEY is not set)";
        LOG.warn("*** {}: using the BUILT-IN SIMULATOR at {}. Images are placeholders and nothing is billed."
                + " Set GEMINI_API_KEY (and --provider aistudio or auto) to generate real images. ***",
                why, simulator.baseUri());
        return s.with("imagegen.provider.simulator.baseUrl", simulator.baseUri().toString());
    }

    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
