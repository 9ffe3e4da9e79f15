package dev.attune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.attune.spi.LayerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class FreezeTest {
    private static List<LayerInfo> chain(int n) {
        List<LayerInfo> layers = new ArrayList<>();
        String prev = "input";
        for (int i = 0; i < n; i++) {
            String name = (i == n - 1) ? "head" : "dense" + i;
            layers.add(new LayerInfo(name, i, "DenseLayer", 10, List.of(prev)));
            prev = name;
        }
        return layers;
    }

    @Property
    void upToFreezesExactlyThePrefix(@ForAll @IntRange(min = 2, max = 12) int n, @ForAll @IntRange(min = 0, max = 10) int k) {
        int last = Math.min(k, n - 2);
        List<LayerInfo> layers = chain(n);
        Set<String> frozen = Freeze.upTo(layers.get(last).name()).frozenLayers(layers);
        assertThat(frozen).hasSize(last + 1);
        layers.forEach(l -> assertThat(frozen.contains(l.name())).isEqualTo(l.index() <= last));
    }

    @Property
    void allExceptAndLayersAreComplements(@ForAll @IntRange(min = 2, max = 12) int n) {
        List<LayerInfo> layers = chain(n);
        Set<String> a = Freeze.allExcept("dense*").frozenLayers(layers);
        Set<String> b = Freeze.layers("dense*").frozenLayers(layers);
        assertThat(a).containsExactly("head");
        assertThat(b).hasSize(n - 1).doesNotContain("head");
    }

    @Test
    void globsAndUnfreeze() {
        List<LayerInfo> layers = chain(5);
        assertThat(Freeze.layers("dense?").andUnfreeze("dense2").frozenLayers(layers))
                .containsExactlyInAnyOrder("dense0", "dense1", "dense3");
        assertThat(Freeze.where(l -> l.index() % 2 == 0).frozenLayers(layers))
                .containsExactlyInAnyOrder("dense0", "dense2", "head");
        assertThat(Freeze.none().frozenLayers(layers)).isEmpty();
        assertThatThrownBy(() -> Freeze.layers("conv*").frozenLayers(layers))
                .hasMessage("unknown layer 'conv*'; layers are: dense0, dense1, dense2, dense3, head");
        assertThatThrownBy(() -> Freeze.layers()).hasMessageContaining("give at least one layer name");
    }

    @Test
    void freezingOnlyLayersWithoutParametersIsRefusedWithTheNearestLayersThatHaveSome() {
        var cnn = Fixtures.cnn(3, 1);
        for (String pattern : new String[] {"pool0", "pool*"}) {
            assertThatThrownBy(() -> FineTuner.builder(cnn).freeze(Freeze.layers(pattern)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("freezes only 'pool0', which has no parameters, so nothing would be frozen")
                    .hasMessageContaining("'conv0' (below 'pool0') and 'dense0' (above it)")
                    .hasMessageContaining("Freeze.upTo(\"pool0\")");
        }
        // The advice, followed: the convolution below the pooling layer is frozen.
        LabeledData images = LabeledData.of(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 30, 64),
                java.util.stream.IntStream.range(0, 30).map(i -> i % 3).toArray(), 3);
        FineTuneResult r = FineTuner.builder(cnn).freeze(Freeze.upTo("pool0")).epochs(1).build().fit(images);
        assertThat(r.frozenLayers()).containsExactly("conv0", "pool0");
        // A policy that freezes a layer with parameters as well is accepted.
        assertThat(FineTuner.builder(cnn).freeze(Freeze.layers("pool0", "conv0")).build()).isNotNull();
    }
}
