package io.github.geminiimagebatch.queue;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where items wait and results go when several instances share the work ({@code imagegen.work.uri},
 * {@code imagegen.results.uri}, {@code imagegen.jms.url}), and this instance's name. With no work URI the
 * items go straight to the item route in this process, as they always did.
 *
 * @param workUri       the queue items wait on, null for in-process
 * @param resultsUri    prefix of the per-owner results queues: the owner of a batch reads {@code <resultsUri>.<instance>}
 * @param consume       whether this instance takes items from the work queue (false: intake and reports only)
 * @param maxDeliveries deliveries of one item before it is given up as a dead letter
 */
public record QueueSettings(String workUri, String resultsUri, String deadLetterUri, String jmsUrl, String instance,
                            boolean consume, int maxDeliveries, int consumers) {

    static final Pattern INSTANCE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    public static QueueSettings from(Settings s, int concurrency) throws ConfigException {
        String instance = s.find("imagegen.instance").map(String::strip).orElseGet(QueueSettings::defaultInstance);
        if (!INSTANCE_NAME.matcher(instance).matches()) {
            throw new ConfigException("The setting imagegen.instance is '" + instance + "'; use 1 to 100 letters, digits,"
                    + " '.', '_' or '-' (it names this instance's results queue and temporary folder).");
        }
        String work = s.find("imagegen.work.uri").map(String::strip).filter(u -> !u.isEmpty()).orElse(null);
        return new QueueSettings(work,
                s.find("imagegen.results.uri").orElse("jms:queue:gemini-image-results"),
                s.find("imagegen.work.deadLetterUri").orElse("jms:queue:" + Broker.DEAD_LETTER_QUEUE),
                s.find("imagegen.jms.url").orElse("tcp://127.0.0.1:61616"),
                instance,
                work != null && s.find("imagegen.work.consume").map(Boolean::parseBoolean).orElse(true),
                s.find("imagegen.work.maxDeliveries").isPresent() ? s.integer("imagegen.work.maxDeliveries", 1) : 5,
                concurrency);
    }

    /** {@code <host>-<pid>}, folded to the characters an instance name may have. */
    static String defaultInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "host";
        }
        String name = host.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + ManagementFactory.getRuntimeMXBean().getPid();
        return name.length() > 100 ? name.substring(name.length() - 100) : name;
    }

    public boolean queued() {
        return workUri != null;
    }

    /** Temporary files: the whole {@code .tmp/} for one process per outbox; a folder per instance when several share it. */
    public Path workDir(Path outbox, String workDirName) {
        Path shared = outbox.resolve(workDirName);
        return queued() ? shared.resolve(instance) : shared;
    }

    /** Today's spend: one file per instance when several share the outbox, so none overwrites another's. */
    public Path stateDir(Path outbox) {
        Path shared = outbox.resolve(".state");
        return queued() ? shared.resolve("instances").resolve(instance) : shared;
    }

    /** The properties routes/work-queue.camel.yaml reads. */
    public Properties camelProperties() {
        Properties p = new Properties();
        p.setProperty("imagegen.instance", instance);
        p.setProperty("imagegen.work.queued", Boolean.toString(queued()));
        p.setProperty("imagegen.work.consume", Boolean.toString(consume));
        p.setProperty("imagegen.work.maxDeliveries", Integer.toString(maxDeliveries));
        p.setProperty("imagegen.work.deadLetterUri", deadLetterUri);
        p.setProperty("imagegen.results.uri", resultsUri);
        p.setProperty("camel.component.jms.connectionFactory", "#bean:jmsConnectionFactory");
        // a worker sends results and dead letters on a connection of their own: sent and on disk before the item is
        // acknowledged, so a worker killed in between causes a result delivered twice (ignored), never a lost one
        p.setProperty("imagegen.results.sendOptions", resultsUri.toLowerCase(Locale.ROOT).startsWith("jms:")
                ? "?connectionFactory=#bean:jmsSendConnectionFactory" : "");
        p.setProperty("imagegen.work.deadLetterSendOptions", deadLetterUri.toLowerCase(Locale.ROOT).startsWith("jms:")
                ? "?connectionFactory=#bean:jmsSendConnectionFactory" : "");
        if (queued()) {
            p.setProperty("imagegen.work.uri", workUri);
            p.setProperty("imagegen.work.consumerUri", transacted(workUri, consumers));
            // results are taken without a transaction: if this instance dies, its batches are read again from
            // its inbox at restart anyway (docs/queue.md), and one commit per result would cap the batch's pace
            p.setProperty("imagegen.results.consumerUri", resultsUri + "." + instance);
        }
        return p;
    }

    /**
     * A JMS consumer that takes an item in a local transaction: the result sent to the owner and the item's
     * acknowledgement commit together, and a worker that fails or dies gives the item back to the queue.
     * Other schemes (kafka:...) are used as written: their own options say how offsets are committed.
     */
    static String transacted(String uri, int consumers) {
        if (!uri.toLowerCase(Locale.ROOT).startsWith("jms:")) {
            return uri;
        }
        return uri + (uri.contains("?") ? "&" : "?") + "transacted=true&concurrentConsumers=" + consumers
                + "&maxConcurrentConsumers=" + consumers + "&cacheLevelName=CACHE_CONSUMER"
                // JMSXDeliveryCount tells a worker the item's last delivery (imagegen.work.maxDeliveries)
                + "&includeAllJMSXProperties=true";
    }
}
