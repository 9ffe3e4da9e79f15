package dev.attune.internal.bert;

import dev.attune.spi.ModelFamily;
import dev.attune.spi.ModelHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * The BERT encoder (a SameDiff graph) with an optional dense softmax head. Its files carry
 * {@value BertHandle#JSON}, whose {@code format} field is the tag {@value BertHandle#FORMAT}.
 */
public final class BertFamily implements ModelFamily {
    /** The one instance. */
    public static final BertFamily INSTANCE = new BertFamily();

    private BertFamily() {
    }

    @Override
    public String name() {
        return "bert";
    }

    @Override
    public String formatTag() {
        return BertFile.FORMAT;
    }

    @Override
    public boolean recognises(ZipFile zip) {
        return zip.getEntry(BertFile.JSON) != null;
    }

    @Override
    public ModelHandle read(ZipFile zip, Path file) throws IOException {
        return BertFile.read(zip, file.toString());
    }

    @Override
    public String toString() {
        return "BERT encoders (" + formatTag() + ")";
    }
}
