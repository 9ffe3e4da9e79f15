package dev.attune.adapters.lora;

/** The configuration of a LoRA layer, dense or output. */
interface LoraLayerConf {
    LoraSpec spec();
}
