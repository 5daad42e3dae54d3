package io.github.geminiimagebatch.service;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbox consumer's memory of the prompt files it has taken, keyed {@code name/size/modified}
 * (a '/' cannot occur in a file name). Unlike Camel's default memory it can forget a file by name:
 * a file left with pending items is forgotten when it is due to be read again, and a file that left
 * the inbox (to .done/ or .failed/) is forgotten at once, so the memory holds only what the inbox holds.
 */
public final class InboxMemory extends ServiceSupport implements IdempotentRepository {

    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    @Override
    public boolean add(String key) {
        return keys.add(key);
    }

    @Override
    public boolean contains(String key) {
        return keys.contains(key);
    }

    @Override
    public boolean remove(String key) {
        return keys.remove(key);
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        keys.clear();
    }

    /** Forgets every version of the file with this name, so the next poll takes it again. */
    public void forget(String fileName) {
        String prefix = fileName + "/";
        keys.removeIf(key -> key.startsWith(prefix));
    }

    public int size() {
        return keys.size();
    }
}
