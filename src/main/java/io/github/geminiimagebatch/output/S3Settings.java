package io.github.geminiimagebatch.output;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code imagegen.output.s3.*} settings, validated.
 *
 * @param prefix "" or a key prefix ending in "/"
 * @param endpoint empty for AWS itself, else the S3-compatible store's URL
 * @param accessKey empty: the default AWS credentials chain
 * @param checksumWhenRequired true: send and check checksums only where S3 requires them (S3Proxy, MinIO, Ceph ...)
 * @param partSizeBytes images above this go up as a multipart upload in parts of this size
 * @param retryFor how long a failing store operation is retried before the item ends pending
 */
public record S3Settings(String bucket, String prefix, Optional<URI> endpoint, String region, Optional<String> accessKey,
                         Optional<String> secretKey, boolean pathStyle, boolean checksumWhenRequired, long partSizeBytes,
                         Duration retryFor) {

    public static final String PREFIX = "imagegen.output.s3.";
    /** S3's lower limit for every part but the last. */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    public static final String RETRY_FOR = "imagegen.output.retryFor";
    static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(60);
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /** The S3 settings when {@code imagegen.output.s3.enabled} is true, else empty. */
    public static Optional<S3Settings> from(Settings s) throws ConfigException {
        if (!s.bool(PREFIX + "enabled")) {
            return Optional.empty();
        }
        String bucket = s.find(PREFIX + "bucket").orElseThrow(() -> new ConfigException("S3 output is on ("
                + PREFIX + "enabled=true) but " + PREFIX + "bucket is not set. Name the bucket, e.g. --set "
                + PREFIX + "bucket=my-images, or switch S3 output off."));
        if (!BUCKET.matcher(bucket).matches()) {
            throw new ConfigException("The setting " + PREFIX + "bucket is '" + bucket + "', which is not a valid"
                    + " bucket name: use 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a"
                    + " letter or digit.");
        }
        String prefix = normalisePrefix(s.find(PREFIX + "prefix").orElse(""));
        Optional<URI> endpoint = s.find(PREFIX + "endpoint").map(S3Settings::trimSlash).map(URI::create);
        if (endpoint.isPresent() && (endpoint.get().getScheme() == null || endpoint.get().getHost() == null
                || !endpoint.get().getScheme().matches("https?"))) {
            throw new ConfigException("The setting " + PREFIX + "endpoint is '" + endpoint.get() + "'; write the"
                    + " store's URL such as http://127.0.0.1:9000 or https://s3.eu-central-1.wasabisys.com,"
                    + " or leave it empty for AWS.");
        }
        Optional<String> accessKey = s.find(PREFIX + "accessKey");
        Optional<String> secretKey = s.find(PREFIX + "secretKey");
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new ConfigException("Only one of " + PREFIX + "accessKey and " + PREFIX + "secretKey is set. Set"
                    + " both (IMAGEGEN_OUTPUT_S3_ACCESSKEY / IMAGEGEN_OUTPUT_S3_SECRETKEY), or neither to use the"
                    + " default AWS credentials chain.");
        }
        String checksum = s.find(PREFIX + "checksum").orElse("when_supported").toLowerCase(Locale.ROOT);
        boolean whenRequired = switch (checksum) {
            case "when_supported" -> false;
            case "when_required" -> true;
            default -> throw new ConfigException("The setting " + PREFIX + "checksum is '" + checksum + "'; write"
                    + " when_supported (AWS) or when_required (S3Proxy, MinIO, Ceph and other stores that refuse"
                    + " the AWS SDK's default checksum headers).");
        };
        long partSize = s.find(PREFIX + "partSize").isPresent() ? s.longValue(PREFIX + "partSize", MIN_PART_SIZE)
                : DEFAULT_PART_SIZE;
        Duration retryFor = retryFor(s);
        return Optional.of(new S3Settings(bucket, prefix, endpoint, s.find(PREFIX + "region").orElse("us-east-1"),
                accessKey, secretKey, s.bool(PREFIX + "pathStyle"), whenRequired, partSize, retryFor));
    }

    /** {@code imagegen.output.retryFor}: how long the S3 and URI sinks retry a failing operation (default 60s). */
    public static Duration retryFor(Settings s) throws ConfigException {
        return s.find(RETRY_FOR).isPresent() ? s.duration(RETRY_FOR) : DEFAULT_RETRY_FOR;
    }

    /** The object key of a relative output name. */
    public String key(String relativeName) {
        return prefix + relativeName;
    }

    private static String normalisePrefix(String raw) {
        String p = raw.replaceAll("^/+", "");
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        return "S3Settings[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint.map(URI::toString).orElse("AWS")
                + ", region=" + region + ", credentials=" + (accessKey.isPresent() ? "static" : "default chain")
                + ", pathStyle=" + pathStyle + ", checksumWhenRequired=" + checksumWhenRequired + "]";
    }
}
