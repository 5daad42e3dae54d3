package io.github.geminiimagebatch.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryScheduleTest {

    @Test
    void doublesFromTheFirstDelayUpToTheCap() {
        RetrySchedule schedule = new RetrySchedule(Duration.ofMinutes(1), Duration.ofMinutes(30));
        assertThat(schedule.delayAfter(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(schedule.delayAfter(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(schedule.delayAfter(3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(schedule.delayAfter(5)).isEqualTo(Duration.ofMinutes(16));
        assertThat(schedule.delayAfter(6)).isEqualTo(Duration.ofMinutes(30));
        assertThat(schedule.delayAfter(1_000_000)).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aCapEqualToTheFirstDelayKeepsItConstant() {
        RetrySchedule schedule = new RetrySchedule(Duration.ofMillis(200), Duration.ofMillis(200));
        assertThat(schedule.delayAfter(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(schedule.delayAfter(9)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new RetrySchedule(Duration.ZERO, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(2), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(1), Duration.ofMinutes(1)).delayAfter(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
