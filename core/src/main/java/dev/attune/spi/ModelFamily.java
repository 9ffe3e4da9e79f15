package dev.attune.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * A kind of model Attune can fine-tune (DL4J networks, the BERT encoder): the plug-in point behind
 * {@code Network}. A family reads its own model files into a {@link ModelHandle}, which does the rest
 * (inference, parameter layout, freezing, the training step, writing the file). Model files are zips;
 * each family recognises its own by its format tag (an entry or a field that only its files have).
 *
 * <p>The built-in families are registered by {@code Network} itself; a host application's family is
 * passed explicitly: {@code Network.load(path, family)} reads a file of it, {@code Network.of(handle)}
 * wraps a model of it in memory.
 */
public interface ModelFamily {
    /** A short name for messages, for example {@code "dl4j"} or {@code "bert"}. */
    String name();

    /**
     * The format tag of the files this family writes, for messages and the file's own header (for
     * example {@code "attune-bert/1"}).
     */
    String formatTag();

    /** Whether the model file is one of this family's (its format tag is there). Reads no parameters. */
    boolean recognises(ZipFile zip);

    /**
     * Reads a model file of this family.
     *
     * @param zip the open model file
     * @param file where it lies, for messages and for readers that open the file themselves
     * @throws ModelFileException when the file lacks what the family needs, or its content is corrupted
     * @throws IOException when the zip cannot be read
     */
    ModelHandle read(ZipFile zip, Path file) throws IOException;
}
