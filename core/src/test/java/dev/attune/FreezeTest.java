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
}
