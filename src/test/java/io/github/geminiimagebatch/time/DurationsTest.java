package io.github.geminiimagebatch.time;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The one duration reader: what settings, limit periods, simulator flags and "retry in" texts accept. */
class DurationsTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            // one number and a unit, a space allowed before it
            "500ms; PT0.5S",
            "6s; PT6S",
            "1.5s; PT1.5S",
            "0.25 s; PT0.25S",
            "5m; PT5M",
            "5min; PT5M",
            "2h; PT2H",
            "1d; PT24H",
            "2d; PT48H",
            // every spelling of every unit, any case
            "2 sec; PT2S",
            "2 secs; PT2S",
            "1 second; PT1S",
            "5 seconds; PT5S",
            "3 mins; PT3M",
            "1 minute; PT1M",
            "5 minutes; PT5M",
            "2 hr; PT2H",
            "2 hrs; PT2H",
            "1 hour; PT1H",
            "3 hours; PT3H",
            "1 day; PT24H",
            "2 days; PT48H",
            "' 60S '; PT1M",
            "5MIN; PT5M",
            // segments, with or without spaces between them
            "1m30s; PT1M30S",
            "1h30m; PT1H30M",
            "1d1h; PT25H",
            "1m0.6s; PT1M0.6S",
            "2 minutes 3 seconds; PT2M3S",
            "1m 2.5s; PT1M2.5S",
            // a unit alone is one of it
            "min; PT1M",
            "s; PT1S",
            "h; PT1H",
            // a bare number is seconds
            "90; PT1M30S",
            "0.5; PT0.5S",
            // ISO-8601, any case
            "PT6S; PT6S",
            "pt1m30s; PT1M30S",
            "P1D; PT24H",
            // exact to the nanosecond, rounded half up
            "0.0000000004s; PT0S",
            "0.0000000005s; PT0.000000001S",
            "17.482913s; PT17.482913S",
    })
    void readsWhatPeopleAndServersWrite(String text, String iso) {
        assertThat(Durations.parse(text)).contains(Duration.parse(iso));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"   ", "soon", "1e3", "1e3s", "-5s", "P", "PT", "5 fortnights", "mn", "m30", "min30", "ms5",
            "6 s x", "s6", "1m30", "30s min", "minutes/2", "5..5s", "1,5s", ".5s", "5.s",
            "99999999999999d", "99999999999999999999h", "99999999999999999999"})
    void refusesAnythingElse(String text) {
        assertThat(Durations.parse(text)).isEmpty();
    }

    @Test
    void aUnitWithoutANumberIsOnlyReadAlone() {
        assertThat(Durations.parse("min")).contains(Duration.ofMinutes(1));
        assertThat(Durations.parse("1h min")).isEmpty();
        assertThat(Durations.parse("h 30m")).isEmpty();
    }
}
