package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.gemini.Dialect;
import io.github.geminiimagebatch.output.KeptAnswers;
import io.github.geminiimagebatch.provider.Permit;
import org.apache.camel.Exchange;

import java.util.concurrent.CompletableFuture;

/**
 * The exchange properties the inbox and item routes carry, by name and type in one place. The YAML
 * routes read the item as {@code ${exchangeProperty.item...}}: {@link #ITEM} is that name.
 */
public final class ItemExchange {

    /** The {@link WorkItem} an item exchange works on. */
    public static final String ITEM = "item";
    /** The {@link BatchRun} of the prompt file an inbox exchange works through. */
    static final String BATCH = "batch";
    /** This item's claim on its request key, completed when it settles (duplicates wait on it). */
    static final String KEY_CLAIM = "keyClaim";
    /** Set when this instance holds the item's request key among all instances (imagegen.shared.redisUrl). */
    static final String SHARED_CLAIM = "sharedKeyClaim";
    /** A paid answer kept from an earlier attempt that could not store it: the item route stores it without a call. */
    public static final String KEPT_ANSWER = "keptAnswer";
    /** The provider {@link Permit} held for the attempt in flight. */
    static final String PERMIT = "providerPermit";
    /** The {@link Dialect} of the request body the provider template built, so the answer is read the same way. */
    static final String DIALECT = "wireDialect";

    private ItemExchange() {
    }

    public static WorkItem item(Exchange exchange) {
        return exchange.getProperty(ITEM, WorkItem.class);
    }

    static void item(Exchange exchange, WorkItem item) {
        exchange.setProperty(ITEM, item);
    }

    public static BatchRun batch(Exchange exchange) {
        return exchange.getProperty(BATCH, BatchRun.class);
    }

    public static void batch(Exchange exchange, BatchRun batch) {
        exchange.setProperty(BATCH, batch);
    }

    @SuppressWarnings("unchecked")
    static CompletableFuture<WorkItem> keyClaim(Exchange exchange) {
        return exchange.getProperty(KEY_CLAIM, CompletableFuture.class);
    }

    static void keyClaim(Exchange exchange, CompletableFuture<WorkItem> claim) {
        exchange.setProperty(KEY_CLAIM, claim);
    }

    static boolean holdsSharedClaim(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(SHARED_CLAIM, Boolean.class));
    }

    static void sharedClaimHeld(Exchange exchange) {
        exchange.setProperty(SHARED_CLAIM, true);
    }

    static KeptAnswers.Kept keptAnswer(Exchange exchange) {
        return exchange.getProperty(KEPT_ANSWER, KeptAnswers.Kept.class);
    }

    static void keptAnswer(Exchange exchange, KeptAnswers.Kept kept) {
        exchange.setProperty(KEPT_ANSWER, kept);
    }

    /** The permit of the attempt in flight, or null between attempts. */
    public static Permit permit(Exchange exchange) {
        return exchange.getProperty(PERMIT, Permit.class);
    }

    static void permit(Exchange exchange, Permit permit) {
        exchange.setProperty(PERMIT, permit);
    }

    /** Takes the permit off the exchange; null when none was held. */
    static Permit removePermit(Exchange exchange) {
        return (Permit) exchange.removeProperty(PERMIT);
    }

    /** The dialect of the request in flight; Gemini when the template built no body through ProviderCalls. */
    static Dialect dialect(Exchange exchange) {
        return exchange.getProperty(DIALECT, Dialect.GEMINI, Dialect.class);
    }

    static void dialect(Exchange exchange, Dialect dialect) {
        exchange.setProperty(DIALECT, dialect);
    }
}
