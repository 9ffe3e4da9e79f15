package dev.attune.data;

import dev.attune.Balancer;
import dev.attune.LabeledData;
import java.util.Arrays;

class UndersampleContractTest implements BalancerContract {
    @Override
    public Balancer balancer(LabeledData train) {
        return Balancing.undersample();
    }

    @Override
    public int[] expectedCounts(int[] counts) {
        int min = Arrays.stream(counts).filter(c -> c > 0).min().orElseThrow();
        return Arrays.stream(counts).map(c -> c == 0 ? 0 : min).toArray();
    }
}
