package io.github.geminiimagebatch.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Spending limits: {@code imagegen.budget.maxUsd} for the run and {@code imagegen.budget.maxUsdPerDay}
 * per quota day (in the reset zone). A request is sent only when its price still fits, counting the
 * requests already in flight, so the budget is never overrun.
 *
 * <p>Today's spend is kept in {@code <stateDir>/spend-<day>.json} (written atomically after every
 * paid image), so restarting the bundle does not reset the daily budget.
 */
public final class Budget {

    private static final Logger LOG = LoggerFactory.getLogger(Budget.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param renewsAt when a refusal ends by itself (the next quota day, for the daily budget); null when
     *                 it does not (the run budget) or nothing was refused
     */
    public record Decision(boolean refused, String message, Instant renewsAt) {
        static final Decision OK = new Decision(false, null, null);
    }

    private final Double maxUsd;
    private final Double maxUsdPerDay;
    private final ZoneId zone;
    private final Clock clock;
    private final Path stateDir;
    private double spent;
    private double reserved;
    private LocalDate day;
    private double spentToday;
    private boolean refusalLogged;

    /** A budget that remembers nothing between runs. */
    public Budget(Double maxUsd, Double maxUsdPerDay, ZoneId zone, Clock clock) {
        this.maxUsd = maxUsd;
        this.maxUsdPerDay = maxUsdPerDay;
        this.zone = zone;
        this.clock = clock;
        this.stateDir = null;
        this.day = LocalDate.now(clock.withZone(zone));
    }

    private Budget(Double maxUsd, Double maxUsdPerDay, ZoneId zone, Clock clock, Path stateDir) throws IOException {
        this.maxUsd = maxUsd;
        this.maxUsdPerDay = maxUsdPerDay;
        this.zone = zone;
        this.clock = clock;
        this.stateDir = stateDir;
        this.day = LocalDate.now(clock.withZone(zone));
        this.spentToday = readSpend(day);
    }

    /**
     * A budget whose daily spend survives restarts in {@code stateDir} (e.g. outbox/.state).
     *
     * @throws IOException when today's spend file exists but cannot be read: the daily budget could
     *                     otherwise be overrun, so the run must not start
     */
    public static Budget persistent(Double maxUsd, Double maxUsdPerDay, ZoneId zone, Clock clock, Path stateDir)
            throws IOException {
        return new Budget(maxUsd, maxUsdPerDay, zone, clock, stateDir);
    }

    public static Budget unlimited(Clock clock) {
        return new Budget(null, null, ZoneId.of("UTC"), clock);
    }

    public synchronized Decision reserve(double priceUsd) {
        rollDay();
        if (maxUsd != null && spent + reserved + priceUsd > maxUsd + 1e-9) {
            return refuse(String.format(Locale.ROOT, "the run budget imagegen.budget.maxUsd=%.2f USD is used up"
                    + " (the next image costs %.4f USD); raise it to go on", maxUsd, priceUsd), null);
        }
        if (maxUsdPerDay != null && spentToday + reserved + priceUsd > maxUsdPerDay + 1e-9) {
            return refuse(String.format(Locale.ROOT, "the daily budget imagegen.budget.maxUsdPerDay=%.2f USD is used up"
                    + " for %s (the next image costs %.4f USD); it renews at midnight %s", maxUsdPerDay, day, priceUsd, zone),
                    day.plusDays(1).atStartOfDay(zone).toInstant());
        }
        reserved += priceUsd;
        return Decision.OK;
    }

    public synchronized void release(double reservedUsd) {
        reserved = Math.max(0, reserved - reservedUsd);
    }

    /** The call ended: what was reserved is freed and what it really cost is spent (and recorded for the day). */
    public synchronized void settle(double reservedUsd, double actualUsd) {
        rollDay();
        reserved = Math.max(0, reserved - reservedUsd);
        spent += actualUsd;
        spentToday += actualUsd;
        if (actualUsd > 0 && stateDir != null) {
            writeSpend();
        }
    }

    public synchronized double spent() {
        return spent;
    }

    public synchronized double spentToday() {
        rollDay();
        return spentToday;
    }

    /** The file that holds the spend of {@code day} (a date in the reset zone). */
    public static Path spendFile(Path stateDir, LocalDate day) {
        return stateDir.resolve("spend-" + day + ".json");
    }

    private Decision refuse(String message, Instant renewsAt) {
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.warn("Budget reached: {}. No more requests are sent; {}", message, renewsAt == null
                    ? "the items left stay pending (reason 'budget') and are sent by a later run."
                    : "with --once the items left stay pending (reason 'budget'); a service waits for the new day.");
        }
        return new Decision(true, message, renewsAt);
    }

    private void rollDay() {
        LocalDate today = LocalDate.now(clock.withZone(zone));
        if (!today.equals(day)) {
            day = today;
            refusalLogged = false;
            try {
                spentToday = stateDir == null ? 0 : readSpend(today);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private double readSpend(LocalDate date) throws IOException {
        if (stateDir == null) {
            return 0;
        }
        Path file = spendFile(stateDir, date);
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            JsonNode usd = node == null ? null : node.get("spentUsd");
            if (usd == null || !usd.isNumber() || usd.asDouble() < 0) {
                throw new IOException("no spentUsd number");
            }
            return usd.asDouble();
        } catch (IOException e) {
            throw new IOException("The daily spend record " + file.toAbsolutePath() + " cannot be read (" + e.getMessage()
                    + "), so imagegen.budget.maxUsdPerDay cannot be enforced. Fix or delete the file (deleting it forgets"
                    + " today's spend).", e);
        }
    }

    private void writeSpend() {
        Path file = spendFile(stateDir, day);
        try {
            Files.createDirectories(stateDir);
            ObjectNode node = JSON.createObjectNode();
            node.put("day", day.toString());
            node.put("zone", zone.getId());
            node.put("spentUsd", spentToday);
            node.put("updated", clock.instant().toString());
            Path tmp = Files.createTempFile(stateDir, "spend-", ".tmp");
            Files.writeString(tmp, node.toPrettyString() + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the image is made and paid; losing the record only weakens the next run's daily budget
            LOG.warn("Could not record today's spend in {} ({}); a restart today would not know about {} USD spent.",
                    file, e.getMessage(), String.format(Locale.ROOT, "%.4f", spentToday));
        }
    }
}
