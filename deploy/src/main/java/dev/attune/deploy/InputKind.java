package dev.attune.deploy;

/** What raw input a packaged model takes, and so which preprocessing its package holds. */
public enum InputKind {
    /** A table row (CSV fields or column values), encoded with the packaged tabular transform. */
    TABULAR,
    /** A text, tokenized with the packaged tokenizer at the packaged maximum length. */
    TEXT,
    /** An image's pixel values, scaled and shaped as the package says. */
    IMAGE
}
