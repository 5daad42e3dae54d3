package io.github.geminiimagebatch.simulator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a whole batch job can end badly ({@code --batch-faults failed=0.1,expired=0.05}). */
enum BatchJobFault {
    /** The job ends FAILED with an error and no results. */
    FAILED(BatchState.FAILED),
    /** The job ends EXPIRED (Google's 48 h limit) with no results. */
    EXPIRED(BatchState.EXPIRED);

    private final BatchState endState;

    BatchJobFault(BatchState endState) {
        this.endState = endState;
    }

    BatchState endState() {
        return endState;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<BatchJobFault> fromLabel(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(fault -> fault.label().equals(wanted)).findFirst();
    }

    /** Rates written as on the command line, {@code failed=0.1,expired=0.05}; they must add up to at most 1. */
    static Map<BatchJobFault, Double> parseRates(String spec) {
        Map<BatchJobFault, Double> rates = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return rates;
        }
        double total = 0;
        for (String item : spec.split(",")) {
            String[] nameAndRate = item.trim().split("=", 2);
            BatchJobFault fault = fromLabel(nameAndRate[0]).orElseThrow(() -> new IllegalArgumentException("Unknown batch fault '"
                    + nameAndRate[0].trim() + "'. Known batch faults: "
                    + Arrays.stream(values()).map(BatchJobFault::label).collect(Collectors.joining(", "))));
            double rate;
            try {
                rate = nameAndRate.length == 2 ? Double.parseDouble(nameAndRate[1].trim()) : Double.NaN;
            } catch (NumberFormatException e) {
                rate = Double.NaN;
            }
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("Batch fault '" + item.trim() + "' must be written NAME=RATE with a rate between 0 and 1,"
                        + " e.g. expired=0.1");
            }
            total += rate;
            rates.put(fault, rate);
        }
        if (total > 1 + 1e-9) {
            throw new IllegalArgumentException("Batch fault rates add up to " + total + ", more than 1: lower some of them");
        }
        return rates;
    }
}
