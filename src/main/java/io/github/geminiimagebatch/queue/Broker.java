package io.github.geminiimagebatch.queue;

import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

import java.nio.file.Path;

/**
 * An embedded, persistent ActiveMQ Artemis broker for the work queue: messages survive a broker
 * restart (journal in the data folder), a message that keeps failing goes to {@code DLQ} after
 * {@code maxDeliveries}, an expired one to {@code ExpiryQueue}.
 */
public final class Broker implements AutoCloseable {

    /** Where dead letters go: the workers send a poisoned item here themselves (with its reason), the broker as a backstop. */
    public static final String DEAD_LETTER_QUEUE = "DLQ";
    public static final String EXPIRY_QUEUE = "ExpiryQueue";

    private final EmbeddedActiveMQ server;
    private final String url;

    private Broker(EmbeddedActiveMQ server, String url) {
        this.server = server;
        this.url = url;
    }

    /**
     * @param bind          address to listen on (loopback unless several machines share the broker)
     * @param port          TCP port, 0 is not allowed (instances must be told the port)
     * @param dataDir       journal, bindings, paging and large messages
     * @param maxDeliveries deliveries of one message before the broker dead-letters it; the workers give up one
     *                      delivery earlier themselves, so the broker only dead-letters messages that killed a worker
     */
    public static Broker start(String bind, int port, Path dataDir, int maxDeliveries) throws Exception {
        String url = "tcp://" + bind + ":" + port;
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                // NIO works everywhere; the faster libaio journal needs a native library most machines lack
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dataDir.resolve("journal").toString())
                .setBindingsDirectory(dataDir.resolve("bindings").toString())
                .setPagingDirectory(dataDir.resolve("paging").toString())
                .setLargeMessagesDirectory(dataDir.resolve("large-messages").toString())
                .setNodeManagerLockDirectory(dataDir.toString())
                .addAcceptorConfiguration("tcp", url)
                .addAddressSetting("#", new AddressSettings()
                        .setDeadLetterAddress(SimpleString.of(DEAD_LETTER_QUEUE))
                        .setExpiryAddress(SimpleString.of(EXPIRY_QUEUE))
                        .setMaxDeliveryAttempts(maxDeliveries)
                        // an item handed back (not stored, or its worker failed) waits a little before the next try
                        .setRedeliveryDelay(500)
                        .setRedeliveryMultiplier(2)
                        .setMaxRedeliveryDelay(10_000))
                .addQueueConfiguration(QueueConfiguration.of(DEAD_LETTER_QUEUE).setRoutingType(RoutingType.ANYCAST))
                .addQueueConfiguration(QueueConfiguration.of(EXPIRY_QUEUE).setRoutingType(RoutingType.ANYCAST));
        EmbeddedActiveMQ server = new EmbeddedActiveMQ().setConfiguration(config);
        server.start();
        return new Broker(server, url);
    }

    public String url() {
        return url;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
