package io.github.geminiimagebatch.shared;

import java.time.LocalDate;

/** The spend of a quota day across every instance, for {@code imagegen.budget.maxUsdPerDay}. */
public interface SharedSpend {

    /** Adds what this instance just spent on {@code day}; returns the day's total of every instance, or NaN if unknown now. */
    double add(LocalDate day, double usd);

    /** The day's total of every instance, or NaN if unknown now (then this instance's own figure stands). */
    double spentOn(LocalDate day);

    /** One instance alone: its own figure is the total. */
    SharedSpend LOCAL_ONLY = new SharedSpend() {
        @Override
        public double add(LocalDate day, double usd) {
            return Double.NaN;
        }

        @Override
        public double spentOn(LocalDate day) {
            return Double.NaN;
        }
    };
}
