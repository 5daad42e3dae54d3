package io.github.geminiimagebatch.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.prompt.SafeNames;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Prompts from any Camel consumer ({@code imagegen.intake.uri}) become prompt files in the inbox, so they
 * are worked, resumed and reported exactly like dropped files:
 * <ul>
 *   <li>a message with a {@code CamelFileName} header (and no JSON item body) is a whole prompt file: it is
 *       written into the inbox under a hidden name and renamed, so the inbox never sees half a file;</li>
 *   <li>a JSON object with {@code prompt} is one item of batch {@code batch} (field) or {@code GeminiImageBatch}
 *       (header): it is appended, flushed, to {@code inbox/.incoming/<batch>.jsonl}, which moves into the
 *       inbox once no item came for {@code imagegen.intake.batchIdle}.</li>
 * </ul>
 */
public final class Intake {

    public static final String BATCH_HEADER = "GeminiImageBatch";
    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path inbox;
    private final Path incoming;
    private final Duration batchIdle;
    private final Clock clock;

    public Intake(Path inbox, Duration batchIdle, Clock clock) {
        this.inbox = inbox;
        this.incoming = inbox.resolve(".incoming");
        this.batchIdle = batchIdle;
        this.clock = clock;
    }

    /** The intake of this run: {@code imagegen.intake.batchIdle} (default 5s) closes a batch of single items. */
    public static Intake from(Settings settings, Path inbox, Clock clock) throws ConfigException {
        Duration idle = settings.find("imagegen.intake.batchIdle").isPresent()
                ? settings.duration("imagegen.intake.batchIdle") : Duration.ofSeconds(5);
        return new Intake(inbox, idle, clock);
    }

    /** The properties routes/intake.camel.yaml reads: its routes exist only when imagegen.intake.uri is set. */
    public static Properties camelProperties(Settings settings) {
        Properties p = new Properties();
        p.setProperty("imagegen.intake.enabled", Boolean.toString(settings.find("imagegen.intake.uri").isPresent()));
        return p;
    }

    public void accept(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        byte[] body = message.getBody(byte[].class);
        JsonNode item = jsonObject(body);
        if (item != null && item.hasNonNull("prompt")) {
            addItem(item, message.getHeader(BATCH_HEADER, String.class));
            return;
        }
        String fileName = message.getHeader(Exchange.FILE_NAME, String.class);
        if (fileName == null && message instanceof JmsMessage jms && jms.getJmsMessage() != null) {
            // camel-jms does not map Camel* properties of an incoming message to headers
            try {
                fileName = jms.getJmsMessage().getStringProperty(Exchange.FILE_NAME);
            } catch (jakarta.jms.JMSException unreadable) {
                fileName = null;
            }
        }
        if (fileName == null || fileName.isBlank()) {
            throw new IllegalArgumentException("A message from imagegen.intake.uri is neither one item (a JSON object with"
                    + " \"prompt\") nor a prompt file (a CamelFileName header): send one of those.");
        }
        addFile(Path.of(fileName).getFileName().toString(), body == null ? new byte[0] : body);
    }

    private synchronized void addItem(JsonNode item, String batchHeader) throws IOException {
        String batch = item.hasNonNull("batch") ? item.get("batch").asText() : batchHeader;
        if (batch == null || batch.isBlank()) {
            throw new IllegalArgumentException("An item from imagegen.intake.uri names no batch: set its \"batch\" field"
                    + " or the GeminiImageBatch header.");
        }
        String name = SafeNames.batchName(batch + ".jsonl");
        ObjectNode line = ((ObjectNode) item).deepCopy();
        line.remove("batch");
        Files.createDirectories(incoming);
        try (FileChannel out = FileChannel.open(incoming.resolve(name + ".jsonl"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            out.write(ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8)));
            // the message is acknowledged when this returns: the item must be on disk by then
            out.force(true);
        }
    }

    private void addFile(String name, byte[] content) throws IOException {
        if (name.startsWith(".")) {
            throw new IllegalArgumentException("The prompt file name '" + name + "' from imagegen.intake.uri is hidden;"
                    + " hidden files are never read as batches. Send it under a visible name.");
        }
        Path temp = inbox.resolve(".incoming-" + UUID.randomUUID());
        Files.write(temp, content);
        Files.move(temp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Prompt file {} arrived from imagegen.intake.uri", name);
    }

    /** Moves item files no item was added to for imagegen.intake.batchIdle into the inbox, where they become batches. */
    public synchronized void releaseIdle() throws IOException {
        if (!Files.isDirectory(incoming)) {
            return;
        }
        try (Stream<Path> files = Files.list(incoming)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).toList()) {
                boolean idle = Files.getLastModifiedTime(file).toInstant().plus(batchIdle).isBefore(clock.instant());
                Path target = inbox.resolve(file.getFileName());
                // a batch of that name still in the inbox is being worked on: the new items wait for it to finish
                if (idle && !Files.exists(target)) {
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                    LOG.info("Batch {} from imagegen.intake.uri: no new item for {}, moved into the inbox", target.getFileName(),
                            batchIdle);
                }
            }
        }
    }

    private static JsonNode jsonObject(byte[] body) {
        if (body == null || body.length == 0 || body[0] != '{') {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
