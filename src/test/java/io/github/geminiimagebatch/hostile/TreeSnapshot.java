package io.github.geminiimagebatch.hostile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every path under a folder (links not followed) with what it is: folder, link target, or size and modification time. */
final class TreeSnapshot {

    private TreeSnapshot() {
    }

    static Map<String, String> of(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what = a.isSymbolicLink() ? "link->" + Files.readSymbolicLink(p)
                        : a.isDirectory() ? "dir" : "file " + a.size() + " " + a.lastModifiedTime().toMillis();
                entries.put(root.relativize(p).toString().replace('\\', '/'), what);
            }
        }
        return entries;
    }
}
