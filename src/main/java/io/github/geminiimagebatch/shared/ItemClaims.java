package io.github.geminiimagebatch.shared;

/**
 * Which instance generates an item: before calling, an instance claims the item's request key for a
 * lease that it keeps renewing while it works and that runs out if the instance dies. Another
 * instance that finds the key claimed waits; one that finds it done never calls for it again.
 */
public interface ItemClaims {

    sealed interface Claim permits Mine, Done, Held, Unavailable {
    }

    /** This instance may generate the item; {@link #finished} ends the claim. */
    record Mine() implements Claim {
    }

    /** Already generated, by {@code instance}, stored as {@code image}. */
    record Done(String instance, String image) implements Claim {
    }

    /** {@code instance} is generating it now. */
    record Held(String instance) implements Claim {
    }

    /** The shared store cannot be reached: nothing may be sent for the item now. */
    record Unavailable(String reason) implements Claim {
    }

    Claim claim(String requestKey);

    /**
     * The claimed item is settled. With {@code image} non-null it was generated and its key is done
     * for every instance; otherwise it is free again.
     */
    void finished(String requestKey, String image);

    /** One instance alone: every claim is its own. */
    ItemClaims LOCAL_ONLY = new ItemClaims() {
        @Override
        public Claim claim(String requestKey) {
            return new Mine();
        }

        @Override
        public void finished(String requestKey, String image) {
        }
    };
}
