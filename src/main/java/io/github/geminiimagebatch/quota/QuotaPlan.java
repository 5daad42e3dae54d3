package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.ZonedDateTime;

/**
 * How long a batch takes at the pace its limits allow.
 *
 * @param timeNeeded         from the start until the last request's slot ends
 * @param finish             start + timeNeeded, in the start's zone
 * @param dailyResetsWaited  how many midnights the plan had to wait for because a per-day limit was used up
 * @param dailyResetsCrossed how many midnights (in the start's zone) fall between start and finish
 */
public record QuotaPlan(Duration timeNeeded, ZonedDateTime finish, int dailyResetsWaited, int dailyResetsCrossed) {
}
