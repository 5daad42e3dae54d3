package io.github.geminiimagebatch.prompt;

import java.util.List;

/** The fields of one item as found in the file, before they are checked. */
final class RawItem {

    final int line;
    /** The number behind the item's default id: its line, or its position in a JSON array. */
    final int number;
    /** How messages refer to the item: "line 7", or "item 3 at line 12" in a JSON array. */
    final String where;
    String id;
    String prompt;
    String aspectRatio;
    String imageSize;
    String model;
    /** The batch folder a retried item belongs to ({@code failed.jsonl} lines carry it); null for a new item. */
    String batch;
    List<String> referenceImages = List.of();
    /** The first problem found while reading the item's syntax; later checks do not overwrite it. */
    String problem;

    RawItem(int line, int number, String where) {
        this.line = line;
        this.number = number;
        this.where = where;
    }

    void fail(String detail) {
        if (problem == null) {
            problem = detail;
        }
    }
}
