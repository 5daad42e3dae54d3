package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An S3 bucket (AWS or any S3-compatible store) with the outbox's key layout under a prefix. Writes go
 * through Camel's aws2-s3 producer with the image's file as the body, so the SDK streams it from disk;
 * images above the part size go up as a multipart upload (Camel reads each part from the file as a
 * stream, never a whole image). Reads for "already stored?" use the S3 client directly: a GET of the
 * small key-index object, then a HEAD of the image it names.
 */
public final class S3Sink implements OutputSink, ReadableSink, AutoCloseable {

    /** The registry name of the client, referenced by the aws2-s3 endpoints. */
    public static final String CLIENT_BEAN = "amazonS3Client";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final S3Settings settings;
    private final S3Client client;
    private final Supplier<CamelContext> camel;
    private final Retrier retrier;
    private final String documentUri;
    private final String imageUri;
    private ProducerTemplate template;

    /** @param camel the running context; asked for on the first write, when Camel Main has started */
    public S3Sink(S3Settings settings, S3Client client, Supplier<CamelContext> camel, Retrier retrier) {
        this.settings = settings;
        this.client = client;
        this.camel = camel;
        this.retrier = retrier;
        String endpoint = "aws2-s3://" + settings.bucket() + "?amazonS3Client=#" + CLIENT_BEAN + "&autoCreateBucket=false";
        this.documentUri = endpoint;
        this.imageUri = endpoint + "&multiPartUpload=true&partSize=" + settings.partSizeBytes();
    }

    /** The S3 client for these settings: region, endpoint, path style, credentials and checksum policy. */
    public static S3Client buildClient(S3Settings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle());
        settings.endpoint().ifPresent(builder::endpointOverride);
        if (settings.checksumWhenRequired()) {
            // AWS SDK 2.30+ sends CRC checksum headers by default; S3Proxy 3.0.0, older MinIO and Ceph refuse them
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        if (settings.accessKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey().get(), settings.secretKey().orElseThrow())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    @Override
    public String name() {
        return "s3";
    }

    public S3Client client() {
        return client;
    }

    @Override
    public void putImage(OutputImage image) throws IOException {
        long length = Files.size(image.file());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("request-key", image.requestKey());
        metadata.put("batch", image.batch());
        metadata.put("id", image.id());
        if (image.sha256() != null) {
            metadata.put("sha256", image.sha256());
        }
        String key = settings.key(image.relativeName());
        retrier.call("S3 upload of s3://" + settings.bucket() + "/" + key, () -> {
            send(imageUri, key, image.file().toFile(), image.mimeType(), length, metadata);
            return null;
        });
    }

    @Override
    public void putDocument(String relativeName, byte[] content, String contentType) throws IOException {
        String key = settings.key(relativeName);
        retrier.call("S3 upload of s3://" + settings.bucket() + "/" + key, () -> {
            send(documentUri, key, content, contentType, content.length, Map.of());
            return null;
        });
    }

    /** One HEAD of the bucket, without retries. */
    @Override
    public boolean answers() {
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public Optional<String> completedImage(String requestKey) throws IOException {
        String indexKey = settings.key(KeyIndex.entryName(requestKey));
        return retrier.call("S3 look-up of s3://" + settings.bucket() + "/" + indexKey, () -> {
            byte[] entry;
            try {
                entry = client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(indexKey)).asByteArray();
            } catch (NoSuchKeyException absent) {
                return Optional.<String>empty();
            }
            String image;
            try {
                JsonNode node = JSON.readTree(entry);
                image = node.path("image").asText("");
            } catch (IOException unreadable) {
                return Optional.<String>empty();
            }
            if (image.isEmpty() || !exists(settings.key(image))) {
                return Optional.<String>empty();
            }
            return Optional.of(image);
        });
    }

    @Override
    public InputStream open(String relativeName) throws IOException {
        String key = settings.key(relativeName);
        try {
            return client.getObject(b -> b.bucket(settings.bucket()).key(key));
        } catch (NoSuchKeyException absent) {
            throw new NoSuchFileException("s3://" + settings.bucket() + "/" + key);
        } catch (S3Exception | SdkClientException e) {
            throw new IOException("S3 read of s3://" + settings.bucket() + "/" + key + " failed: "
                    + Secrets.redact(String.valueOf(e.getMessage())), e);
        }
    }

    private boolean exists(String key) {
        try {
            client.headObject(HeadObjectRequest.builder().bucket(settings.bucket()).key(key).build());
            return true;
        } catch (NoSuchKeyException absent) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private void send(String uri, String key, Object body, String contentType, long length, Map<String, String> metadata)
            throws Exception {
        Exchange result = template().send(uri, exchange -> {
            exchange.getIn().setBody(body);
            exchange.getIn().setHeader(AWS2S3Constants.KEY, key);
            exchange.getIn().setHeader(AWS2S3Constants.CONTENT_TYPE, contentType);
            exchange.getIn().setHeader(AWS2S3Constants.CONTENT_LENGTH, length);
            if (!metadata.isEmpty()) {
                exchange.getIn().setHeader(AWS2S3Constants.METADATA, metadata);
            }
        });
        if (result.getException() != null) {
            throw result.getException();
        }
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            CamelContext context = camel.get();
            if (context.getRegistry().lookupByName(CLIENT_BEAN) == null) {
                context.getRegistry().bind(CLIENT_BEAN, client);
            }
            template = context.createProducerTemplate();
        }
        return template;
    }

    @Override
    public void close() {
        client.close();
    }
}
