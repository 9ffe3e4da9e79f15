/**
 * The BERT model family ({@link dev.attune.internal.bert.BertFamily}): the encoder as a SameDiff
 * graph, its parameter layout and model file, LoRA on its projections, the training step, and the
 * reader of ONNX files (a protobuf reader of its own) that its weights come from, and the export of a
 * model to ONNX ({@link dev.attune.internal.bert.BertOnnx}).
 *
 * <p>Internal: public only so that Attune's own modules ({@code dev.attune..}) can reach it; not part
 * of the API, left out of the Javadoc, and free to change. Depends on {@code dev.attune.spi} and the
 * other internal packages, never on {@code dev.attune}.
 */
package dev.attune.internal.bert;

