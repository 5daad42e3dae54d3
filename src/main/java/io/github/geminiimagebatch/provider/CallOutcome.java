package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.quota.ProviderFailure;

/** How a call made under a {@link Permit} ended, as far as the provider's state is concerned. */
public sealed interface CallOutcome permits CallOutcome.Answered, CallOutcome.Failed, CallOutcome.OnOurSide {

    /** The provider answered properly: an image ({@code image}), or a block or no image the model decided on. */
    record Answered(boolean image) implements CallOutcome {
    }

    /** The provider refused or failed the call as {@code failure} says; {@code answered}: it answered over HTTP. */
    record Failed(ProviderFailure failure, boolean answered) implements CallOutcome {
    }

    /** The call failed on our side (the answer could not be written down): no judgement on the provider. */
    record OnOurSide() implements CallOutcome {
    }
}
