package io.github.geminiimagebatch.simulator;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatorOptionsTest {

    @Test
    void summaryWritesFaultRatesAsTheFlagsAreWritten() {
        SimulatorOptions options = SimulatorOptions.builder().faults("503=0.05, reset=0.01").batchFaults("failed=0.1,expired=0.05").build();
        assertThat(options.summary()).contains(", faults=503=0.05,reset=0.01,").contains(", batch-faults=failed=0.1,expired=0.05,");
        assertThat(SimulatorOptions.defaults().summary()).doesNotContain("faults=");
    }

    @Test
    void faultRatesKeepTheirOrderAndARefusedSpecLeavesTheEarlierRates() {
        SimulatorOptions.Builder builder = SimulatorOptions.builder().faults(Map.of("reset", 0.2));
        assertThatThrownBy(() -> builder.faults("503=x")).hasMessage("Fault rate in '503=x' is not a number, e.g. 503=0.05");
        assertThatThrownBy(() -> builder.faults("503=1.5")).hasMessage("Fault rate for '503' must be between 0 and 1, got 1.5");
        assertThat(builder.build().faultRates()).containsExactly(Map.entry(FaultKind.RESET, 0.2));
        assertThat(SimulatorOptions.builder().faults("stall=0.1,503=0.2").build().faultRates().keySet())
                .containsExactly(FaultKind.STALL, FaultKind.UNAVAILABLE);
    }
}
