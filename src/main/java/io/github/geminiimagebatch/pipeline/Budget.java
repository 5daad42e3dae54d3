package io.github.geminiimagebatch.pipeline;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Spending limits: {@code imagegen.budget.maxUsd} for the run and {@code imagegen.budget.maxUsdPerDay}
 * per quota day (in the reset zone). A request is sent only when its price still fits, counting the
 * requests already in flight, so the budget is never overrun.
 */
public final class Budget {

    public record Decision(boolean refused, String message) {
        static final Decision OK = new Decision(false, null);
    }

    private final Double maxUsd;
    private final Double maxUsdPerDay;
    private final ZoneId zone;
    private final Clock clock;
    private double spent;
    private double reserved;
    private LocalDate day;
    private double spentToday;

    public Budget(Double maxUsd, Double maxUsdPerDay, ZoneId zone, Clock clock) {
        this.maxUsd = maxUsd;
        this.maxUsdPerDay = maxUsdPerDay;
        this.zone = zone;
        this.clock = clock;
        this.day = LocalDate.now(clock.withZone(zone));
    }

    public static Budget unlimited(Clock clock) {
        return new Budget(null, null, ZoneId.of("UTC"), clock);
    }

    public synchronized Decision reserve(double priceUsd) {
        rollDay();
        if (maxUsd != null && spent + reserved + priceUsd > maxUsd + 1e-9) {
            return new Decision(true, String.format(Locale.ROOT,
                    "the run budget imagegen.budget.maxUsd=%.2f USD would be exceeded (spent %.4f, in flight %.4f, next image %.4f)",
                    maxUsd, spent, reserved, priceUsd));
        }
        if (maxUsdPerDay != null && spentToday + reserved + priceUsd > maxUsdPerDay + 1e-9) {
            return new Decision(true, String.format(Locale.ROOT,
                    "the daily budget imagegen.budget.maxUsdPerDay=%.2f USD would be exceeded today (spent %.4f, in flight %.4f, next image %.4f)",
                    maxUsdPerDay, spentToday, reserved, priceUsd));
        }
        reserved += priceUsd;
        return Decision.OK;
    }

    public synchronized void release(double reservedUsd) {
        reserved = Math.max(0, reserved - reservedUsd);
    }

    /** The call ended: what was reserved is freed and what it really cost is spent. */
    public synchronized void settle(double reservedUsd, double actualUsd) {
        rollDay();
        reserved = Math.max(0, reserved - reservedUsd);
        spent += actualUsd;
        spentToday += actualUsd;
    }

    public synchronized double spent() {
        return spent;
    }

    private void rollDay() {
        LocalDate today = LocalDate.now(clock.withZone(zone));
        if (!today.equals(day)) {
            day = today;
            spentToday = 0;
        }
    }
}
