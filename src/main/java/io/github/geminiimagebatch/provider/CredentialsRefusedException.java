package io.github.geminiimagebatch.provider;

import java.io.IOException;

/**
 * The token endpoint answered and refused our credentials (a 4xx such as {@code invalid_grant}: a
 * deleted or disabled key, a key from another account, a clock far off). Retrying cannot help, so
 * the dispatcher treats it like a 401 from the provider: unusable at once. A token endpoint that
 * cannot be reached or answers 5xx is an ordinary {@link IOException} and is retried.
 */
public final class CredentialsRefusedException extends IOException {

    private final int status;

    public CredentialsRefusedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status the token endpoint answered with. */
    public int status() {
        return status;
    }
}
