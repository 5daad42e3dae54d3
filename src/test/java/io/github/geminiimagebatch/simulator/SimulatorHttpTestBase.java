package io.github.geminiimagebatch.simulator;

import org.junit.jupiter.api.AfterEach;

import java.io.IOException;

/** A simulator started by each test with its own options, and a client for it; stopped after the test. */
abstract class SimulatorHttpTestBase {

    GeminiSimulator simulator;
    SimClient client;

    void start(SimulatorOptions.Builder options) throws IOException {
        simulator = GeminiSimulator.start(options.build());
        client = new SimClient(simulator);
    }

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
