package dev.attune.data;

import dev.attune.Balancer;
import dev.attune.LabeledData;

class ClassWeightsContractTest implements BalancerContract {
    @Override
    public Balancer balancer(LabeledData train) {
        return Balancing.classWeights();
    }

    @Override
    public int[] expectedCounts(int[] counts) {
        return null;
    }
}
