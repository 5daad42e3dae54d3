package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private static final String SETTING = "imagegen.provider.aistudio.limits";

    @Test
    void readsACommaSeparatedListInOrder() {
        assertThat(Limits.parse("10/min,1500/day", SETTING)).containsExactly(
                Limit.sliding(10, Duration.ofMinutes(1)), Limit.perCalendarDay(1500));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "10/min; 10; PT1M",
            "10/6s; 10; PT6S",
            "100/2h; 100; PT2H",
            "5/90s; 5; PT1M30S",
            "20/1m30s; 20; PT1M30S",
            "5/500ms; 5; PT0.5S",
            "3/1.5s; 3; PT1.5S",
            "3/1.5 h; 3; PT1H30M",
            "10/s; 10; PT1S",
            "10/sec; 10; PT1S",
            "10/second; 10; PT1S",
            "10/m; 10; PT1M",
            "10/minute; 10; PT1M",
            "10/MIN; 10; PT1M",
            "10 / min ; 10; PT1M",
            "60/h; 60; PT1H",
            "60/hour; 60; PT1H",
            "1000/24h; 1000; PT24H",
            "5000/2d; 5000; PT48H",
            "7/1h30m; 7; PT1H30M",
            "10/90; 10; PT1M30S",
            "10/PT6S; 10; PT6S",
            "10/2 minutes; 10; PT2M",
    })
    void readsSlidingLimits(String spec, long permits, Duration period) {
        assertThat(Limits.parse(spec, SETTING)).containsExactly(Limit.sliding(permits, period));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1500/day", "1500/d", "1500/1d", "1500/1day", "1500/DAY", "1500 / day"})
    void dayMeansTheCalendarDay(String spec) {
        assertThat(Limits.parse(spec, SETTING)).containsExactly(Limit.perCalendarDay(1500));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", ",", " , "})
    void blankMeansNoLimits(String spec) {
        assertThat(Limits.parse(spec, SETTING)).isEmpty();
    }

    @Test
    void emptyPartsBetweenCommasAreSkipped() {
        assertThat(Limits.parse("10/min, ,1500/day,", SETTING)).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10/mn", "abc", "10", "/min", "10/", "-1/min", "1.5/min", "10/m30", "10/min30",
            "10/6 s x", "ten/min", "10/minutes/2", "10/ms5", "99999999999999999999/min", "10/1e3s",
            "10/99999999999999999999h"})
    void rejectsWhatIsNotALimitNamingTheSettingAndTheForm(String bad) {
        assertThatThrownBy(() -> Limits.parse("5/min," + bad, SETTING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(SETTING + ": '" + bad.trim() + "' is not a limit; write N/period such as 10/min, 1500/day or 10/6s");
    }

    @Test
    void theExampleMessageReadsExactlyAsDocumented() {
        assertThatThrownBy(() -> Limits.parse("10/mn", SETTING)).hasMessage(
                "imagegen.provider.aistudio.limits: '10/mn' is not a limit; write N/period such as 10/min, 1500/day or 10/6s");
    }

    @Test
    void rejectsZeroPermitsAndZeroPeriods() {
        assertThatThrownBy(() -> Limits.parse("0/min", SETTING))
                .hasMessageContaining(SETTING).hasMessageContaining("'0/min' allows nothing");
        assertThatThrownBy(() -> Limits.parse("5/0s", SETTING))
                .hasMessageContaining(SETTING).hasMessageContaining("'5/0s'").hasMessageContaining("10/6s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10/min", "1500/day", "10/6s", "100/2h", "20/1m30s", "5/500ms", "3/1.5s", "10/s",
            "60/h", "1000/1d1h", "5000/2d", "7/1m0.6s", "1000/24h"})
    void writtenFormReadsBackToTheSameLimit(String spec) {
        List<Limit> limits = Limits.parse(spec, SETTING);
        assertThat(Limits.parse(limits.get(0).toString(), SETTING)).isEqualTo(limits);
        assertThat(limits.get(0).toString()).isEqualTo(spec);
    }

    @Test
    void averageSpacingIsPeriodOverPermits() {
        assertThat(Limit.sliding(10, Duration.ofMinutes(1)).averageSpacing()).isEqualTo(Duration.ofSeconds(6));
    }
}
