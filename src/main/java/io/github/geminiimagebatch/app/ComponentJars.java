package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.util.URISupport;

import java.util.Map;
import java.util.Optional;

/**
 * Camel components that the runnable jar does not ship (ftp, kafka ...) come from jars in {@code lib/}
 * next to {@code bin/} or in the folders of {@code GIB_LIB}, which bin/gemini-image-batch puts on the
 * classpath. A URI whose scheme no component answers gets a message saying which jar to add where.
 */
public final class ComponentJars {

    /** Schemes served by a component whose artifact is not camel-&lt;scheme&gt;. */
    private static final Map<String, String> ARTIFACTS = Map.of("sftp", "camel-ftp", "ftps", "camel-ftp");

    private ComponentJars() {
    }

    /** The URI's scheme when no Camel component on the classpath serves it, else empty. */
    private static Optional<String> missingScheme(CamelContext context, String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String scheme = uri.substring(0, colon);
        return context.getComponent(scheme) == null ? Optional.of(scheme) : Optional.empty();
    }

    /**
     * Stops the start with one paragraph when the URI in the setting {@code key} names a component that is not
     * on the classpath; the start goes on otherwise (a URI that is wrong in other ways fails where it is used).
     */
    static void require(CamelContext context, String key, String uri) {
        Optional<String> missing = missingScheme(context, uri);
        if (missing.isPresent()) {
            throw new IllegalStateException(new ConfigException("The setting " + key + " is '"
                    + Secrets.redact(URISupport.sanitizeUri(uri)) + "'. " + advice(missing.get(), context.getVersion())));
        }
    }

    /**
     * For a start that failed on an endpoint no component serves (a URI in the user's own routes, say): the same
     * advice, after Camel's own message; empty for any other failure.
     */
    public static String adviceFor(Throwable failure) {
        if (failure instanceof NoSuchEndpointException e && e.getUri() != null && e.getUri().indexOf(':') > 0) {
            return " " + advice(e.getUri().substring(0, e.getUri().indexOf(':')), null);
        }
        return "";
    }

    /** What to do about a missing component, in one sentence that names the scheme, the jar and lib/. */
    private static String advice(String scheme, String camelVersion) {
        String artifact = ARTIFACTS.getOrDefault(scheme, "camel-" + scheme);
        String version = camelVersion == null ? ", of the bundle's Camel version" : ":" + camelVersion;
        return "This bundle has no Camel component for '" + scheme + ":' (the runnable jar does not ship it): put its"
                + " jar (usually org.apache.camel:" + artifact + version + ") and the jars it depends on into"
                + " lib/ next to bin/, or into a folder named in GIB_LIB, and start with bin/gemini-image-batch"
                + " (see docs/outputs.md, \"Camel components the jar does not ship\").";
    }
}
