package io.github.geminiimagebatch.model;

/** Pixel size of a generated image. */
public record Dimensions(int width, int height) {

    public Dimensions {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("Image dimensions must be positive, got " + width + "x" + height);
        }
    }

    public Dimensions scaled(int factor) {
        return new Dimensions(width * factor, height * factor);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
