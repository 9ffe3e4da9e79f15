/**
 * Files: atomic writes ({@link dev.attune.internal.io.AtomicFiles}: a temporary name in the same
 * directory, then one atomic move), safetensors ({@link dev.attune.internal.io.Safetensors}), the
 * protobuf wire format ({@link dev.attune.internal.io.ProtoWriter}, for the ONNX export) and
 * JSON ({@link dev.attune.internal.io.Json}: the one reader, writer and string quoting of the
 * reports, the deployment packages and the registry's command line).
 * Users write files through the API ({@code Network.save}, {@code Network.exportOnnx}, {@code BertEncoder.saveSafetensors},
 * the adapters' {@code AdapterFile}), so nothing here is theirs.
 *
 * <p>Internal: public only so that Attune's own modules ({@code dev.attune..}) can reach it; not part
 * of the API, left out of the Javadoc. Depends on no other Attune package.
 */
package dev.attune.internal.io;

