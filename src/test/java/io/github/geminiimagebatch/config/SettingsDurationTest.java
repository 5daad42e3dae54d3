package io.github.geminiimagebatch.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The one reading of a typed duration, shared by every setting and the simulator's flags. */
class SettingsDurationTest {

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "30s, PT30S",
            "90, PT1M30S",
            "1.5s, PT1.5S",
            "0.25 s, PT0.25S",
            "5m, PT5M",
            "5min, PT5M",
            "2h, PT2H",
            "1d, PT24H",
            "' 60S ', PT1M",
            "PT6S, PT6S",
            "pt1m30s, PT1M30S",
            "0.0000000004s, PT0S",
            "1m30s, PT1M30S",
            "5 minutes, PT5M",
    })
    void readsWhatUsersWrite(String text, String iso) {
        assertThat(Settings.parseDuration(text)).contains(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "1e3", "-5s", "P", "99999999999999d", "5 fortnights", "m30"})
    void refusesAnythingElse(String text) {
        assertThat(Settings.parseDuration(text)).isEmpty();
    }
}
