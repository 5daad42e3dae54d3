package io.github.geminiimagebatch.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationTextTest {

    @Test
    void writesProtobufDurationsWithoutTrailingZeros() {
        assertThat(DurationText.seconds(Duration.ofSeconds(17), 9)).isEqualTo("17s");
        assertThat(DurationText.seconds(Duration.ofMillis(4_500), 9)).isEqualTo("4.5s");
        assertThat(DurationText.seconds(Duration.ofNanos(45_837_906_927L), 9)).isEqualTo("45.837906927s");
        assertThat(DurationText.seconds(Duration.ZERO, 9)).isEqualTo("0s");
    }

    @Test
    void roundsUpSoWaitingThePrintedTimeIsNeverTooShort() {
        assertThat(DurationText.seconds(Duration.ofNanos(17_482_912_001L), 6)).isEqualTo("17.482913s");
        assertThat(DurationText.seconds(Duration.ofNanos(1), 6)).isEqualTo("0.000001s");
    }

    @Test
    void parsesWhatUsersType() {
        assertThat(DurationText.parse("6s")).isEqualTo(Duration.ofSeconds(6));
        assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationText.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationText.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationText.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationText.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationText.parse("PT6S")).isEqualTo(Duration.ofSeconds(6));
        assertThatThrownBy(() -> DurationText.parse("soon")).hasMessageContaining("'soon' is not a duration");
    }
}
